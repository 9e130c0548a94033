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
  /** Scanned pages by the OCR engine that read them (migration 0012; older events have none). */
  ocr: { byEngine: OcrEngineStats[] };
  providers: ProviderStats[];
  failures: Count[];
}

export interface OcrEngineStats {
  /** "tesseract 5.3.0", "tesseract.js 7.0.0" */
  engine: string;
  files: number;
  pages: number;
  /** Time inside the engine per page, queueing for a worker included. */
  msPerPage: number | null;
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

  // Counts and sums in SQL; only the columns a percentile or the busy time needs come back whole,
  // one at a time, so a catalogue with millions of events does not need their rows in memory.
  let events = db.selectFrom('ingest_events');
  if (since) events = events.where('at', '>=', since);
  const statusRows = await events.select((eb) => ['status as key', eb.fn.countAll<number>().as('count')]).groupBy('status').execute();
  const failureRows = await events
    .select((eb) => [eb.fn.coalesce('error_code', eb.val('E_UNKNOWN')).as('key'), eb.fn.countAll<number>().as('count')])
    .where('status', '=', 'failed')
    .groupBy('error_code')
    .execute();
  const totals = await events
    .select((eb) => [
      eb.fn.countAll<number>().as('files'),
      eb.fn.count<number>('run_id').distinct().as('runs'),
      eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.val(0)).as('bytes'),
      eb.fn.coalesce(eb.fn.sum<number>('pages'), eb.val(0)).as('pages'),
      eb.fn.coalesce(eb.fn.sum<number>('ocr_pages'), eb.val(0)).as('ocrPages'),
    ])
    .executeTakeFirstOrThrow();
  const intervals = await events.select(['started_at', 'at']).execute();
  const busySeconds = busyTime(intervals.map((event) => [Date.parse(event.started_at), Date.parse(event.at)])) / 1000;
  const files = Number(totals.files);
  const bytes = Number(totals.bytes);
  const catalogued = Number(statusRows.find((row) => row.key === 'catalogued')?.count ?? 0);

  const stages: CatalogueStats['stages'] = [];
  for (const stage of STAGES) {
    const column = `${stage}_ms` as const;
    const values = await events.select(column).where(column, 'is not', null).execute();
    stages.push({ stage, ...percentiles(values.map((row) => Number(row[column]))) });
  }

  const engineRows = await events
    .select((eb) => [
      'ocr_engine',
      eb.fn.countAll<number>().as('files'),
      eb.fn.coalesce(eb.fn.sum<number>('ocr_pages'), eb.val(0)).as('pages'),
      eb.fn.coalesce(eb.fn.sum<number>('ocr_ms'), eb.val(0)).as('ms'),
    ])
    .where('ocr_engine', 'is not', null)
    .groupBy('ocr_engine')
    .execute();
  const byEngine = engineRows
    .map((row) => ({ engine: String(row.ocr_engine), files: Number(row.files), pages: Number(row.pages), msPerPage: Number(row.pages) > 0 ? round(Number(row.ms) / Number(row.pages), 1) : null }))
    .sort((a, b) => b.pages - a.pages || a.engine.localeCompare(b.engine));

  let calls = db.selectFrom('ai_calls');
  if (since) calls = calls.where('at', '>=', since);
  const callRows = await calls
    .select((eb) => [
      'provider',
      'outcome',
      eb.fn.countAll<number>().as('calls'),
      eb.fn.coalesce(eb.fn.sum<number>('input_tokens'), eb.val(0)).as('input'),
      eb.fn.coalesce(eb.fn.sum<number>('output_tokens'), eb.val(0)).as('output'),
      eb.fn.coalesce(eb.fn.sum<number>('cost_usd'), eb.val(0)).as('cost'),
    ])
    .groupBy(['provider', 'outcome'])
    .execute();
  const records = new AiRecordRepository(db);
  const providerNames = [...new Set([...callRows.map((row) => row.provider), ...Object.keys(options.budgets ?? {})])].sort();
  const providers: ProviderStats[] = [];
  for (const provider of providerNames) {
    const mine = callRows.filter((row) => row.provider === provider);
    const outcome = (name: string) => Number(mine.find((row) => row.outcome === name)?.calls ?? 0);
    const total = sum(mine.map((row) => Number(row.calls)));
    const budget = options.budgets?.[provider];
    const detail = await calls.select(['latency_ms']).where('provider', '=', provider).execute();
    const identities = await calls.select(['model', 'key_id']).distinct().where('provider', '=', provider).execute();
    providers.push({
      provider,
      models: [...new Set(identities.map((row) => row.model))],
      keys: [...new Set(identities.map((row) => row.key_id))],
      calls: total,
      ok: outcome('ok'),
      invalid: outcome('invalid'),
      errors: outcome('error'),
      successRate: total > 0 ? outcome('ok') / total : null,
      inputTokens: sum(mine.map((row) => Number(row.input))),
      outputTokens: sum(mine.map((row) => Number(row.output))),
      costUsd: sum(mine.map((row) => Number(row.cost))),
      ...percentiles(detail.map((row) => Number(row.latency_ms))),
      budget: budget === undefined ? null : { dailyTokens: budget, usedToday: await records.tokensUsedToday(provider, now) },
    });
  }

  return {
    since: since ?? null,
    until: now.toISOString(),
    documents: { total: sum(byType.map((row) => Number(row.count))), pages: Number(pageSum?.pages ?? 0), byType: counts(byType), byMethod: counts(byMethod) },
    sources: { byStatus: counts(sourceStatus) },
    files: { total: files, byStatus: counts(statusRows), pages: Number(totals.pages), ocrPages: Number(totals.ocrPages), bytes },
    throughput: {
      runs: Number(totals.runs),
      busySeconds: round(busySeconds, 3),
      filesPerSecond: busySeconds > 0 ? round(files / busySeconds, 2) : null,
      cataloguedPerSecond: busySeconds > 0 ? round(catalogued / busySeconds, 2) : null,
      megabytesPerSecond: busySeconds > 0 ? round(bytes / 1024 / 1024 / busySeconds, 2) : null,
    },
    stages,
    ocr: { byEngine },
    providers,
    failures: counts(failureRows).slice(0, 10),
  };
}

/**
 * What the charts of `stats` on a terminal are drawn from (app/chart-series.ts): each document's
 * time added and OCR confidence, and each failed ingest's time, since a time (or all of them).
 */
export async function chartFacts(db: Kysely<Database>, since: string | undefined): Promise<{ documents: { added_at: string; ocr_confidence: number | null }[]; failures: { at: string }[] }> {
  let documents = db.selectFrom('documents').select(['added_at', 'ocr_confidence']);
  if (since) documents = documents.where('added_at', '>=', since);
  let failed = db.selectFrom('ingest_events').select('at').where('status', '=', 'failed');
  if (since) failed = failed.where('at', '>=', since);
  return { documents: await documents.execute(), failures: await failed.execute() };
}

/** Removes ingest events and provider call records from before `before`; returns how many. */
export async function pruneRecords(db: Kysely<Database>, before: string): Promise<number> {
  const events = await db.deleteFrom('ingest_events').where('at', '<', before).executeTakeFirst();
  const calls = await db.deleteFrom('ai_calls').where('at', '<', before).executeTakeFirst();
  return Number(events.numDeletedRows) + Number(calls.numDeletedRows);
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
