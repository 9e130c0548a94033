import type { Insertable, Kysely } from 'kysely';
import { percentiles } from './stats.js';
import type { Database, HookDeliveriesTable } from './schema.js';

/** Hook deliveries in the catalogue (migration 0016), and the document facts a hook event carries. */

export type HookDeliveryRow = Insertable<HookDeliveriesTable>;

export async function recordHookDelivery(db: Kysely<Database>, delivery: HookDeliveryRow): Promise<void> {
  await db.insertInto('hook_deliveries').values(delivery).execute();
}

export interface HookStats {
  hook: string;
  kind: string;
  delivered: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  lastFailure: { at: string; event: string; code: string | null; message: string | null } | null;
}

/** Per hook: deliveries and failures, latency, and the latest failure, since a moment or ever. */
export async function hookStats(db: Kysely<Database>, since?: string): Promise<HookStats[]> {
  let deliveries = db.selectFrom('hook_deliveries');
  if (since) deliveries = deliveries.where('at', '>=', since);
  const rows = await deliveries.select(['hook', 'kind', 'status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['hook', 'kind', 'status']).execute();
  const hooks = [...new Map(rows.map((row) => [`${row.kind}\n${row.hook}`, { hook: row.hook, kind: row.kind }])).values()].sort((a, b) => a.hook.localeCompare(b.hook));
  const result: HookStats[] = [];
  for (const { hook, kind } of hooks) {
    const count = (status: string) => Number(rows.find((row) => row.hook === hook && row.kind === kind && row.status === status)?.n ?? 0);
    const durations = await deliveries.select('duration_ms').where('hook', '=', hook).where('kind', '=', kind).execute();
    const last = await deliveries
      .select(['at', 'event', 'error_code', 'error_message'])
      .where('hook', '=', hook)
      .where('kind', '=', kind)
      .where('status', '=', 'failed')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const { p50Ms, p95Ms } = percentiles(durations.map((row) => Number(row.duration_ms)));
    result.push({ hook, kind, delivered: count('delivered'), failed: count('failed'), p50Ms, p95Ms, lastFailure: last ? { at: last.at, event: last.event, code: last.error_code, message: last.error_message } : null });
  }
  return result;
}

export async function pruneHookDeliveries(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('hook_deliveries').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** What a document event says about the document: its classification and every path it was seen at. */
export interface DocumentFacts {
  id: number;
  sha256: string;
  mime: string;
  size: number;
  type: string;
  title: string;
  tags: string[];
  fields: Record<string, unknown>;
  date: string | null;
  correspondent: string | null;
  language: string | null;
  method: string;
  pages: number;
  words: number;
  ocrConfidence: number | null;
  addedAt: string;
  paths: string[];
}

/** A path list is cut here: a document seen at thousands of paths is still one small event. */
const MAX_PATHS = 100;

/** The document's facts (without its text, which can be megabytes), or undefined if it is gone. */
export async function documentFacts(db: Kysely<Database>, id: number): Promise<DocumentFacts | undefined> {
  const row = await db
    .selectFrom('documents')
    .select(['id', 'sha256', 'mime', 'size', 'type', 'title', 'tags', 'fields', 'document_date', 'correspondent', 'language', 'method', 'pages', 'words', 'ocr_confidence', 'added_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const sources = await db.selectFrom('sources').select('path').where('document_id', '=', id).orderBy('id').limit(MAX_PATHS).execute();
  return {
    id: Number(row.id),
    sha256: row.sha256,
    mime: row.mime,
    size: Number(row.size),
    type: row.type,
    title: row.title,
    tags: JSON.parse(row.tags) as string[],
    fields: JSON.parse(row.fields) as Record<string, unknown>,
    date: row.document_date,
    correspondent: row.correspondent,
    language: row.language,
    method: row.method,
    pages: Number(row.pages),
    words: Number(row.words),
    ocrConfidence: row.ocr_confidence === null ? null : Number(row.ocr_confidence),
    addedAt: row.added_at,
    paths: sources.map((source) => source.path),
  };
}
