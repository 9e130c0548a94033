import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';

/** `doccat ingest` and `doccat reclassify` with AI providers configured, through the real binary. */

const KEYS = { OPENAI_API_KEY: 'sk-proj-e2e-TESTSECRET-0123456789', GEMINI_API_KEY: 'AIza-e2e-TESTSECRET-0123456789' };

interface ShownDocument {
  id: number;
  type: string;
  title: string;
  classification: { classifier: string; rule: string };
  manualFields: string[];
}

interface ReclassifyJson {
  total: number;
  changed: number;
  documents: { id: number; classifier: string; changes: { field: string; old: string | null; new: string | null }[]; keptManual: string[] }[];
}

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

function setup(): { home: string; inputs: string; config: string; logFile: string } {
  const home = tempDir();
  const inputs = tempDir('doccat-ai-inputs-');
  fs.writeFileSync(path.join(inputs, 'invoice.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\n');
  fs.writeFileSync(path.join(inputs, 'letter.txt'), 'Dear Ms Berg,\nthank you for your letter.\nSincerely,\nTom\n');
  fs.writeFileSync(path.join(inputs, 'receipt.txt'), 'RECEIPT\nAmount paid: 4.20\nThank you for your purchase\n');
  fs.copyFileSync(path.join(FIXTURES, 'mail', 'meeting.eml'), path.join(inputs, 'meeting.eml'));
  const config = path.join(home, 'doccat.config.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      ai: {
        retryBaseDelayMs: 10,
        providers: [
          { name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:OPENAI_API_KEY', maxAttempts: 2, priority: 1 },
          { name: 'gemini', type: 'gemini', model: 'gemini-3.5-flash-lite', baseURL: fake.url, maxAttempts: 2, priority: 2 },
        ],
      },
    }),
  );
  return { home, inputs, config, logFile: path.join(home, 'doccat.log') };
}

const show = async (home: string, config: string, id: number) => (JSON.parse((await runDoccat(['show', String(id), '--json', '--config', config], { home })).stdout) as { document: ShownDocument }).document;

describe('classifying with AI providers', () => {
  it('classifies on ingest, answers reclassify from the cache, and keeps hand-set fields', async () => {
    const { home, inputs, config } = setup();
    const ingest = await runDoccat(['ingest', inputs, '--json', '--config', config], { home, env: KEYS });
    expect(ingest.code, ingest.stderr).toBe(0);
    const files = parseIngestJson(ingest).files;
    const invoice = files.find((file) => file.path.endsWith('invoice.txt'))?.documentId as number;
    expect(await show(home, config, invoice)).toMatchObject({ type: 'invoice', title: 'AI invoice title', classification: { classifier: 'gpt' } });
    // Four files, and the e-mail's attachment as a document of its own.
    expect(fake.count('openai')).toBe(5);

    const cached = await runDoccat(['reclassify', '--dry-run', '--json', '--config', config], { home, env: KEYS });
    expect(cached.code, cached.stderr).toBe(0);
    expect((JSON.parse(cached.stdout) as ReclassifyJson).changed).toBe(0);
    expect(fake.count('openai')).toBe(5);

    expect((await runDoccat(['set', String(invoice), '--type', 'receipt', '--config', config], { home })).code).toBe(0);
    fake.setDefault('gemini', { kind: 'ok', answer: { type: 'letter', title: 'Everything is a letter', tags: [], date: null, correspondent: null, language: 'en', summary: null, confidence: 0.6, total: null, currency: null, invoiceNumber: null, dueDate: null } });
    const forced = await runDoccat(['reclassify', '--provider', 'gemini', '--force', '--json', '--config', config], { home, env: KEYS });
    expect(forced.code, forced.stderr).toBe(0);
    const report = JSON.parse(forced.stdout) as ReclassifyJson;
    expect(report.total).toBe(5);
    expect(fake.count('gemini')).toBe(5);
    const forInvoice = report.documents.find((document) => document.id === invoice);
    expect(forInvoice?.keptManual).toContain('type');
    expect(forInvoice?.changes.map((change) => change.field)).toContain('title');
    expect(forInvoice?.changes.map((change) => change.field)).not.toContain('type');
    const shown = await show(home, config, invoice);
    expect(shown).toMatchObject({ type: 'receipt', title: 'Everything is a letter', classification: { classifier: 'gemini' } });

    const table = await runDoccat(['reclassify', 'type:letter', '--provider', 'gemini', '--dry-run', '--config', config], { home, env: KEYS });
    expect(table.code).toBe(0);
    expect(table.stderr).toMatch(/documents: 0 would change/);
  });

  it('classifies every document locally and exits 0 when every provider fails', async () => {
    const { home, inputs, config } = setup();
    fake.setDefault('openai', { kind: 'status', status: 503 });
    fake.setDefault('gemini', { kind: 'status', status: 429, retryAfter: '0' });
    const ingest = await runDoccat(['ingest', inputs, '--json', '--config', config], { home, env: KEYS });
    expect(ingest.code, ingest.stderr).toBe(0);
    const files = parseIngestJson(ingest).files;
    expect(files.every((file) => file.status === 'catalogued')).toBe(true);
    for (const file of files) {
      const shown = await show(home, config, file.documentId as number);
      expect(shown.classification.classifier).toBe('local');
      // Once five calls in a row have failed, the breaker skips gpt without calling it.
      expect(shown.classification.rule).toMatch(/AI skipped: gpt: .*(HTTP 503|circuit open).*gemini: .*HTTP 429/);
    }
    expect(files.find((file) => file.path.endsWith('invoice.txt'))?.type).toBe('invoice');
  });

  it('never writes an API key to stdout, stderr, the log or the catalogue', async () => {
    const { home, inputs, config, logFile } = setup();
    fake.queue('openai', { kind: 'status', status: 401 });
    fake.queue('gemini', { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const runs = [
      await runDoccat(['ingest', inputs, '--json', '--config', config, '--log-level', 'trace', '--log-file', logFile], { home, env: KEYS }),
      await runDoccat(['reclassify', '--force', '--ndjson', '--config', config, '--log-level', 'trace'], { home, env: KEYS }),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/provider gave no usable answer/);
    const written = [...runs.flatMap((run) => [run.stdout, run.stderr]), fs.readFileSync(logFile, 'utf8'), fs.readFileSync(path.join(home, 'catalog.db')).toString('latin1')].join('\n');
    for (const key of Object.values(KEYS)) expect(written).not.toContain(key);
    expect(written).not.toContain('SECRET');
    expect(written).toMatch(/env:OPENAI_API_KEY/);
  });

  it("sends each SDK's official-endpoint request, pointed at the fakes only by the SDKs' own base-URL variables", async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-ai-official-');
    fs.writeFileSync(path.join(inputs, 'invoice.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\n');
    const config = path.join(home, 'doccat.config.json');
    // No baseURL: doccat talks to api.openai.com, api.anthropic.com and generativelanguage.googleapis.com as far as it knows.
    fs.writeFileSync(config, JSON.stringify({ ai: { retryBaseDelayMs: 10, providers: [
      { name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', priority: 1 },
      { name: 'claude', type: 'anthropic', model: 'claude-haiku-5-5', priority: 2 },
      { name: 'gemini', type: 'gemini', model: 'gemini-3.5-flash-lite', priority: 3 },
    ] } }));
    const env = { ...fake.officialEndpointEnv(), OPENAI_API_KEY: 'sk-proj-official-TESTSECRET', ANTHROPIC_API_KEY: 'sk-ant-official-TESTSECRET', GEMINI_API_KEY: 'AIza-official-TESTSECRET' };
    expect((await runDoccat(['ingest', inputs, '--quiet', '--config', config], { home, env })).code).toBe(0);
    for (const name of ['claude', 'gemini']) {
      const run = await runDoccat(['reclassify', '--provider', name, '--force', '--json', '--config', config], { home, env });
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as ReclassifyJson).documents.map((document) => document.classifier)).toEqual([name]);
    }
    const [openai, anthropic, gemini] = (['openai', 'anthropic', 'gemini'] as const).map((provider) => fake.requests.find((request) => request.provider === provider));
    expect(openai).toMatchObject({ path: '/v1/chat/completions', headers: { authorization: `Bearer ${env.OPENAI_API_KEY}` } });
    expect(openai?.body).toMatchObject({ model: 'gpt-5.6-luna', reasoning_effort: 'low', response_format: { type: 'json_schema', json_schema: { name: 'record_classification', strict: true } } });
    expect(openai?.body.max_completion_tokens).toBeGreaterThan(0);
    expect(openai?.body).not.toHaveProperty('max_tokens');
    expect(anthropic).toMatchObject({ path: '/v1/messages', headers: { authorization: `Bearer ${env.ANTHROPIC_API_KEY}`, 'anthropic-version': expect.any(String) } });
    expect(anthropic?.body).toMatchObject({ model: 'claude-haiku-5-5', max_tokens: 800, thinking: { type: 'disabled' }, tool_choice: { type: 'tool', name: 'record_classification' } });
    expect(gemini).toMatchObject({ path: '/v1beta/models/gemini-3.5-flash-lite:generateContent', headers: { 'x-goog-api-key': env.GEMINI_API_KEY } });
    expect(gemini?.body.generationConfig).toMatchObject({ responseMimeType: 'application/json', thinkingConfig: { thinkingLevel: 'MINIMAL' } });
  });

  it('refuses an unknown --provider with a usage error', async () => {
    const { home, inputs, config } = setup();
    await runDoccat(['ingest', inputs, '--config', config, '--quiet'], { home, env: KEYS });
    const result = await runDoccat(['reclassify', '--provider', 'nope', '--config', config], { home, env: KEYS });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_PROVIDER_UNKNOWN[\s\S]*configured: gpt, gemini/);
  });
});
