import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
          { name: 'gpt', type: 'openai', model: 'gpt-4o-mini', baseURL: `${fake.url}/v1`, apiKey: 'env:HEALTH_OPENAI_KEY', maxAttempts: 1 },
          { name: 'claude', type: 'anthropic', model: 'claude-haiku-4-5', baseURL: fake.url, apiKey: 'env:HEALTH_MISSING_KEY', maxAttempts: 1 },
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

  it('checks a Postgres catalogue', async () => {
    const home = tempDir();
    const url = await createDatabase(inject('pgUrl'));
    expect((await runDoccat(['db', 'migrate', '--quiet'], { home, env: { DOCCAT_DATABASE_URL: url } })).code).toBe(0);
    const { code, report } = await health(home, {}, [], { DOCCAT_DATABASE_URL: url });
    expect(code).toBe(0);
    expect(statusOf(report, 'database')?.detail).toMatch(/^postgres postgres:\/\/doccat@127\.0\.0\.1:\d+\/doccat_test_\w+, schema 0009_postgres_date_order$/);
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
    const config = { ai: { providers: [{ name: 'gpt', type: 'openai', model: 'gpt-4o-mini', baseURL: `${fake.url}/v1`, apiKey: 'env:HEALTH_OPENAI_KEY', dailyTokenBudget: 50_000 }] } };
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
