import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { githubActions } from '../support/artifacts.js';
import { BIN, FIXTURES, REPO_ROOT, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';

/** `doccat stats`, feature flags, environments, secrets by command, correlation ids, log redaction and `doccat init`. */

interface Stats {
  since: string | null;
  documents: { total: number; pages: number; byType: { key: string; count: number }[]; byMethod: { key: string; count: number }[] };
  files: { total: number; byStatus: { key: string; count: number }[]; pages: number; ocrPages: number; bytes: number };
  throughput: { runs: number; busySeconds: number; filesPerSecond: number | null };
  stages: { stage: string; count: number; p50Ms: number | null; p95Ms: number | null }[];
  providers: { provider: string; calls: number; ok: number; errors: number; successRate: number | null; inputTokens: number; outputTokens: number; costUsd: number; keys: string[]; budget: { dailyTokens: number; usedToday: number } | null }[];
  failures: { key: string; count: number }[];
}

const OPENAI_KEY = 'sk-proj-ops-TESTSECRET-0123456789';

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());
// The fakes refuse what the real services refuse: doccat must never have sent such a request.
afterEach(() => {
  expect(fake.rejections).toEqual([]);
});

function writeConfig(home: string, config: Record<string, unknown>): string {
  const file = path.join(home, 'doccat.config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

function inputsFolder(): string {
  const inputs = tempDir('doccat-ops-inputs-');
  fs.writeFileSync(path.join(inputs, 'invoice K-123456.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\nContact billing@acme.example\n');
  fs.writeFileSync(path.join(inputs, 'letter.txt'), 'Dear Ms Berg,\nthank you for your letter.\nSincerely,\nTom\n');
  fs.writeFileSync(path.join(inputs, 'receipt.txt'), 'RECEIPT\nAmount paid: 4.20\nThank you for your purchase\n');
  fs.writeFileSync(path.join(inputs, 'empty.txt'), '');
  fs.writeFileSync(path.join(inputs, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
  return inputs;
}

const gpt = (extra: Record<string, unknown> = {}) => ({ name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:OPS_OPENAI_KEY', maxAttempts: 1, price: { inputPerMTok: 1, outputPerMTok: 4 }, ...extra });

describe('doccat stats', () => {
  it('reports figures that match a known ingest, with correlation ids shared by output, log and provider records', async () => {
    const home = tempDir();
    const inputs = inputsFolder();
    fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(inputs, 'scan.png'));
    const config = writeConfig(home, { ai: { retryBaseDelayMs: 10, providers: [gpt({ dailyTokenBudget: 1_000_000 })] } });
    const logFile = path.join(home, 'run.log');
    const env = { OPS_OPENAI_KEY: OPENAI_KEY };
    // Run as a CI build: the provenance line names the CI's own run id, which must not replace doccat's.
    const first = await runDoccat(['ingest', inputs, '--json', '--config', config, '--log-level', 'debug', '--log-file', logFile], { home, env: { ...env, ...githubActions({ id: '777', sha: '7'.repeat(40) }) } });
    expect(first.code).toBe(3);
    const ingest = parseIngestJson(first);
    const second = parseIngestJson(await runDoccat(['ingest', inputs, '--json', '--config', config], { home, env }));
    expect(ingest.summary).toMatchObject({ total: 6, catalogued: 4, failed: 2 });
    expect(second.summary).toMatchObject({ total: 6, unchanged: 4, failed: 2 });

    // One correlation id per file: in the JSON output, on its log lines, in the provider call records.
    const files = ingest.files as { path: string; status: string; correlationId?: string }[];
    for (const file of files) expect(file.correlationId).toMatch(new RegExp(`^${ingest.runId}-[0-9a-z]+$`));
    expect(new Set(files.map((file) => file.correlationId)).size).toBe(6);
    const receipt = files.find((file) => file.path.endsWith('receipt.txt'));
    const logLines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { correlationId?: string; runId: string; msg: string });
    expect(logLines.filter((line) => line.runId !== ingest.runId)).toEqual([]);
    expect(logLines.filter((line) => line.correlationId === receipt?.correlationId).map((line) => line.msg)).toContain('file catalogued');
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    const callIds = db.prepare('SELECT correlation_id AS id FROM ai_calls').all() as { id: string }[];
    db.close();
    expect(callIds.map((row) => row.id).sort()).toEqual(files.filter((file) => file.status === 'catalogued').map((file) => file.correlationId).sort());

    const result = await runDoccat(['stats', '--json', '--config', config], { home, env });
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout) as Stats;
    expect(stats.documents.total).toBe(4);
    expect(stats.documents.byMethod.find((item) => item.key === 'ocr')?.count).toBe(1);
    // Unchanged files are skips, not work: they leave no event.
    expect(stats.files.total).toBe(8);
    expect(Object.fromEntries(stats.files.byStatus.map((item) => [item.key, item.count]))).toEqual({ catalogued: 4, failed: 4 });
    expect(stats.files.ocrPages).toBe(ingest.summary.ocrPages);
    expect(stats.files.ocrPages).toBe(1);
    expect(Object.fromEntries(stats.failures.map((item) => [item.key, item.count]))).toEqual({ E_EMPTY_FILE: 2, E_PDF_CORRUPT: 2 });
    expect(stats.throughput.runs).toBe(2);
    expect(stats.throughput.filesPerSecond).toBeGreaterThan(0);
    const stage = (name: string) => stats.stages.find((item) => item.stage === name);
    // Each catalogued file went through each stage once; the corrupt PDF failed in extraction on
    // both runs; the empty file failed before sniffing; only the scan was OCRed.
    for (const name of ['classify', 'store', 'commit']) expect(stage(name)?.count, name).toBe(4);
    expect(stage('extract')?.count).toBe(6);
    expect(stage('sniff')?.count).toBe(6);
    expect(stage('ocr')?.count).toBe(1);
    expect(stage('ocr')?.p50Ms).toBeGreaterThan(0);
    expect((stage('extract')?.p95Ms ?? 0) >= (stage('extract')?.p50Ms ?? 0)).toBe(true);
    const provider = stats.providers.find((item) => item.provider === 'gpt');
    expect(provider).toMatchObject({ calls: 4, ok: 4, errors: 0, successRate: 1 });
    expect(provider?.inputTokens).toBeGreaterThan(0);
    expect(provider?.costUsd).toBeCloseTo(((provider?.inputTokens ?? 0) * 1 + (provider?.outputTokens ?? 0) * 4) / 1_000_000, 9);
    expect(provider?.budget).toEqual({ dailyTokens: 1_000_000, usedToday: (provider?.inputTokens ?? 0) + (provider?.outputTokens ?? 0) });
    expect(provider?.keys).toEqual([expect.stringMatching(/^env:OPS_OPENAI_KEY#[0-9a-f]{6}$/)]);

    const later = JSON.parse((await runDoccat(['stats', '--json', '--since', '2999-01-01', '--config', config], { home, env })).stdout) as Stats;
    expect(later).toMatchObject({ documents: { total: 0 }, files: { total: 0 }, failures: [] });
    const table = await runDoccat(['stats', '--since', '1h', '--config', config], { home, env });
    expect(table.stdout).toMatch(/files\s+8: catalogued 4, failed 4/);
    expect(table.stdout).toMatch(/\| gpt\s+\| 4\s+\| 100\.0%/);
    const bad = await runDoccat(['stats', '--since', 'yesterday'], { home });
    expect(bad.code).toBe(2);

    // Records older than stats.keepDays go when the next ingest starts.
    const old = new Database(path.join(home, 'catalog.db'));
    old.prepare("UPDATE ingest_events SET at = '2020-01-01T00:00:00.000Z', started_at = '2020-01-01T00:00:00.000Z' WHERE status = 'failed'").run();
    old.close();
    await runDoccat(['ingest', tempDir('doccat-ops-none-'), '--quiet', '--config', config], { home, env: { ...env, DOCCAT_STATS_KEEP_DAYS: '30' } });
    const pruned = JSON.parse((await runDoccat(['stats', '--json', '--config', config], { home, env })).stdout) as Stats;
    expect(pruned.files.total).toBe(4);
    expect(pruned.failures).toEqual([]);
  });
});

describe('feature flags', () => {
  it('features.ai off: the local rules classify and no provider is asked', async () => {
    const home = tempDir();
    const config = writeConfig(home, { ai: { providers: [gpt()] } });
    const result = await runDoccat(['ingest', inputsFolder(), '--json', '--config', config], { home, env: { OPS_OPENAI_KEY: OPENAI_KEY, DOCCAT_FEATURES_AI: 'false' } });
    expect(parseIngestJson(result).summary.catalogued).toBe(3);
    expect(fake.count('openai')).toBe(0);
    const refused = await runDoccat(['reclassify', '--provider', 'gpt', '--config', config], { home, env: { OPS_OPENAI_KEY: OPENAI_KEY, DOCCAT_FEATURES_AI: 'false' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/E_FEATURE_DISABLED/);
  });

  it('features.ocr off: scans fail with a reason, text files are catalogued', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-ops-scans-');
    fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(inputs, 'letter.png'));
    fs.writeFileSync(path.join(inputs, 'note.txt'), 'A note about the garden.\n');
    const config = writeConfig(home, { features: { ocr: false } });
    const ingest = parseIngestJson(await runDoccat(['ingest', inputs, '--json', '--config', config], { home }));
    expect(ingest.files.find((file) => file.path.endsWith('letter.png'))?.error?.code).toBe('E_OCR_DISABLED');
    expect(ingest.files.find((file) => file.path.endsWith('note.txt'))?.status).toBe('catalogued');
  });

  it('features.redaction: personal data is masked in what providers receive and in logs; configured patterns always in logs', async () => {
    const home = tempDir();
    const inputs = inputsFolder();
    const logFile = path.join(home, 'run.log');
    const config = writeConfig(home, { features: { redaction: true }, redaction: { patterns: [String.raw`K-\d{6}`] }, ai: { providers: [gpt()] } });
    await runDoccat(['ingest', inputs, '--config', config, '--quiet', '--log-level', 'debug', '--log-file', logFile], { home, env: { OPS_OPENAI_KEY: OPENAI_KEY } });
    const prompts = fake.requests.map((request) => request.prompt).join('\n');
    expect(prompts).toContain('ACME Corporation');
    expect(prompts).not.toContain('billing@acme.example');
    expect(prompts).toContain('[EMAIL]');
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toContain('file catalogued');
    // The file name carries a customer number: the log keeps the line and masks the number.
    expect(log).not.toContain('K-123456');
    expect(log).toMatch(/invoice \[REDACTED\]\.txt/);

    const plainHome = tempDir();
    const plainLog = path.join(plainHome, 'run.log');
    const plainConfig = writeConfig(plainHome, { redaction: { patterns: [String.raw`K-\d{6}`] } });
    await runDoccat(['ingest', inputs, '--config', plainConfig, '--quiet', '--log-level', 'debug', '--log-file', plainLog], { home: plainHome });
    expect(fs.readFileSync(plainLog, 'utf8')).not.toContain('K-123456');
  });
});

describe('environments and secret references on the command line', () => {
  it('--env and DOCCAT_ENV pick an overlay; config show says where each value came from', async () => {
    const home = tempDir();
    const config = writeConfig(home, { ingest: { jobs: 2 }, environments: { production: { ingest: { jobs: 6 } }, ci: { features: { ai: false } } } });
    const show = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const result = await runDoccat(['config', 'show', '--json', '--config', config, ...args], { home, env });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { environment: string | null; settings: { path: string; value: unknown; source: string }[] };
    };
    const jobs = (report: Awaited<ReturnType<typeof show>>) => report.settings.find((setting) => setting.path === 'ingest.jobs');
    expect(jobs(await show([]))).toMatchObject({ value: 2, source: `file ${config}` });
    const production = await show(['--env', 'production']);
    expect(production.environment).toBe('production');
    expect(jobs(production)).toMatchObject({ value: 6, source: `file ${config} (environments.production)` });
    expect(jobs(await show([], { DOCCAT_ENV: 'production', DOCCAT_INGEST_JOBS: '9' }))).toMatchObject({ value: 9, source: 'env DOCCAT_INGEST_JOBS' });
    const unknown = await runDoccat(['config', 'show', '--config', config, '--env', 'prod'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_CONFIG_ENV_UNKNOWN .*known: production, ci/);
  });

  it('takes a provider key from a command (a password manager) and never shows it', async () => {
    const home = tempDir();
    fs.writeFileSync(path.join(home, 'vault'), `#!/bin/sh\necho "${OPENAI_KEY}"\n`, { mode: 0o755 });
    const config = writeConfig(home, { ai: { providers: [gpt({ apiKey: 'cmd:./vault' })] } });
    const check = await runDoccat(['config', 'check', '--json', '--config', config], { home });
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).references[0].keyId).toMatch(/^cmd:\.\/vault#[0-9a-f]{6}$/);
    const ingest = await runDoccat(['ingest', inputsFolder(), '--json', '--config', config], { home });
    expect(parseIngestJson(ingest).summary.catalogued).toBe(3);
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(`${check.stdout}${ingest.stdout}${ingest.stderr}`).not.toContain(OPENAI_KEY);
  });
});

describe('doccat init', () => {
  it('writes a config from flags with --yes, runs the health checks, and refuses to overwrite', async () => {
    const dir = tempDir();
    const result = await runDoccat(['init', '--yes', '--json', '--catalog', './catalogue', '--provider', 'openai=MY_OPENAI_KEY', '--ocr-languages', 'eng'], { cwd: dir, home: path.join(dir, 'home') });
    const file = path.join(dir, 'doccat.config.json');
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({ catalog: './catalogue', ocr: { languages: ['eng'] }, ai: { providers: [{ name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', apiKey: 'env:MY_OPENAI_KEY', priority: 1 }] } });
    // The key is not set yet: written, and health says so with exit 5.
    expect(result.code).toBe(5);
    const report = JSON.parse(result.stdout) as { file: string; healthy: boolean; checks: { check: string; status: string; detail: string }[] };
    expect(report.file).toBe(file);
    expect(report.checks.find((check) => check.check === 'provider gpt')).toMatchObject({ status: 'fail' });
    expect(report.checks.find((check) => check.check === 'ocr')?.status).toBe('ok');
    expect(report.checks.find((check) => check.check === 'disk')?.detail).toContain(path.join(dir, 'catalogue'));

    const again = await runDoccat(['init', '--yes'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/E_INIT_EXISTS/);
    const healthy = await runDoccat(['init', '--yes', '--force', '--storage', 'local', '--db', 'sqlite'], { cwd: dir, home: path.join(dir, 'home') });
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ ocr: { languages: ['eng'] } });

    // A relative catalogue given for a file written elsewhere still means the folder it named.
    const elsewhere = await runDoccat(['init', '--yes', '--no-health', '--catalog', './cat', '-o', 'conf/doccat.json'], { cwd: dir });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'conf', 'doccat.json'), 'utf8')).catalog).toBe(path.join(dir, 'cat'));
  });

  it('refuses to ask when stdin is not a terminal, and writes nothing', async () => {
    const dir = tempDir();
    const result = await runDoccat(['init'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_NOT_INTERACTIVE .*not a terminal/);
    expect(fs.existsSync(path.join(dir, 'doccat.config.json'))).toBe(false);
  });

  it('asks its questions in a terminal (driven through a pseudo-terminal)', async () => {
    const dir = tempDir();
    const output = path.join(dir, 'asked.json');
    // util-linux `script` gives the wizard a real pseudo-terminal; stty gives it a width.
    const command = `stty cols 120 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} init --no-health -o ${JSON.stringify(output)}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', DOCCAT_HOME: path.join(dir, 'home') } });
    // Text questions start filled in with their default: erase it, then type.
    const retype = (initial: string, text: string) => `${'\u007f'.repeat(initial.length)}${text}\r`;
    const answers: [string, string][] = [
      ['Where should the catalogue', '\r'],
      ['Which database', '\u001b[B\r'],
      ['Postgres URL', retype('env:DATABASE_URL', 'env:MY_DATABASE_URL')],
      ['original files', '\u001b[B\r'],
      ['Bucket name', 'scans-archive\r'],
      ['Region', '\r'],
      ['Endpoint URL', 'http://127.0.0.1:9000\r'],
      ['OCR languages', retype('eng', 'eng,deu')],
      ['AI providers', ' \u001b[B\u001b[B \r'],
      ['holding the Anthropic', '\r'],
      ['holding the Google Gemini', retype('GEMINI_API_KEY', 'MY_GEMINI')],
      ['and run the health checks', '\r'],
    ];
    let screen = '';
    const pending = [...answers];
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      const next = pending[0];
      if (next && screen.includes(next[0])) {
        pending.shift();
        screen = '';
        setTimeout(() => child.stdin.write(next[1]), 150);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(pending.map((answer) => answer[0])).toEqual([]);
    expect(code).toBe(0);
    expect(JSON.parse(fs.readFileSync(output, 'utf8'))).toEqual({
      database: { url: 'env:MY_DATABASE_URL' },
      storage: { backend: 's3', backends: { s3: { type: 's3', bucket: 'scans-archive', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true } } },
      ocr: { languages: ['eng', 'deu'] },
      ai: {
        providers: [
          { name: 'claude', type: 'anthropic', model: 'claude-haiku-5-5', apiKey: 'env:ANTHROPIC_API_KEY', priority: 1 },
          { name: 'gemini', type: 'gemini', model: 'gemini-3.5-flash-lite', apiKey: 'env:MY_GEMINI', priority: 2 },
        ],
      },
    });
  });
});
