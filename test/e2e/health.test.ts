import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';
import { createDatabase } from '../support/postgres.mjs';

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
    ]);
    expect(statusOf(report, 'ocr')?.detail).toContain('HEALTH 42');
    const table = await runDoccat(['health'], { home });
    expect(table.stdout).toMatch(/\| database\s+\| ok\s+\|/);
  });

  it('fails with exit 5 on an unreachable backend and missing OCR data, and says which', async () => {
    const home = tempDir();
    const { code, report } = await health(home, {
      ocr: { languages: ['xyz'] },
      storage: { backends: { cloud: { type: 's3', bucket: 'b', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, accessKeyId: 'env:K', secretAccessKey: 'env:K', maxAttempts: 1 } } },
    }, [], { K: 'key' });
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
    const env = { HEALTH_OPENAI_KEY: 'sk-health-SECRET' };
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
    expect(JSON.stringify([shallow, deep, refused])).not.toContain('sk-health-SECRET');
    fake.reset();
  });

  it('checks a Postgres catalogue', async () => {
    const home = tempDir();
    const url = await createDatabase(inject('pgUrl'));
    expect((await runDoccat(['db', 'migrate', '--quiet'], { home, env: { DOCCAT_DATABASE_URL: url } })).code).toBe(0);
    const { code, report } = await health(home, {}, [], { DOCCAT_DATABASE_URL: url });
    expect(code).toBe(0);
    expect(statusOf(report, 'database')?.detail).toMatch(/^postgres postgres:\/\/doccat@127\.0\.0\.1:\d+\/doccat_test_\w+, schema 0007_jobs$/);
  });
});
