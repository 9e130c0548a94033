import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';

/** `doccat config show|check` and `doccat audit`. */

describe('configuration and audit commands', () => {
  it('shows every setting with where it came from, and never a password', async () => {
    const home = tempDir();
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify({ ingest: { jobs: 2 }, database: { url: 'postgres://doccat:hunter2@db.example.org/doccat' } }));
    const result = await runDoccat(['config', 'show', '--json', '--config', file], { home, env: { DOCCAT_OCR_ENABLED: 'false' } });
    expect(result.code, result.stderr).toBe(0);
    const settings = (JSON.parse(result.stdout) as { settings: { path: string; value: unknown; source: string }[] }).settings;
    const find = (name: string) => settings.find((setting) => setting.path === name);
    expect(find('ingest.jobs')).toEqual({ path: 'ingest.jobs', value: 2, source: `file ${file}` });
    expect(find('ocr.enabled')).toEqual({ path: 'ocr.enabled', value: false, source: 'env DOCCAT_OCR_ENABLED' });
    expect(find('ocr.renderDpi')).toMatchObject({ value: 300, source: 'default' });
    expect(find('database.url')?.value).toBe('postgres://doccat:***@db.example.org/doccat');
    expect(result.stdout).not.toContain('hunter2');
  });

  it('resolves every secret reference and names the missing ones, never their values', async () => {
    const home = tempDir();
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(path.join(home, 'key.txt'), 'sk-from-file-SECRET\n');
    fs.writeFileSync(file, JSON.stringify({ ai: { providers: [
      { name: 'gpt', type: 'openai', model: 'gpt-4o-mini', apiKey: 'file:key.txt' },
      { name: 'claude', type: 'anthropic', model: 'claude-haiku-4-5', apiKey: 'env:CHECK_ANTHROPIC' },
      { name: 'local', type: 'openai', model: 'llama3.1', baseURL: 'http://127.0.0.1:11434/v1' },
    ] } }));
    const missing = await runDoccat(['config', 'check', '--json', '--config', file], { home });
    expect(missing.code).toBe(2);
    const report = JSON.parse(missing.stdout) as { missing: string[]; references: { setting: string; present: boolean; keyId: string | null }[] };
    expect(report.missing).toEqual(['ai.providers.claude.apiKey']);
    expect(report.references.find((item) => item.setting === 'ai.providers.gpt.apiKey')?.keyId).toMatch(/^file:key\.txt#[0-9a-f]{6}$/);
    const complete = await runDoccat(['config', 'check', '--config', file], { home, env: { CHECK_ANTHROPIC: 'sk-ant-env-SECRET' } });
    expect(complete.code, complete.stderr).toBe(0);
    expect(`${missing.stdout}${complete.stdout}${complete.stderr}`).not.toMatch(/SECRET/);
    const invalid = await runDoccat(['config', 'check'], { home, env: { DOCCAT_INGEST_JOBS: 'many' } });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/E_CONFIG_INVALID[\s\S]*ingest\.jobs/);
  });

  it('lists the changes made to a document, and the latest changes overall', async () => {
    const home = tempDir();
    const report = parseIngestJson(await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--json'], { home }));
    const id = report.files[0]?.documentId as number;
    expect((await runDoccat(['set', String(id), '--title', 'Corrected title'], { home })).code).toBe(0);
    const one = JSON.parse((await runDoccat(['audit', `D${id}`, '--json'], { home })).stdout) as { entries: { command: string; field: string; old: string | null; new: string | null; actor: string }[] };
    expect(one.entries.map((entry) => [entry.command, entry.field])).toEqual([['ingest', 'document'], ['set', 'title']]);
    expect(one.entries[1]).toMatchObject({ new: 'Corrected title' });
    const latest = JSON.parse((await runDoccat(['audit', '--json', '--limit', '2'], { home })).stdout) as { entries: { field: string }[] };
    expect(latest.entries).toHaveLength(2);
    expect(latest.entries[0]?.field).toBe('title');
    expect((await runDoccat(['audit', 'D999'], { home })).code).toBe(2);
  });
});
