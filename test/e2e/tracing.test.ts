import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, runLoadingModules, tempDir } from '../support/cli.js';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.mjs';
import { createDatabase } from '../support/postgres.mjs';

/** OpenTelemetry traces through the real binary, into a local OTLP/HTTP receiver. */

let otlp: OtlpReceiver;
let fake: FakeProviders;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  fake = await startFakeProviders();
});
afterAll(async () => {
  await otlp.close();
  await fake.close();
});
beforeEach(() => {
  otlp.clear();
  fake.reset();
});

const children = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);
const named = (spans: ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);

describe('tracing', () => {
  it('exports a span per file with its stages, OCR pages, provider calls and hooks, under the run', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-trace-inputs-');
    fs.writeFileSync(path.join(inputs, 'invoice.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\n');
    fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(inputs, 'letter.png'));
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({
      ai: { retryBaseDelayMs: 10, providers: [{ name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:OPENAI_API_KEY', maxAttempts: 2 }] },
      hooks: { onDocument: ['cat > /dev/null'] },
      tracing: { endpoint: otlp.url },
    }));
    const result = await runDoccat(['ingest', inputs, '--json', '--config', config], { home, env: { OPENAI_API_KEY: 'sk-proj-trace-TESTSECRET-0123456789' } });
    expect(result.code, result.stderr).toBe(0);
    expect(fake.rejections).toEqual([]);
    const ingest = parseIngestJson(result);
    const spans = otlp.spans;
    const [run] = named(spans, 'doccat.run');
    expect(run).toMatchObject({ parentSpanId: undefined, attributes: { 'doccat.run_id': ingest.runId, 'doccat.command': 'ingest', 'doccat.files.catalogued': 2 }, resource: { 'service.name': 'doccat' } });
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([run?.traceId]));
    const files = named(spans, 'doccat.file');
    expect(files).toHaveLength(2);
    for (const file of files) {
      const outcome = ingest.files.find((candidate) => candidate.path === file.attributes['file.path']) as { correlationId: string; documentId: number };
      expect(file).toMatchObject({ parentSpanId: run?.spanId, attributes: { 'doccat.run_id': ingest.runId, 'doccat.correlation_id': outcome.correlationId, 'doccat.status': 'catalogued', 'doccat.document_id': outcome.documentId } });
      const stages = children(spans, file);
      // A scan stores two blobs: its original and its searchable PDF.
      const stores = String(file.attributes['file.path']).endsWith('.png') ? ['doccat.store', 'doccat.store'] : ['doccat.store'];
      expect(stages.map((span) => span.name).sort()).toEqual(['doccat.classify', 'doccat.commit', 'doccat.extract', 'doccat.hash', 'doccat.hook', 'doccat.sniff', ...stores]);
      // The provider call is under the classify stage, with its model and tokens.
      const classify = stages.find((span) => span.name === 'doccat.classify') as ReceivedSpan;
      const [call] = children(spans, classify);
      expect(call).toMatchObject({ name: 'doccat.provider.call', attributes: { 'doccat.provider': 'gpt', 'gen_ai.request.model': 'gpt-5.6-luna', 'doccat.provider.outcome': 'ok' } });
      expect(call?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(call?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(call?.startMs).toBeGreaterThanOrEqual(classify.startMs);
      expect(call?.endMs).toBeLessThanOrEqual(classify.endMs);
      expect(stages.find((span) => span.name === 'doccat.hook')?.attributes).toMatchObject({ 'doccat.hook.kind': 'command', 'doccat.hook.event': 'document.catalogued', 'doccat.hook.status': 'delivered', 'doccat.correlation_id': outcome.correlationId });
    }
    // The scan's OCR pages are under its extract stage.
    const scan = files.find((file) => String(file.attributes['file.path']).endsWith('letter.png')) as ReceivedSpan;
    const extract = children(spans, scan).find((span) => span.name === 'doccat.extract') as ReceivedSpan;
    const pages = children(spans, extract).filter((span) => span.name === 'doccat.ocr.page');
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(pages[0]?.attributes['doccat.ocr.confidence']).toBeGreaterThan(50);
    const text = files.find((file) => String(file.attributes['file.path']).endsWith('invoice.txt')) as ReceivedSpan;
    expect(children(spans, children(spans, text).find((span) => span.name === 'doccat.extract') as ReceivedSpan)).toEqual([]);
  });

  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`carries the trace from ingest --enqueue to the worker that does each job (${dialect})`, async () => {
      const home = tempDir();
      const inputs = tempDir('doccat-trace-inputs-');
      fs.writeFileSync(path.join(inputs, 'a.txt'), 'A queued note.');
      fs.writeFileSync(path.join(inputs, 'b.txt'), 'Another queued note.');
      const env: NodeJS.ProcessEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...(dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {}) };
      expect((await runDoccat(['ingest', inputs, '--enqueue'], { home, env })).code).toBe(0);
      const [enqueue] = named(otlp.spans, 'doccat.enqueue');
      expect(enqueue).toMatchObject({ attributes: { 'doccat.files': 2 } });
      const worker = await runDoccat(['worker', '--drain'], { home, env });
      expect(worker.code, worker.stderr).toBe(0);
      const files = named(otlp.spans, 'doccat.file');
      expect(files).toHaveLength(2);
      for (const file of files) expect(file).toMatchObject({ traceId: enqueue?.traceId, parentSpanId: enqueue?.spanId, attributes: { 'doccat.status': 'catalogued' } });
      // Two processes, one trace: the worker's run id is not the enqueuer's.
      expect(files[0]?.attributes['doccat.run_id']).not.toBe(enqueue?.attributes['doccat.run_id']);
    });
  }

  it('exports nothing and loads no OpenTelemetry module without an endpoint', async () => {
    const inputs = tempDir('doccat-trace-inputs-');
    fs.writeFileSync(path.join(inputs, 'a.txt'), 'A note.');
    const run = async (env: NodeJS.ProcessEnv) => {
      const { result, modules } = await runLoadingModules(['ingest', inputs], '@opentelemetry/', { home: tempDir(), env });
      expect(result.code, result.stderr).toBe(0);
      return modules;
    };
    expect(await run({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe('');
    expect(otlp.requests).toEqual([]);
    // The same run with an endpoint loads the SDK (so the check above can see it).
    expect(await run({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url })).toContain('@opentelemetry/sdk-trace-base');
    expect(named(otlp.spans, 'doccat.file')).toHaveLength(1);
  });
});
