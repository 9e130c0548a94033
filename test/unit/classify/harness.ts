import { Writable } from 'node:stream';
import { pino } from 'pino';
import { classificationRecords } from '../../../src/app/classifier.js';
import { LocalClassifier } from '../../../src/classify/providers/local.js';
import { AiClassificationService } from '../../../src/classify/service.js';
import { resolveAllProviderKeys } from '../../../src/config/provider-keys.js';
import { configSchema, type ProviderConfig } from '../../../src/config/schema.js';
import { secretLookup } from '../../../src/config/secrets.js';
import { AiRecordRepository } from '../../../src/db/ai-records.js';
import type { CatalogDatabase } from '../../../src/db/database.js';
import type { FakeProviders, ProviderKind } from '../../support/fake-providers.mjs';

/** The AI service wired as the CLI wires it, against the fake providers and a test catalogue. */

export const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-test-0123456789abcdefTESTSECRET', OPENAI_API_KEY: 'sk-proj-test-0123456789abcdefTESTSECRET', GEMINI_API_KEY: 'AIzaTest0123456789abcdefTESTSECRET' };
export const INVOICE = 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\nPayment terms: 14 days';

/** The models doccat proposes by default; tests use them unless a test is about another one. */
export const MODELS: Record<ProviderKind, string> = { anthropic: 'claude-haiku-5-5', openai: 'gpt-5.6-luna', gemini: 'gemini-3.5-flash-lite' };

export interface Harness {
  fake: FakeProviders;
  catalog: () => CatalogDatabase;
  logLines: string[];
}

export function providerConfig(fake: FakeProviders, type: ProviderKind, overrides: Partial<ProviderConfig> = {}): Record<string, unknown> {
  const baseURL = type === 'openai' ? `${fake.url}/v1` : fake.url;
  // A generous timeout: on a loaded machine the first call of an SDK can take seconds; tests of
  // timeouts set their own.
  return { name: type, type, model: MODELS[type], baseURL, timeoutMs: 15_000, maxAttempts: 3, ...overrides };
}

export function makeService(
  harness: Harness,
  providers: Record<string, unknown>[],
  ai: Record<string, unknown> = {},
  options: { env?: NodeJS.ProcessEnv; force?: boolean; onlyProvider?: string; redaction?: { enabled: boolean; patterns: string[] } } = {},
): AiClassificationService {
  const config = configSchema.parse({ ai: { providers, retryBaseDelayMs: 20, ...ai } });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      harness.logLines.push(chunk.toString());
      done();
    },
  });
  return new AiClassificationService({
    ai: config.ai,
    taxonomy: { types: ['invoice', 'receipt', 'letter', 'other'], tags: ['finance', 'tax', 'home'], correspondents: ['ACME Corporation'] },
    local: new LocalClassifier(config.classify),
    records: classificationRecords(new AiRecordRepository(harness.catalog().db)),
    logger: pino({ level: 'debug' }, stream),
    providerKeys: resolveAllProviderKeys(config.ai.providers, secretLookup({ env: options.env ?? KEYS })),
    ...(options.force ? { force: true } : {}),
    ...(options.onlyProvider ? { onlyProvider: options.onlyProvider } : {}),
    ...(options.redaction ? { redaction: options.redaction } : {}),
  });
}

export const input = (text: string, name = 'doc.txt') => ({ text, mime: 'text/plain', fileName: name, metadata: {}, correlationId: `run/${name}` });
