import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { DoccatError, ExitCode } from '../errors.js';
import { dialectFor, writeTransaction } from './dialect.js';
import type { Database } from './schema.js';
import { writeSearchEntry } from './search-index.js';

/** Tables in an order that satisfies their foreign keys; rows keep their ids. */
const TABLES = ['runs', 'documents', 'sources', 'classifications', 'audit', 'document_tags', 'ai_cache', 'ai_calls', 'ingest_events', 'hook_deliveries', 'alert_states', 'provenance', 'provenance_labels', 'source_provenance', 'document_members', 'document_parts'] as const;
type CopiedTable = (typeof TABLES)[number];
/** Tables whose id comes from a sequence on Postgres, to move on past the copied ids. */
const SEQUENCED: readonly CopiedTable[] = ['documents', 'sources', 'classifications', 'audit', 'ai_calls', 'ingest_events', 'hook_deliveries', 'provenance', 'source_provenance'];
const BATCH = 200;

export interface CopyReport {
  tables: Record<CopiedTable, { source: number; copied: number }>;
  /** sha256 over every document's id and checksum, equal on both sides. */
  documentsDigest: string;
}

/**
 * Copies a whole catalogue into an empty one of either dialect, keeping ids, checksums, tags,
 * sources, classification history, audit and AI records; the full-text index is rebuilt in the
 * destination's own form. Ends by checking that every table holds as many rows on both sides and
 * that the documents' ids and checksums agree.
 */
export async function copyCatalogue(from: Kysely<Database>, to: Kysely<Database>, onTable?: (table: string, rows: number) => void): Promise<CopyReport> {
  const existing = Number((await to.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (existing > 0) {
    throw new DoccatError('E_DB_NOT_EMPTY', `the destination already holds ${existing} documents`, { hint: 'copy into a new, empty database', exitCode: ExitCode.usage });
  }
  const tables = {} as CopyReport['tables'];
  for (const table of TABLES) {
    let copied = 0;
    for (let offset = 0; ; offset += BATCH) {
      // biome-ignore lint/suspicious/noExplicitAny: rows move between two databases of the same schema, table by table, as they are.
      const rows = (await sql<Record<string, any>>`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2 LIMIT ${BATCH} OFFSET ${offset}`.execute(from)).rows;
      if (rows.length === 0) break;
      await writeTransaction(to, async (trx) => {
        await trx.insertInto(table).values(rows as never).execute();
        if (table === 'documents') {
          for (const row of rows) await writeSearchEntry(trx, Number(row.id), { title: String(row.title), tags: JSON.parse(String(row.tags)) as string[], correspondent: (row.correspondent as string | null) ?? null, body: String(row.text) });
        }
      });
      copied += rows.length;
      if (rows.length < BATCH) break;
    }
    tables[table] = { source: await count(from, table), copied };
    onTable?.(table, copied);
  }
  // The copy is the same catalogue: it keeps the id its blob stores know it by (migration 0010).
  const id = await from.selectFrom('catalog_meta').select('value').where('key', '=', 'catalog_id').executeTakeFirst();
  if (id) await to.updateTable('catalog_meta').set({ value: id.value }).where('key', '=', 'catalog_id').execute();
  await dialectFor(to).continueIdsAfterCopy(to, SEQUENCED);
  for (const table of TABLES) {
    const copiedCount = await count(to, table);
    if (copiedCount !== tables[table].source) {
      throw new DoccatError('E_DB_COPY_MISMATCH', `${table}: ${tables[table].source} rows in the source, ${copiedCount} in the destination`, { hint: 'was the source written to during the copy? run it again into a new database', exitCode: ExitCode.someFailed });
    }
  }
  const [source, destination] = await Promise.all([documentsDigest(from), documentsDigest(to)]);
  if (source !== destination) throw new DoccatError('E_DB_COPY_MISMATCH', 'document ids or checksums differ after the copy', { exitCode: ExitCode.someFailed });
  return { tables, documentsDigest: source };
}

async function count(db: Kysely<Database>, table: CopiedTable): Promise<number> {
  return Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]?.n ?? 0);
}

async function documentsDigest(db: Kysely<Database>): Promise<string> {
  const hash = createHash('sha256');
  for (const row of await db.selectFrom('documents').select(['id', 'sha256', 'blob_key']).orderBy('id').execute()) hash.update(`${row.id} ${row.sha256} ${row.blob_key}\n`);
  return hash.digest('hex');
}
