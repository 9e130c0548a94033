import type { Kysely } from 'kysely';
import { AiRecordRepository } from './ai-records.js';
import type { Database } from './schema.js';

/**
 * The figures `doccat stats` reports, read from the catalogue itself: documents, the ingest
 * events each file leaves (status, stage timings, failure codes) and the provider call records.
 */

export const STAGES = ['sniff', 'hash', 'extract', 'ocr', 'classify', 'store', 'commit'] as const;
export type StageName = (typeof STAGES)[number];

export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ProviderBudget {
  dailyTokens: number;
  usedToday: number;
}

export interface ProviderStats extends Percentiles {
  provider: string;
  models: string[];
  keys: string[];
  calls: number;
  ok: number;
  invalid: number;
  errors: number;
  successRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  budget: ProviderBudget | null;
}

export interface CatalogueStats {
  since: string | null;
  until: string;
  documents: { total: number; pages: number; byType: Count[]; byMethod: Count[] };
  sources: { byStatus: Count[] };
  files: { total: number; byStatus: Count[]; pages: number; ocrPages: number; bytes: number };
  throughput: { runs: number; busySeconds: number; filesPerSecond: number | null; cataloguedPerSecond: number | null; megabytesPerSecond: number | null };
  stages: (Percentiles & { stage: StageName })[];
  providers: ProviderStats[];
  failures: Count[];
}

export interface Count {
  key: string;
  count: number;
}

export async function catalogueStats(db: Kysely<Database>, options: { since?: string; budgets?: Record<string, number>; now?: Date }): Promise<CatalogueStats> {
  const now = options.now ?? new Date();
  const since = options.since;

  let documents = db.selectFrom('documents');
  if (since) documents = documents.where('added_at', '>=', since);
  const byType = await documents.select((eb) => ['type as key', eb.fn.countAll<number>().as('count')]).groupBy('type').execute();
  const byMethod = await documents.select((eb) => ['method as key', eb.fn.countAll<number>().as('count')]).groupBy('method').execute();
  const pageSum = await documents.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('pages'), eb.val(0)).as('pages')).executeTakeFirst();

  let sources = db.selectFrom('sources');
  if (since) sources = sources.where('last_seen', '>=', since);
  const sourceStatus = await sources.select((eb) => ['status as key', eb.fn.countAll<number>().as('count')]).groupBy('status').execute();

  let eventQuery = db.selectFrom('ingest_events').selectAll();
  if (since) eventQuery = eventQuery.where('at', '>=', since);
  const events = await eventQuery.execute();

  const statusCounts = new Map<string, number>();
  const failureCounts = new Map<string, number>();
  for (const event of events) {
    statusCounts.set(event.status, (statusCounts.get(event.status) ?? 0) + 1);
    if (event.status === 'failed') failureCounts.set(event.error_code ?? 'E_UNKNOWN', (failureCounts.get(event.error_code ?? 'E_UNKNOWN') ?? 0) + 1);
  }
  const busySeconds = busyTime(events.map((event) => [Date.parse(event.started_at), Date.parse(event.at)])) / 1000;
  const bytes = sum(events.map((event) => Number(event.bytes)));
  const catalogued = statusCounts.get('catalogued') ?? 0;

  const stages = STAGES.map((stage) => ({ stage, ...percentiles(events.map((event) => event[`${stage}_ms`]).filter((value): value is number => value !== null).map(Number)) }));

  let callQuery = db.selectFrom('ai_calls').selectAll();
  if (since) callQuery = callQuery.where('at', '>=', since);
  const calls = await callQuery.execute();
  const today = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
  const records = new AiRecordRepository(db);
  const providerNames = [...new Set([...calls.map((call) => call.provider), ...Object.keys(options.budgets ?? {})])].sort();
  const providers: ProviderStats[] = [];
  for (const provider of providerNames) {
    const mine = calls.filter((call) => call.provider === provider);
    const ok = mine.filter((call) => call.outcome === 'ok').length;
    const budget = options.budgets?.[provider];
    providers.push({
      provider,
      models: [...new Set(mine.map((call) => call.model))],
      keys: [...new Set(mine.map((call) => call.key_id))],
      calls: mine.length,
      ok,
      invalid: mine.filter((call) => call.outcome === 'invalid').length,
      errors: mine.filter((call) => call.outcome === 'error').length,
      successRate: mine.length > 0 ? ok / mine.length : null,
      inputTokens: sum(mine.map((call) => Number(call.input_tokens))),
      outputTokens: sum(mine.map((call) => Number(call.output_tokens))),
      costUsd: sum(mine.map((call) => Number(call.cost_usd))),
      ...percentiles(mine.map((call) => Number(call.latency_ms))),
      budget: budget === undefined ? null : { dailyTokens: budget, usedToday: await records.tokensUsedSince(provider, today) },
    });
  }

  return {
    since: since ?? null,
    until: now.toISOString(),
    documents: { total: sum(byType.map((row) => Number(row.count))), pages: Number(pageSum?.pages ?? 0), byType: counts(byType), byMethod: counts(byMethod) },
    sources: { byStatus: counts(sourceStatus) },
    files: {
      total: events.length,
      byStatus: [...statusCounts].map(([key, count]) => ({ key, count })).sort(byCount),
      pages: sum(events.map((event) => Number(event.pages))),
      ocrPages: sum(events.map((event) => Number(event.ocr_pages))),
      bytes,
    },
    throughput: {
      runs: new Set(events.map((event) => event.run_id)).size,
      busySeconds: round(busySeconds, 3),
      filesPerSecond: busySeconds > 0 ? round(events.length / busySeconds, 2) : null,
      cataloguedPerSecond: busySeconds > 0 ? round(catalogued / busySeconds, 2) : null,
      megabytesPerSecond: busySeconds > 0 ? round(bytes / 1024 / 1024 / busySeconds, 2) : null,
    },
    stages,
    providers,
    failures: [...failureCounts].map(([key, count]) => ({ key, count })).sort(byCount).slice(0, 10),
  };
}

/** Nearest-rank percentiles: each is a latency some file really had. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50Ms: null, p95Ms: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  return { count: values.length, p50Ms: round(rank(0.5), 1), p95Ms: round(rank(0.95), 1) };
}

/**
 * Time during which at least one file was being worked on: the union of the files' intervals, so
 * that a watcher idle overnight or parallel workers do not distort the rate.
 */
export function busyTime(intervals: [number, number][]): number {
  const sorted = intervals.filter(([start, end]) => Number.isFinite(start) && Number.isFinite(end) && end >= start).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [start, end] of sorted) {
    if (current && start <= current[1]) current[1] = Math.max(current[1], end);
    else {
      if (current) total += current[1] - current[0];
      current = [start, end];
    }
  }
  if (current) total += current[1] - current[0];
  return total;
}

function counts(rows: { key: string; count: number | string | bigint }[]): Count[] {
  return rows.map((row) => ({ key: row.key, count: Number(row.count) })).sort(byCount);
}

function byCount(a: Count, b: Count): number {
  return b.count - a.count || a.key.localeCompare(b.key);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
