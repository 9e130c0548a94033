import { describe, expect, it } from 'vitest';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { busyTime, catalogueStats, percentiles, pruneRecords } from '../../../src/db/stats.js';
import { AiRecordRepository } from '../../../src/db/ai-records.js';
import { DocumentRepository } from '../../../src/db/documents.js';

describe('stats arithmetic', () => {
  it('takes nearest-rank percentiles: each is a value that occurred', () => {
    expect(percentiles([])).toEqual({ count: 0, p50Ms: null, p95Ms: null });
    expect(percentiles([5])).toEqual({ count: 1, p50Ms: 5, p95Ms: 5 });
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentiles(hundred)).toEqual({ count: 100, p50Ms: 50, p95Ms: 95 });
  });

  it('counts busy time once where files overlapped, and not the idle gaps', () => {
    expect(busyTime([[0, 10], [5, 15], [100, 110], [105, 106]])).toBe(25);
    expect(busyTime([])).toBe(0);
  });
});

for (const dialect of DIALECTS) describe(`catalogue stats (${dialect})`, () => {
  it('sums events, calls and documents, and honours --since', async () => {
    const catalog = await openTestCatalog(dialect);
    const repository = new DocumentRepository(catalog.db, 'tester');
    const event = (at: string, status: 'catalogued' | 'failed', extra: Record<string, unknown> = {}) =>
      repository.recordIngestEvent({ at, started_at: new Date(Date.parse(at) - 1000).toISOString(), run_id: 'r1', correlation_id: `r1-${at}`, status, document_id: null, error_code: status === 'failed' ? 'E_PDF_CORRUPT' : null, mime: 'text/plain', method: 'text', bytes: 2048, pages: 2, ocr_pages: 1, total_ms: 1000, sniff_ms: 1, hash_ms: 2, extract_ms: 10, ocr_ms: 8, classify_ms: 3, store_ms: 4, commit_ms: 5, ...extra });
    await event('2026-01-01T00:00:01.000Z', 'catalogued', { extract_ms: 20 });
    await event('2026-01-01T00:00:01.500Z', 'catalogued', { ocr_ms: null, ocr_pages: 0 });
    await event('2026-02-01T00:00:00.000Z', 'failed', { classify_ms: null, store_ms: null, commit_ms: null });
    const calls = new AiRecordRepository(catalog.db);
    for (const [outcome, tokens] of [['ok', 100], ['ok', 300], ['error', 0]] as const) {
      await calls.recordCall({ at: '2026-01-01T00:00:02.000Z', provider: 'gpt', model: 'm', key_id: 'env:K#abcdef', latency_ms: tokens + 10, input_tokens: tokens, output_tokens: tokens / 10, cost_usd: tokens / 1e6, outcome, error_code: outcome === 'error' ? 'E_PROVIDER_SERVER' : null, correlation_id: 'r1-x' });
    }
    const stats = await catalogueStats(catalog.db, { budgets: { gpt: 10_000, claude: 5_000 }, now: new Date('2026-01-01T12:00:00.000Z') });
    expect(stats.files).toEqual({ total: 3, byStatus: [{ key: 'catalogued', count: 2 }, { key: 'failed', count: 1 }], pages: 6, ocrPages: 2, bytes: 6144 });
    expect(stats.failures).toEqual([{ key: 'E_PDF_CORRUPT', count: 1 }]);
    // Two overlapping seconds in January and one in February.
    expect(stats.throughput).toMatchObject({ runs: 1, busySeconds: 2.5, filesPerSecond: 1.2 });
    expect(stats.stages.find((stage) => stage.stage === 'extract')).toEqual({ stage: 'extract', count: 3, p50Ms: 10, p95Ms: 20 });
    expect(stats.stages.find((stage) => stage.stage === 'ocr')?.count).toBe(2);
    expect(stats.stages.find((stage) => stage.stage === 'commit')?.count).toBe(2);
    const gpt = stats.providers.find((provider) => provider.provider === 'gpt');
    expect(gpt).toMatchObject({ calls: 3, ok: 2, errors: 1, inputTokens: 400, outputTokens: 40, keys: ['env:K#abcdef'], p50Ms: 110, p95Ms: 310, budget: { dailyTokens: 10_000, usedToday: 440 } });
    expect(gpt?.successRate).toBeCloseTo(2 / 3, 6);
    expect(gpt?.costUsd).toBeCloseTo(0.0004, 9);
    // A provider with a budget and no calls yet is listed too.
    expect(stats.providers.find((provider) => provider.provider === 'claude')).toMatchObject({ calls: 0, successRate: null, budget: { dailyTokens: 5_000, usedToday: 0 } });

    const since = await catalogueStats(catalog.db, { since: '2026-01-15T00:00:00.000Z' });
    expect(since.files.total).toBe(1);
    expect(since.providers).toEqual([]);

    // Retention: two January events and three January calls go; February stays.
    expect(await pruneRecords(catalog.db, '2026-01-15T00:00:00.000Z')).toBe(5);
    expect((await catalogueStats(catalog.db, {})).files.total).toBe(1);
    await catalog.close();
  });
});
