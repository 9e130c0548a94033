import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../../../src/config/schema.js';
import { AiRecordRepository } from '../../../src/db/ai-records.js';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { startFakeProviders, type FakeProviders, type ProviderKind } from '../../support/fake-providers.mjs';
import { input, INVOICE, KEYS, makeService, providerConfig, type Harness } from './harness.js';

/**
 * The AI service with the real Anthropic, OpenAI and Gemini SDKs, pointed at local servers that
 * speak their wire formats, refuse what the real services refuse, and misbehave on request.
 */

let fake: FakeProviders;
let catalog: CatalogDatabase;
const harness: Harness = { get fake() { return fake; }, catalog: () => catalog, logLines: [] };

beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => {
  await catalog?.close();
  await fake.close();
});
// Whatever a test provokes, doccat itself must never send a request the real service would refuse.
afterEach(() => {
  expect(fake.rejections).toEqual([]);
});

const provider = (type: ProviderKind, overrides: Partial<ProviderConfig> = {}) => providerConfig(fake, type, overrides);
const service = (providers: Record<string, unknown>[], ai: Record<string, unknown> = {}, options: Parameters<typeof makeService>[3] = {}) => makeService(harness, providers, ai, options);
const calls = () => new AiRecordRepository(catalog.db).calls();

for (const dialect of DIALECTS) describe(`AI classification through the real SDKs (${dialect} catalogue)`, () => {
  beforeEach(async () => {
    fake.reset();
    await catalog?.close();
    catalog = await openTestCatalog(dialect);
    harness.logLines.length = 0;
  });

  it.each(['anthropic', 'openai', 'gemini'] as const)('classifies with %s using its structured-output mode', async (type) => {
    const result = await service([provider(type)]).classify(input(INVOICE));
    expect(result).toMatchObject({ type: 'invoice', classifier: type, correspondent: 'ACME Corporation', date: '2024-03-15', tags: ['finance'] });
    expect(result.fields).toMatchObject({ total: { amount: 196.35, currency: 'EUR' }, summary: 'A invoice.' });
    const [request] = fake.requests;
    if (type === 'anthropic') {
      expect(request?.body.tool_choice).toEqual({ type: 'tool', name: 'record_classification' });
      // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
      expect(request?.headers['x-api-key'] ?? request?.headers.authorization).toContain(KEYS.ANTHROPIC_API_KEY);
    } else if (type === 'openai') {
      expect(request?.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
      expect(request?.headers.authorization).toBe(`Bearer ${KEYS.OPENAI_API_KEY}`);
    } else {
      expect(request?.body.generationConfig).toMatchObject({ responseMimeType: 'application/json' });
      expect(request?.headers['x-goog-api-key']).toBe(KEYS.GEMINI_API_KEY);
    }
    expect(fake.requests).toHaveLength(1);
    const [call] = await calls();
    expect(call).toMatchObject({ provider: type, outcome: 'ok', correlation_id: 'run/doc.txt' });
    expect(call?.input_tokens).toBeGreaterThan(0);
    expect(call?.key_id).toMatch(/^env:[A-Z_]+#[0-9a-f]{6}$/);
  });

  it('falls back in priority order and records why the first was skipped', async () => {
    fake.setDefault('anthropic', { kind: 'status', status: 503 });
    const result = await service([provider('openai', { priority: 2 }), provider('anthropic', { priority: 1 })]).classify(input(INVOICE));
    expect(result.classifier).toBe('openai');
    expect(result.rule).toMatch(/skipped anthropic: server error \(HTTP 503\)/);
    expect(fake.count('anthropic')).toBe(3); // maxAttempts
    expect(fake.requests.findIndex((request) => request.provider === 'openai')).toBe(3);
  });

  it('honours retry-after before asking again', async () => {
    fake.queue('openai', { kind: 'status', status: 429, retryAfter: '1' });
    const result = await service([provider('openai')]).classify(input(INVOICE));
    expect(result.classifier).toBe('openai');
    const [first, second] = fake.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 529 overloaded and 500, and reads retry-after-ms', async () => {
    fake.queue('anthropic', { kind: 'status', status: 529 }, { kind: 'status', status: 500 });
    expect((await service([provider('anthropic')]).classify(input(INVOICE))).classifier).toBe('anthropic');
    expect(fake.count('anthropic')).toBe(3);
    fake.queue('openai', { kind: 'status', status: 429, retryAfterMs: '600' });
    expect((await service([provider('openai')]).classify(input(INVOICE))).classifier).toBe('openai');
    const [first, second] = fake.requests.filter((request) => request.provider === 'openai');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(580);
  });

  it('does not retry a missing model (404)', async () => {
    fake.setDefault('gemini', { kind: 'status', status: 404 });
    const result = await service([provider('gemini')]).classify(input(INVOICE));
    expect(fake.count('gemini')).toBe(1);
    expect(result.rule).toMatch(/gemini: request refused \(HTTP 404\)/);
  });

  it('gives up on a provider that asks for a longer pause than allowed', async () => {
    fake.queue('gemini', { kind: 'status', status: 429, retryAfter: '120' });
    const result = await service([provider('gemini'), provider('openai', { priority: 200 })]).classify(input(INVOICE));
    expect(result.classifier).toBe('openai');
    expect(fake.count('gemini')).toBe(1);
  });

  it('does not retry a refused key, names where the key comes from, and never the key', async () => {
    fake.setDefault('openai', { kind: 'status', status: 401 });
    const ai = service([provider('openai')]);
    const first = await ai.classify(input(INVOICE));
    const second = await ai.classify(input('Dear Sir, thank you.', 'letter.txt'));
    expect(fake.count('openai')).toBe(1);
    expect(first.classifier).toBe('local');
    expect(first.rule).toMatch(/the API key was refused \(HTTP 401\).*env:OPENAI_API_KEY/);
    expect(second.rule).toMatch(/openai: .*refused/);
    const everything = JSON.stringify([first, second, harness.logLines, await calls()]);
    for (const key of Object.values(KEYS)) expect(everything).not.toContain(key);
    expect(everything).not.toContain('sk-fake');
  });

  describe('several keys for one provider', () => {
    const ROTATING = { OPENAI_KEY_A: 'sk-proj-a-0123456789TESTSECRET', OPENAI_KEY_B: 'sk-proj-b-0123456789TESTSECRET' };
    const twoKeys = () => service([provider('openai', { apiKey: ['env:OPENAI_KEY_A', 'env:OPENAI_KEY_B'] })], {}, { env: ROTATING });
    const usedKeys = () => fake.requests.map((request) => (request.headers.authorization === `Bearer ${ROTATING.OPENAI_KEY_A}` ? 'A' : request.headers.authorization === `Bearer ${ROTATING.OPENAI_KEY_B}` ? 'B' : '?'));

    it('hands over to the next key when one is refused, and keeps using it', async () => {
      fake.queue('openai', { kind: 'status', status: 401 });
      const ai = twoKeys();
      expect((await ai.classify(input(INVOICE))).classifier).toBe('openai');
      expect((await ai.classify(input('Dear Sir, thank you.', 'letter.txt'))).classifier).toBe('openai');
      expect(usedKeys()).toEqual(['A', 'B', 'B']);
      const recorded = await calls();
      expect(recorded.map((call) => [call.key_id.replace(/#[0-9a-f]{6}$/, ''), call.outcome])).toEqual([
        ['env:OPENAI_KEY_A', 'error'],
        ['env:OPENAI_KEY_B', 'ok'],
        ['env:OPENAI_KEY_B', 'ok'],
      ]);
      const log = harness.logLines.join('');
      expect(log).toMatch(/"keyId":"env:OPENAI_KEY_A#[0-9a-f]{6}".*the next key takes over/);
      for (const key of Object.values(ROTATING)) expect(JSON.stringify([log, recorded])).not.toContain(key);
    });

    it('hands over at once on an exhausted quota or a rate limit, without waiting', async () => {
      fake.queue('openai', { kind: 'reply', name: 'insufficient_quota' });
      const ai = twoKeys();
      await ai.classify(input(INVOICE));
      expect(usedKeys()).toEqual(['A', 'B']);
      fake.reset();
      fake.queue('openai', { kind: 'status', status: 429, retryAfter: '20' });
      const started = Date.now();
      const fresh = twoKeys();
      expect((await fresh.classify(input('Receipt total 3.50', 'r.txt'))).classifier).toBe('openai');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(usedKeys()).toEqual(['A', 'B']);
    });

    it('gives up on the provider only when every key is refused', async () => {
      fake.setDefault('openai', { kind: 'status', status: 401 });
      const ai = twoKeys();
      const result = await ai.classify(input(INVOICE));
      expect(result.classifier).toBe('local');
      expect(usedKeys()).toEqual(['A', 'B']);
      await ai.classify(input('Dear Sir', 'letter.txt'));
      expect(fake.count('openai')).toBe(2);
    });
  });

  it('does not retry a bad request (400) but moves on', async () => {
    fake.setDefault('anthropic', { kind: 'status', status: 400 });
    const result = await service([provider('anthropic'), provider('gemini', { priority: 200 })]).classify(input(INVOICE));
    expect(fake.count('anthropic')).toBe(1);
    expect(result.classifier).toBe('gemini');
  });

  it('opens the circuit after failures in a row and closes it after a good probe', async () => {
    fake.setDefault('anthropic', { kind: 'status', status: 500 });
    const ai = service([provider('anthropic', { maxAttempts: 1, breaker: { failures: 2, cooldownMs: 400 } })]);
    await ai.classify(input('one'));
    await ai.classify(input('two'));
    const skipped = await ai.classify(input('three'));
    expect(fake.count('anthropic')).toBe(2);
    expect(skipped.rule).toMatch(/anthropic: circuit open/);
    fake.setDefault('anthropic', { kind: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await ai.classify(input(INVOICE));
    expect(probe.classifier).toBe('anthropic');
    expect((await ai.classify(input('Dear Madam, sincerely'))).classifier).toBe('anthropic');
    expect(fake.count('anthropic')).toBe(4);
  });

  it('times out a stalled call, retries, and records the timeout', async () => {
    // The answer after the retry must come within the timeout too: 1.5 s, so a loaded machine's
    // slow round trip is not taken for a stall.
    fake.queue('gemini', { kind: 'stall', ms: 10_000 });
    const result = await service([provider('gemini', { timeoutMs: 1500 })]).classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    expect(fake.count('gemini')).toBe(2);
    expect((await calls()).map((call) => call.error_code)).toEqual(['E_PROVIDER_TIMEOUT', null]);
  });

  it('retries after a reset connection and after a body that is not JSON', async () => {
    fake.queue('openai', { kind: 'reset' }, { kind: 'garbage' });
    const result = await service([provider('openai')]).classify(input(INVOICE));
    expect(result.classifier).toBe('openai');
    expect(fake.count('openai')).toBe(3);
  });

  it('reads JSON inside code fences and prose', async () => {
    fake.queue('openai', { kind: 'answer-text', text: `Here you go:\n\`\`\`json\n${JSON.stringify({ type: 'receipt', title: 'Coffee', tags: [], date: null, correspondent: null, language: 'en', summary: null, confidence: 0.7, total: null, currency: null, invoiceNumber: null, dueDate: null })}\n\`\`\`\nAnything else?` });
    const result = await service([provider('openai')]).classify(input('Receipt for a coffee'));
    expect(result).toMatchObject({ type: 'receipt', title: 'Coffee', classifier: 'openai' });
  });

  it('asks once more when the answer breaks the schema, then moves on if it breaks it again', async () => {
    fake.queue('anthropic', { kind: 'answer-text', text: '{"type": "invoice", "confidence": "very"}' });
    const repaired = await service([provider('anthropic')]).classify(input(INVOICE));
    expect(repaired.classifier).toBe('anthropic');
    expect(fake.requests[1]?.prompt).toContain('could not be used');
    fake.reset();
    fake.setDefault('anthropic', { kind: 'answer-text', text: 'I cannot classify this.' });
    const fallback = await service([provider('anthropic'), provider('gemini', { priority: 200 })]).classify(input(`${INVOICE}\nsecond copy`));
    expect(fake.count('anthropic')).toBe(2);
    expect(fallback.classifier).toBe('gemini');
    expect(fallback.rule).toMatch(/answer invalid twice/);
  });

  it('maps types and tags outside the taxonomy to the nearest allowed value or drops them', async () => {
    const answer = { type: 'Invoices', title: 'X', tags: ['Finances', 'vacation'], date: '2024-02-30', correspondent: 'acme corporation', language: 'EN', summary: null, confidence: 0.8, total: null, currency: null, invoiceNumber: null, dueDate: null };
    fake.queue('openai', { kind: 'ok', answer });
    const strict = await service([provider('openai')]).classify(input(INVOICE));
    expect(strict).toMatchObject({ type: 'invoice', tags: ['finance'], correspondent: 'ACME Corporation', language: 'en' });
    expect(strict.date).not.toBe('2024-02-30');
    fake.queue('openai', { kind: 'ok', answer: { ...answer, type: 'horoscope' } });
    const open = await service([provider('openai')], { allowNewTags: true }).classify(input(`${INVOICE} again`));
    expect(open.type).toBe('other');
    expect(open.tags).toEqual(['finance', 'vacation']);
  });

  it('spaces requests by the rate limit', async () => {
    const ai = service([provider('gemini', { rpm: 120 })]);
    await Promise.all(['a', 'b', 'c', 'd'].map((word) => ai.classify(input(`document ${word}`))));
    const times = fake.requests.map((request) => request.at).sort((a, b) => a - b);
    // 120 per minute is one every 500 ms after an initial allowance of two. The allowance refills
    // from the moment the service is made, which on a loaded machine is a while before the first
    // request: at least one full interval must still lie between the first and the fourth.
    expect((times[3] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it('skips a provider whose daily token budget is spent', async () => {
    // Each call is estimated at about 1250 tokens and uses about 1100: the second would overrun.
    const ai = service([provider('openai', { dailyTokenBudget: 1500 })], { maxOutputTokens: 100 });
    const first = await ai.classify(input(`${INVOICE}\n${'first document '.repeat(200)}`));
    const second = await ai.classify(input(`Dear Sir, sincerely yours\n${'second document '.repeat(190)}`));
    expect(first.classifier).toBe('openai');
    expect(second.classifier).toBe('local');
    expect(second.rule).toMatch(/daily token budget spent/);
    expect(fake.count('openai')).toBe(1);
    // A later run reads today's use from the catalogue.
    const later = service([provider('openai', { dailyTokenBudget: 1500 })], { maxOutputTokens: 100 });
    expect((await later.classify(input(`Receipt\n${'third document '.repeat(190)}`))).classifier).toBe('local');
    expect(fake.count('openai')).toBe(1);
  });

  it('answers from the cache with zero calls, unless forced', async () => {
    await service([provider('anthropic')]).classify(input(INVOICE));
    const again = await service([provider('anthropic')]).classify(input(INVOICE));
    expect(fake.count('anthropic')).toBe(1);
    expect(again.rule).toMatch(/cached/);
    await service([provider('anthropic')], {}, { force: true }).classify(input(INVOICE));
    expect(fake.count('anthropic')).toBe(2);
  });

  it('makes identical requests in flight once', async () => {
    fake.setDefault('openai', { kind: 'stall', ms: 200 });
    const ai = service([provider('openai')]);
    const results = await Promise.all([ai.classify(input(INVOICE)), ai.classify(input(INVOICE)), ai.classify(input(INVOICE))]);
    expect(fake.count('openai')).toBe(1);
    expect(new Set(results.map((result) => result.classifier))).toEqual(new Set(['openai']));
  });

  it('masks personal data before sending when redaction is on', async () => {
    const text = `${INVOICE}\nContact: jane.doe@example.com, +49 30 1234567\nIBAN DE89 3704 0044 0532 0130 00\nCard 4111 1111 1111 1111\nCustomer no. K-778899`;
    await service([provider('openai')], {}, { redaction: { enabled: true, patterns: ['K-\\d+'] } }).classify(input(text));
    const sent = fake.requests[0]?.prompt ?? '';
    for (const secret of ['jane.doe@example.com', '1234567', 'DE89 3704', '4111 1111', 'K-778899']) expect(sent).not.toContain(secret);
    expect(sent).toContain('[EMAIL]');
    expect(sent).toContain('[IBAN]');
    expect(sent).toContain('[CARD]');
    expect(sent).toContain('[PHONE]');
    expect(sent).toContain('[REDACTED]');
    expect(sent).toContain('196.35');
  });

  it('cuts long text to the budget, keeping the first and last pages', async () => {
    const pages = Array.from({ length: 30 }, (_, index) => `Page ${index + 1} ${'lorem ipsum '.repeat(200)}`);
    await service([provider('gemini')], { maxInputTokens: 2000 }).classify(input(pages.join('\n\f\n')));
    const sent = fake.requests[0]?.prompt ?? '';
    expect(sent).toContain('Page 1 ');
    expect(sent).toContain('Page 30 ');
    expect(sent).not.toContain('Page 15 ');
    expect(sent.length).toBeLessThan(2000 * 3.5 + 2000);
  });

  it('rotates providers round-robin and picks the cheapest', async () => {
    const robin = service([provider('openai'), provider('gemini')], { strategy: 'round-robin' });
    const served = [];
    for (const word of ['a', 'b', 'c', 'd']) served.push((await robin.classify(input(`text ${word}`))).classifier);
    expect(served).toEqual(['openai', 'gemini', 'openai', 'gemini']);
    fake.reset();
    const cheap = service([provider('openai', { price: { inputPerMTok: 2.5, outputPerMTok: 10 } }), provider('gemini', { price: { inputPerMTok: 0.3, outputPerMTok: 2.5 } })], { strategy: 'cheapest' });
    expect((await cheap.classify(input('cheap text'))).classifier).toBe('gemini');
  });

  it('sends most documents to the heavier weight', async () => {
    const weighted = service([provider('openai', { weight: 1 }), provider('gemini', { weight: 1_000_000 })], { strategy: 'weighted' });
    for (const word of ['a', 'b', 'c', 'd', 'e']) await weighted.classify(input(`weighted ${word}`));
    expect(fake.count('gemini')).toBe(5);
  });

  it('skips a provider without a key and says which variable to set', async () => {
    const result = await service([provider('anthropic')], {}, { env: {} }).classify(input(INVOICE));
    expect(result.classifier).toBe('local');
    expect(result.rule).toMatch(/no API key: set the environment variable ANTHROPIC_API_KEY/);
    expect(fake.requests).toHaveLength(0);
  });

  it('asks only the named provider when told to', async () => {
    const result = await service([provider('openai'), provider('gemini')], {}, { onlyProvider: 'gemini' }).classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    expect(fake.count('openai')).toBe(0);
  });

  it('classifies every document locally when every provider fails', async () => {
    for (const type of ['anthropic', 'openai', 'gemini'] as const) fake.setDefault(type, { kind: 'status', status: 503 });
    const ai = service([provider('anthropic', { maxAttempts: 2 }), provider('openai', { maxAttempts: 2 }), provider('gemini', { maxAttempts: 2 })]);
    const result = await ai.classify(input(INVOICE));
    expect(result).toMatchObject({ classifier: 'local', type: 'invoice' });
    expect(result.rule).toMatch(/AI skipped: anthropic: .*openai: .*gemini: /);
  });
});
