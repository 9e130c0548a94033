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
    const result = await runDoccat(['config', 'show', '--json', '--config', file], { home, env: { DOCCAT_FEATURES_OCR: 'false' } });
    expect(result.code, result.stderr).toBe(0);
    const settings = (JSON.parse(result.stdout) as { settings: { path: string; value: unknown; source: string }[] }).settings;
    const find = (name: string) => settings.find((setting) => setting.path === name);
    expect(find('ingest.jobs')).toEqual({ path: 'ingest.jobs', value: 2, source: `file ${file}` });
    expect(find('features.ocr')).toEqual({ path: 'features.ocr', value: false, source: 'env DOCCAT_FEATURES_OCR' });
    expect(find('ocr.renderDpi')).toMatchObject({ value: 300, source: 'default' });
    expect(find('database.url')?.value).toBe('postgres://doccat:***@db.example.org/doccat');
    expect(result.stdout).not.toContain('hunter2');
  });

  it('masks every secret-bearing value, in the table and in JSON: PDF passwords and credentials in any URL', async () => {
    const home = tempDir();
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify({
      pdf: { passwords: ['pdf-TESTSECRET-1', 'pdf-TESTSECRET-2'] },
      database: { url: 'postgres://doccat:db-TESTSECRET@db.example.org/doccat?sslpassword=ssl-TESTSECRET&sslmode=require' },
      storage: { backends: { minio: { type: 's3', bucket: 'docs', endpoint: 'http://minio:s3-TESTSECRET@nas.local:9000', accessKeyId: 'env:MINIO_KEY' } } },
      ai: { providers: [
        { name: 'proxy', type: 'openai', model: 'gpt-4o-mini', apiKey: 'env:OPENAI_API_KEY', baseURL: 'https://proxy-user:proxy-TESTSECRET@proxy.example.org/v1' },
        { name: 'tokened', type: 'openai', model: 'gpt-4o-mini', apiKey: 'cmd:fetch-key https://token-TESTSECRET@vault.example.org/key', baseURL: 'https://token-TESTSECRET@proxy.example.org/v1' },
      ] },
    }));
    const json = await runDoccat(['config', 'show', '--json', '--config', file], { home });
    const table = await runDoccat(['config', 'show', '--config', file], { home });
    for (const result of [json, table]) {
      expect(result.code, result.stderr).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/TESTSECRET/);
    }
    const settings = (JSON.parse(json.stdout) as { settings: { path: string; value: unknown }[] }).settings;
    const value = (name: string) => settings.find((setting) => setting.path === name)?.value;
    expect(value('pdf.passwords')).toEqual(['***', '***']);
    expect(value('database.url')).toBe('postgres://doccat:***@db.example.org/doccat?sslpassword=***&sslmode=require');
    expect(value('storage.backends.minio.endpoint')).toBe('http://minio:***@nas.local:9000');
    expect(value('storage.backends.minio.accessKeyId')).toBe('env:MINIO_KEY');
    expect(value('ai.providers')).toMatchObject([
      { apiKey: 'env:OPENAI_API_KEY', baseURL: 'https://proxy-user:***@proxy.example.org/v1' },
      { apiKey: 'cmd:fetch-key https://***@vault.example.org/key', baseURL: 'https://***@proxy.example.org/v1' },
    ]);
    expect(table.stdout).toMatch(/pdf\.passwords\s+\| \["\*\*\*","\*\*\*"\]/);

    // A password given by DOCCAT_PDF_PASSWORDS is masked the same way.
    const fromEnv = await runDoccat(['config', 'show', '--json'], { home, cwd: home, env: { DOCCAT_PDF_PASSWORDS: 'env-TESTSECRET' } });
    expect(fromEnv.stdout).not.toMatch(/TESTSECRET/);
  });

  it('resolves every secret reference and names the missing ones, never their values', async () => {
    const home = tempDir();
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(path.join(home, 'key.txt'), 'sk-from-file-TESTSECRET\n');
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
    const complete = await runDoccat(['config', 'check', '--config', file], { home, env: { CHECK_ANTHROPIC: 'sk-ant-env-TESTSECRET' } });
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
    expect(JSON.parse((await runDoccat(['audit', 'D999', '--json'], { home })).stdout)).toEqual({ entries: [] });
    expect((await runDoccat(['audit', 'nonsense'], { home })).code).toBe(2);
  });

  it('deletes a document and its original, keeps its audit trail, and asks scripts for --yes', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-delete-inputs-');
    fs.writeFileSync(path.join(inputs, 'draft.txt'), 'A draft about the zeppelin museum.\n');
    fs.writeFileSync(path.join(inputs, 'keep.txt'), 'A letter about the garden.\n');
    const report = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    const draft = report.files.find((file) => file.path.endsWith('draft.txt')) as { documentId: number; sha256?: string };
    const blob = (sha: string) => path.join(home, 'blobs', 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
    const sha = (report.files.find((file) => file.path.endsWith('draft.txt')) as { sha256: string }).sha256;
    expect(fs.existsSync(blob(sha))).toBe(true);

    const unconfirmed = await runDoccat(['delete', String(draft.documentId)], { home });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/E_CONFIRM_NEEDED/);
    expect(fs.existsSync(blob(sha))).toBe(true);

    const deleted = await runDoccat(['delete', `D${draft.documentId}`, '--yes', '--json'], { home });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout).documents).toEqual([{ id: draft.documentId, ref: `D${draft.documentId}`, deleted: true, blob: 'deleted' }]);
    expect(fs.existsSync(blob(sha))).toBe(false);
    expect((await runDoccat(['search', 'zeppelin', '--paths'], { home })).stdout).toBe('');
    expect((await runDoccat(['show', String(draft.documentId)], { home })).code).toBe(2);
    const trail = JSON.parse((await runDoccat(['audit', String(draft.documentId), '--json'], { home })).stdout) as { entries: { command: string; old: string | null; new: string | null }[] };
    expect(trail.entries.map((entry) => entry.command)).toEqual(['ingest', 'delete']);
    expect(JSON.parse(trail.entries[1]?.old ?? '{}')).toMatchObject({ sha256: sha, paths: [path.join(inputs, 'draft.txt')] });
    const verify = await runDoccat(['storage', 'verify'], { home });
    expect(verify.code, verify.stdout).toBe(0);
    // The source file is untouched; ingesting it again catalogues it again.
    const again = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(again.files.find((file) => file.path.endsWith('draft.txt'))?.status).toBe('catalogued');
    expect(again.files.find((file) => file.path.endsWith('keep.txt'))?.status).toBe('unchanged');
  });
});
