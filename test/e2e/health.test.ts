import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';
import { createDatabase } from '../support/postgres.mjs';
import { startS3 } from '../support/s3.mjs';

/** `doccat health`: real checks, a table or JSON, exit 0 or 5. */

interface Report {
  healthy: boolean;
  checks: { check: string; status: string; code?: string; detail: string }[];
}

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake.close();
});
// The fakes refuse what the real services refuse: doccat must never have sent such a request.
afterEach(() => {
  expect(fake.rejections).toEqual([]);
});

async function health(home: string, config: Record<string, unknown>, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const file = path.join(home, 'doccat.config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const result = await runDoccat(['health', '--json', '--config', file, ...args], { home, env });
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

const statusOf = (report: Report, check: string) => report.checks.find((item) => item.check === check);

describe('doccat health', () => {
  it('passes on a working catalogue, reading text back through OCR', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--quiet'], { home })).code).toBe(0);
    const { code, report } = await health(home, {});
    expect(code).toBe(0);
    expect(report.healthy).toBe(true);
    expect(report.checks.map((check) => [check.check, check.status])).toEqual([
      ['database', 'ok'],
      ['storage local', 'ok'],
      ['ocr', 'ok'],
      ['disk', 'ok'],
      ['permissions', 'ok'],
    ]);
    expect(statusOf(report, 'ocr')?.detail).toContain('HEALTH 42');
    const table = await runDoccat(['health'], { home });
    expect(table.stdout).toMatch(/\| database\s+\| ok\s+\|/);
  });

  it('fails with exit 5 on a stopped S3 server and missing OCR data, and says which', async () => {
    const home = tempDir();
    const s3 = await startS3(['doccat']);
    const backend = s3.backend('doccat', { maxAttempts: 1 });
    const up = await health(home, { storage: { backends: { cloud: backend } } }, [], s3.env);
    expect(statusOf(up.report, 'storage cloud')?.status).toBe('ok');
    await s3.close();
    const { code, report } = await health(home, { ocr: { languages: ['xyz'] }, storage: { backends: { cloud: backend } } }, [], s3.env);
    expect(code).toBe(5);
    expect(report.healthy).toBe(false);
    expect(statusOf(report, 'storage local')?.status).toBe('ok');
    expect(statusOf(report, 'storage cloud')).toMatchObject({ status: 'fail', code: 'E_STORAGE_UNAVAILABLE' });
    expect(statusOf(report, 'ocr')).toMatchObject({ status: 'fail', code: 'E_OCR_LANGUAGE_MISSING' });
    expect(statusOf(report, 'database')?.status).toBe('warn');
  });

  it('checks provider credentials, and with --deep asks each provider', async () => {
    const home = tempDir();
    const config = {
      ai: {
        retryBaseDelayMs: 10,
        providers: [
          { name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:HEALTH_OPENAI_KEY', maxAttempts: 1 },
          { name: 'claude', type: 'anthropic', model: 'claude-haiku-5-5', baseURL: fake.url, apiKey: 'env:HEALTH_MISSING_KEY', maxAttempts: 1 },
        ],
      },
    };
    const env = { HEALTH_OPENAI_KEY: 'sk-health-TESTSECRET' };
    const shallow = await health(home, config, [], env);
    expect(shallow.code).toBe(5);
    expect(statusOf(shallow.report, 'provider gpt')?.status).toBe('ok');
    expect(statusOf(shallow.report, 'provider claude')).toMatchObject({ status: 'fail' });
    expect(statusOf(shallow.report, 'provider claude')?.detail).toMatch(/HEALTH_MISSING_KEY/);
    expect(fake.count('openai')).toBe(0);

    const deep = await health(home, config, ['--deep'], env);
    expect(statusOf(deep.report, 'provider gpt')).toMatchObject({ status: 'ok' });
    expect(statusOf(deep.report, 'provider gpt')?.detail).toMatch(/answered a test request/);
    expect(fake.count('openai')).toBe(1);
    fake.setDefault('openai', { kind: 'status', status: 401 });
    const refused = await health(home, config, ['--deep'], env);
    expect(statusOf(refused.report, 'provider gpt')).toMatchObject({ status: 'fail', code: 'E_PROVIDER_AUTH' });
    expect(JSON.stringify([shallow, deep, refused])).not.toContain('sk-health-TESTSECRET');
    fake.reset();
  });

  it('warns, without failing, about a configured model the installed SDK lists as deprecated', async () => {
    fake.reset();
    const home = tempDir();
    const config = { ai: { providers: [{ name: 'claude', type: 'anthropic', model: 'claude-sonnet-4-5', baseURL: fake.url, apiKey: 'env:HEALTH_CLAUDE_KEY' }] } };
    const env = { HEALTH_CLAUDE_KEY: 'sk-ant-health-TESTSECRET' };
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const check = await runDoccat(['config', 'check', '--json', '--config', file], { home, env });
    expect(check.code, check.stderr).toBe(0);
    expect((JSON.parse(check.stdout) as { warnings: { setting: string; message: string; hint: string }[] }).warnings).toEqual([
      { setting: 'ai.providers.claude.model', model: 'claude-sonnet-4-5', message: expect.stringMatching(/^claude-sonnet-4-5 is deprecated and reaches end of life on November 30th, 2026 \(@anthropic-ai\/sdk \d+\.\d+\.\d+\)$/), hint: 'choose a current model, e.g. claude-haiku-5-5' },
    ]);
    const text = await runDoccat(['config', 'check', '--config', file], { home, env });
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/warning: ai\.providers\.claude\.model: claude-sonnet-4-5 is deprecated/);
    const { code, report } = await health(home, config, [], env);
    expect(code).toBe(0);
    expect(statusOf(report, 'provider claude')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/claude-sonnet-4-5 is deprecated and reaches end of life on November 30th, 2026/) });
    expect(fake.count('anthropic')).toBe(0);
  });

  it('reports with --deep what each provider says about its model', async () => {
    fake.reset();
    const home = tempDir();
    const keys = { HEALTH_OPENAI_KEY: 'sk-health-TESTSECRET', HEALTH_CLAUDE_KEY: 'sk-ant-health-TESTSECRET', HEALTH_GEMINI_KEY: 'AIza-health-TESTSECRET' };
    const providers = (models: Record<string, string>) => [
      { name: 'gpt', type: 'openai', model: models.openai, baseURL: `${fake.url}/v1`, apiKey: 'env:HEALTH_OPENAI_KEY', maxAttempts: 1 },
      { name: 'claude', type: 'anthropic', model: models.anthropic, baseURL: fake.url, apiKey: 'env:HEALTH_CLAUDE_KEY', maxAttempts: 1 },
      { name: 'gemini', type: 'gemini', model: models.gemini, baseURL: fake.url, apiKey: 'env:HEALTH_GEMINI_KEY', maxAttempts: 1 },
    ];
    const current = await health(home, { ai: { providers: providers({ openai: 'gpt-5.6-luna', anthropic: 'claude-haiku-5-5', gemini: 'gemini-3.5-flash-lite' }) } }, ['--deep'], keys);
    expect(statusOf(current.report, 'provider gpt')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/the provider says: no shutdown date announced$/) });
    expect(statusOf(current.report, 'provider claude')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/the provider says: lifecycle active$/) });
    expect(statusOf(current.report, 'provider gemini')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/answered a test request \(type invoice\)$/) });

    // Models on their way out: the provider's own words, as a warning.
    const old = await health(home, { ai: { providers: providers({ openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash' }) } }, ['--deep'], keys);
    expect(statusOf(old.report, 'provider gpt')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/the provider says: shutdown_date 2027-01-14$/) });
    expect(statusOf(old.report, 'provider claude')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/the provider says: lifecycle deprecated, retires 2026-11-30T00:00:00Z$/) });
    expect(statusOf(old.report, 'provider gemini')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/the provider says: modelStage DEPRECATED, retirement 2026-12-01T00:00:00Z/) });
    expect(old.code).toBe(0);
    expect(fake.modelLookups.map((lookup) => `${lookup.provider} ${lookup.model}`).sort()).toEqual(['anthropic claude-haiku-5-5', 'anthropic claude-sonnet-4-5', 'openai gpt-4o-mini', 'openai gpt-5.6-luna']);
    expect(fake.rejections).toEqual([]);
    fake.reset();
  });

  it('checks a Postgres catalogue', async () => {
    const home = tempDir();
    const url = await createDatabase(inject('pgUrl'));
    expect((await runDoccat(['db', 'migrate', '--quiet'], { home, env: { DOCCAT_DATABASE_URL: url } })).code).toBe(0);
    const { code, report } = await health(home, {}, [], { DOCCAT_DATABASE_URL: url });
    expect(code).toBe(0);
    expect(statusOf(report, 'database')?.detail).toMatch(/^postgres postgres:\/\/doccat@127\.0\.0\.1:\d+\/doccat_test_\w+, schema \d{4}_\w+$/);
  });

  it('fails the database check with exit 5 when Postgres does not answer, and never shows its password', async () => {
    const home = tempDir();
    const { code, report } = await health(home, { database: { url: 'env:HEALTH_DB' } }, [], { HEALTH_DB: 'postgres://doccat:hunter2@127.0.0.1:9/doccat?connect_timeout=3' });
    expect(code).toBe(5);
    expect(statusOf(report, 'database')).toMatchObject({ status: 'fail', code: 'E_DATABASE_UNAVAILABLE' });
    expect(statusOf(report, 'database')?.detail).not.toContain('hunter2');
  });

  it('shows each provider\'s token use today against its budget', async () => {
    const home = tempDir();
    const config = { ai: { providers: [{ name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:HEALTH_OPENAI_KEY', dailyTokenBudget: 50_000 }] } };
    const env = { HEALTH_OPENAI_KEY: 'sk-health-TESTSECRET' };
    const inputs = tempDir('doccat-health-inputs-');
    fs.writeFileSync(path.join(inputs, 'invoice.txt'), 'INVOICE\nTotal due: 10.00 EUR\n');
    const file = path.join(home, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    expect((await runDoccat(['ingest', inputs, '--quiet', '--config', file], { home, env })).code).toBe(0);
    const { report } = await health(home, config, [], env);
    expect(statusOf(report, 'provider gpt')?.detail).toMatch(/, [1-9]\d* of 50000 tokens used today/);
    fake.reset();
  });
});
