import type { Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/**
 * One row per file an ingest, watch or worker worked on (catalogued, duplicate or failed; not the
 * unchanged ones it skipped): its correlation id, error code and how long each stage took. `doccat stats` reads it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  let table = db.schema
    .createTable('ingest_events')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('correlation_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('document_id', type.bigint)
    .addColumn('error_code', 'text')
    .addColumn('mime', 'text')
    .addColumn('method', 'text')
    .addColumn('bytes', type.bigint, (column) => column.notNull().defaultTo(0))
    .addColumn('pages', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('ocr_pages', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('total_ms', type.float, (column) => column.notNull());
  // A stage a file did not reach stays null, so it does not pull the percentiles down.
  for (const stage of ['sniff', 'hash', 'extract', 'ocr', 'classify', 'store', 'commit']) table = table.addColumn(`${stage}_ms`, type.float);
  await table.execute();
  await db.schema.createIndex('ingest_events_at').on('ingest_events').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ingest_events').ifExists().execute();
}
