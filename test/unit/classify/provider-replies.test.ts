import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../../../src/config/schema.js';
import { AiRecordRepository } from '../../../src/db/ai-records.js';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { openTestCatalog } from '../../support/catalogs.js';
import { startFakeProviders, type FakeProviders, type ProviderKind } from '../../support/fake-providers.mjs';
import { input, INVOICE, makeService, providerConfig, type Harness } from './harness.js';

/**
 * The services' real answers in their edge cases, as a new user with real keys meets them:
 * billing and spend limits, Gemini's rate limits and quotas, thinking that eats the answer,
 * refusals, safety blocks and answers cut off by the output limit.
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
beforeEach(async () => {
  fake.reset();
  await catalog?.close();
  catalog = await openTestCatalog('sqlite');
  harness.logLines.length = 0;
});
afterEach(() => {
  expect(fake.rejections).toEqual([]);
});

const provider = (type: ProviderKind, overrides: Partial<ProviderConfig> = {}) => providerConfig(fake, type, overrides);
const service = (providers: Record<string, unknown>[], ai: Record<string, unknown> = {}, options: Parameters<typeof makeService>[3] = {}) => makeService(harness, providers, ai, options);
const calls = () => new AiRecordRepository(catalog.db).calls();
const documents = ['INVOICE 1\nTotal due: 10.00 EUR', 'INVOICE 2\nTotal due: 20.00 EUR', 'INVOICE 3\nTotal due: 30.00 EUR'];
const classifyAll = async (ai: ReturnType<typeof service>) => {
  const results = [];
  for (const [index, text] of documents.entries()) results.push(await ai.classify(input(text, `doc-${index}.txt`)));
  return results;
};

describe('billing and spend limits end a key for the run, at once', () => {
  it.each(['insufficient_quota', 'credit_balance_exhausted', 'organization_usage_limit_exceeded', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded'] as const)('OpenAI %s: asked once, then the next provider', async (code) => {
    fake.setDefault('openai', { kind: 'reply', name: code });
    const results = await classifyAll(service([provider('openai', { maxAttempts: 4 }), provider('gemini', { priority: 200 })]));
    expect(fake.count('openai')).toBe(1);
    expect(results.map((result) => result.classifier)).toEqual(['gemini', 'gemini', 'gemini']);
    expect(results[0]?.rule).toMatch(/openai: quota exhausted/);
    expect(results[2]?.rule).toMatch(/skipped openai: .*quota exhausted/);
  });

  it.each(['enforced_spend_limit_reached', 'contract_spend_limit_reached', 'billing'] as const)('Anthropic %s: asked once, then the next provider', async (name) => {
    fake.setDefault('anthropic', { kind: 'reply', name });
    const results = await classifyAll(service([provider('anthropic', { maxAttempts: 4 }), provider('gemini', { priority: 200 })]));
    expect(fake.count('anthropic')).toBe(1);
    expect(results.map((result) => result.classifier)).toEqual(['gemini', 'gemini', 'gemini']);
    expect(results[0]?.rule).toMatch(/anthropic: quota exhausted/);
  });

  it('hands an Anthropic spend limit over to the next key at once', async () => {
    const env = { CLAUDE_A: 'sk-ant-a-0123456789TESTSECRET', CLAUDE_B: 'sk-ant-b-0123456789TESTSECRET' };
    fake.queue('anthropic', { kind: 'reply', name: 'enforced_spend_limit_reached' });
    const result = await service([provider('anthropic', { apiKey: ['env:CLAUDE_A', 'env:CLAUDE_B'] })], {}, { env }).classify(input(INVOICE));
    expect(result.classifier).toBe('anthropic');
    expect(fake.requests.map((request) => String(request.headers.authorization ?? request.headers['x-api-key']).slice(-20))).toEqual([env.CLAUDE_A.slice(-20), env.CLAUDE_B.slice(-20)]);
  });

  it('still waits out an Anthropic ramp limit, which passes', async () => {
    fake.queue('anthropic', { kind: 'reply', name: 'ramp_limit_exceeded', retryAfter: 1 });
    const result = await service([provider('anthropic')]).classify(input(INVOICE));
    expect(result.classifier).toBe('anthropic');
    const [first, second] = fake.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });
});

describe('Gemini 429s, read from the body', () => {
  it('retries a bare "Resource has been exhausted" after its RetryInfo delay, keeping the key', async () => {
    fake.queue('gemini', { kind: 'reply', name: 'rate-limit', retryAfter: 1 });
    const ai = service([provider('gemini'), provider('openai', { priority: 200 })]);
    const result = await ai.classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    const [first, second] = fake.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((await ai.classify(input('Dear Sir, sincerely', 'letter.txt'))).classifier).toBe('gemini');
  });

  it('retries a per-minute quota after its delay', async () => {
    fake.queue('gemini', { kind: 'reply', name: 'quota-per-minute', retryAfter: 1 });
    const result = await service([provider('gemini'), provider('openai', { priority: 200 })]).classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    expect(fake.count('gemini')).toBe(2);
  });

  it.each(['quota-per-day', 'quota-zero', 'billing-required'] as const)('ends the key for the run on %s', async (name) => {
    fake.setDefault('gemini', { kind: 'reply', name });
    const results = await classifyAll(service([provider('gemini', { maxAttempts: 4 }), provider('openai', { priority: 200 })]));
    expect(fake.count('gemini')).toBe(1);
    expect(results.map((result) => result.classifier)).toEqual(['openai', 'openai', 'openai']);
    expect(results[0]?.rule).toMatch(/gemini: quota exhausted/);
  });

  it('reads a refused key (400 API_KEY_INVALID) as a refused key and lets the next key take over', async () => {
    const env = { GEMINI_A: 'AIza-a-0123456789TESTSECRET', GEMINI_B: 'AIza-b-0123456789TESTSECRET' };
    fake.setKeys('gemini', [env.GEMINI_B]);
    const ai = service([provider('gemini', { apiKey: ['env:GEMINI_A', 'env:GEMINI_B'] })], {}, { env });
    expect((await ai.classify(input(INVOICE))).classifier).toBe('gemini');
    expect(fake.rejections.map((rejection) => rejection.status)).toEqual([400]);
    expect(fake.requests.map((request) => request.headers['x-goog-api-key'])).toEqual([env.GEMINI_B]);
    expect(harness.logLines.join('')).toMatch(/"keyId":"env:GEMINI_A#[0-9a-f]{6}".*the next key takes over/);
    fake.rejections.length = 0;
  });
});

describe('thinking and reasoning leave room for the answer', () => {
  it.each([
    ['gemini-2.5-flash', { thinkingBudget: 0 }],
    ['gemini-2.5-pro', { thinkingBudget: 512 }],
    ['gemini-3.5-flash-lite', { thinkingLevel: 'MINIMAL' }],
    ['gemini-3.1-pro-preview', { thinkingLevel: 'LOW' }],
  ] as const)('asks %s for as little thinking as it allows', async (model, thinkingConfig) => {
    const result = await service([provider('gemini', { model })]).classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    const config = fake.requests[0]?.body.generationConfig as { thinkingConfig: unknown; maxOutputTokens: number };
    expect(config.thinkingConfig).toEqual(thinkingConfig);
    expect(fake.requests).toHaveLength(1);
  });

  it('raises the output limit by the thinking budget where thinking cannot be switched off, and counts the thoughts', async () => {
    await service([provider('gemini', { model: 'gemini-2.5-pro', price: { inputPerMTok: 1, outputPerMTok: 10 } })]).classify(input(INVOICE));
    const config = fake.requests[0]?.body.generationConfig as { maxOutputTokens: number };
    expect(config.maxOutputTokens).toBe(800 + 512);
    const [call] = await calls();
    // 512 thoughts are billed as output: tokens, budget and cost include them.
    expect(call?.output_tokens).toBeGreaterThanOrEqual(512 + 50);
    expect(call?.cost_usd).toBeCloseTo(((call?.input_tokens ?? 0) * 1 + (call?.output_tokens ?? 0) * 10) / 1_000_000, 10);
    expect(await new AiRecordRepository(catalog.db).tokensUsedSince('gemini', '2000-01-01')).toBe((call?.input_tokens ?? 0) + (call?.output_tokens ?? 0));
  });

  it('asks OpenAI reasoning models for low effort and limits them by max_completion_tokens', async () => {
    const result = await service([provider('openai')]).classify(input(INVOICE));
    expect(result.classifier).toBe('openai');
    const body = fake.requests[0]?.body ?? {};
    expect(body.reasoning_effort).toBe('low');
    expect(body.max_tokens).toBeUndefined();
    expect(body.max_completion_tokens).toBeGreaterThan(800);
    const [call] = await calls();
    expect(call?.output_tokens).toBeGreaterThanOrEqual(120);
  });

  it('switches Anthropic thinking off, since a forced tool cannot be used while thinking', async () => {
    const result = await service([provider('anthropic')]).classify(input(INVOICE));
    expect(result.classifier).toBe('anthropic');
    expect(fake.requests[0]?.body.thinking).toEqual({ type: 'disabled' });
  });

  it('asks once more with a larger budget when thoughts took every output token, and records both calls', async () => {
    fake.queue('gemini', { kind: 'reply', name: 'max-tokens' });
    const result = await service([provider('gemini')]).classify(input(INVOICE));
    expect(result.classifier).toBe('gemini');
    const limits = fake.requests.map((request) => (request.body.generationConfig as { maxOutputTokens: number }).maxOutputTokens);
    expect(limits).toHaveLength(2);
    expect(limits[1]).toBeGreaterThan(limits[0] as number);
    const recorded = await calls();
    expect(recorded.map((call) => [call.outcome, call.error_code])).toEqual([['error', 'E_PROVIDER_TRUNCATED'], ['ok', null]]);
    expect(recorded[0]?.output_tokens).toBeGreaterThan(0);
  });

  it('moves on when the answer is cut off again', async () => {
    fake.setDefault('gemini', { kind: 'reply', name: 'max-tokens' });
    const result = await service([provider('gemini', { maxAttempts: 4 }), provider('openai', { priority: 200 })]).classify(input(INVOICE));
    expect(fake.count('gemini')).toBe(2);
    expect(result.classifier).toBe('openai');
    expect(result.rule).toMatch(/skipped gemini: .*cut off/);
  });

  it.each([
    ['openai', 'length'],
    ['anthropic', 'max-tokens'],
  ] as const)('asks %s once more with a larger budget after "%s"', async (type, name) => {
    fake.queue(type, { kind: 'reply', name });
    const result = await service([provider(type)]).classify(input(INVOICE));
    expect(result.classifier).toBe(type);
    const limit = (request: (typeof fake.requests)[number] | undefined) => Number(request?.body.max_completion_tokens ?? request?.body.max_tokens);
    expect(fake.requests).toHaveLength(2);
    expect(limit(fake.requests[1])).toBeGreaterThan(limit(fake.requests[0]));
    expect(fake.requests[1]?.prompt).not.toContain('could not be used');
    expect((await calls()).map((call) => call.error_code)).toEqual(['E_PROVIDER_TRUNCATED', null]);
  });
});

describe('refusals and safety blocks fall through to the next classifier, recorded', () => {
  it.each([
    ['openai', 'refusal', /openai: the model refused/],
    ['openai', 'content-filter', /openai: .*content filter/],
    ['anthropic', 'refusal', /anthropic: the model refused/],
    ['gemini', 'safety', /gemini: .*blocked.*SAFETY/],
    ['gemini', 'blocked', /gemini: .*prompt was blocked.*PROHIBITED_CONTENT/],
  ] as const)('%s %s', async (type, name, said) => {
    fake.setDefault(type, { kind: 'reply', name });
    const next = type === 'openai' ? 'gemini' : 'openai';
    const result = await service([provider(type, { maxAttempts: 4 }), provider(next, { priority: 200 })]).classify(input(INVOICE));
    expect(result.classifier).toBe(next);
    expect(result.rule).toMatch(said);
    expect(fake.count(type)).toBe(1);
    const [call] = await calls();
    expect(call).toMatchObject({ provider: type, outcome: 'error', error_code: 'E_PROVIDER_REFUSED' });
    expect(call?.input_tokens).toBeGreaterThan(0);
  });

  it('classifies locally when the only provider refuses', async () => {
    fake.setDefault('anthropic', { kind: 'reply', name: 'refusal' });
    const result = await service([provider('anthropic')]).classify(input(INVOICE));
    expect(result).toMatchObject({ classifier: 'local', type: 'invoice' });
    expect(result.rule).toMatch(/AI skipped: anthropic: the model refused \(general_harms\)/);
  });
});
