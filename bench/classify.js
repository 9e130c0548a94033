// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapLimit } from './ocr.js';
import { line } from './common.js';

export async function benchClassify() {
  const count = 500;
  const concurrency = 8;
  const latencyMs = 200;
  const { startFakeProviders } = await import('../test/support/fake-providers.mjs');
  const { AiClassificationService } = await import('../dist/classify/service.js');
  const { LocalClassifier } = await import('../dist/classify/providers/local.js');
  const { classificationRecords } = await import('../dist/app-layer/classifier.js');
  const { AiRecordRepository } = await import('../dist/db/ai-records.js');
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { configSchema } = await import('../dist/config/schema.js');
  const { resolveAllProviderKeys } = await import('../dist/config/provider-keys.js');
  const { secretLookup } = await import('../dist/config/secrets.js');
  const { default: OpenAI } = await import('openai');
  const { pino } = await import('pino');
  const fake = await startFakeProviders();
  fake.setDefault('openai', { kind: 'stall', ms: latencyMs });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-classify-'));
  const catalog = await openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000 });
  const texts = Array.from({ length: count }, (_, index) => `INVOICE ${index}\nACME Corporation\nTotal due: ${(index * 3.1).toFixed(2)} EUR\n${'Line item with a description of the goods delivered. '.repeat(40)}`);
  console.log(`\nClassify: ${count} documents, one OpenAI-compatible provider answering in ${latencyMs} ms, ${concurrency} at a time`);

  // Baseline: the same requests straight through the SDK, no service around it.
  const client = new OpenAI({ apiKey: 'bench', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  let started = performance.now();
  await mapLimit(texts, concurrency, (text) => client.chat.completions.create({ model: 'gpt-5.6-luna', messages: [{ role: 'user', content: text }], response_format: { type: 'json_object' } }));
  const directSeconds = (performance.now() - started) / 1000;

  const config = configSchema.parse({ ai: { providers: [{ name: 'bench', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, maxConcurrency: concurrency }] } });
  const service = new AiClassificationService({
    ai: config.ai,
    taxonomy: { types: ['invoice', 'receipt', 'letter', 'other'], tags: ['finance'], correspondents: [] },
    local: new LocalClassifier(config.classify),
    records: classificationRecords(new AiRecordRepository(catalog.db)),
    logger: pino({ level: 'silent' }),
    providerKeys: resolveAllProviderKeys(config.ai.providers, secretLookup({ env: {} })),
  });
  const input = (text) => ({ text, mime: 'text/plain', fileName: 'bench.txt', metadata: {} });
  started = performance.now();
  const results = await mapLimit(texts, concurrency, (text) => service.classify(input(text)));
  const serviceSeconds = (performance.now() - started) / 1000;
  const byProvider = results.filter((result) => result.classifier === 'bench').length;
  started = performance.now();
  await mapLimit(texts, concurrency, (text) => service.classify(input(text)));
  const cachedSeconds = (performance.now() - started) / 1000;
  await catalog.close();
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });

  line('ideal at this concurrency', `${(concurrency / (latencyMs / 1000)).toFixed(1)} docs/s`);
  line('baseline: SDK calls alone', `${(count / directSeconds).toFixed(1)} docs/s (${directSeconds.toFixed(2)} s)`);
  line('doccat AI service', `${(count / serviceSeconds).toFixed(1)} docs/s (${serviceSeconds.toFixed(2)} s, ${byProvider}/${count} answered by the provider)`);
  line('ratio service / baseline', `${(directSeconds / serviceSeconds).toFixed(3)}x`);
  line('service overhead per call', `${(((serviceSeconds - directSeconds) * 1000 * concurrency) / count).toFixed(1)} ms (prompt, parse, validate, cache and call record in SQLite, local facts)`);
  line('same 500 again (answers cached)', `${(count / cachedSeconds).toFixed(0)} docs/s, 0 calls`);
}
