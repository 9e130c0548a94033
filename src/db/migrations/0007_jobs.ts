import type { Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/**
 * Queued ingest jobs for `ingest --enqueue` and `doccat worker` on a SQLite catalogue (Postgres
 * catalogues use pg-boss's own tables): a leased row per file, retried with backoff, kept as
 * failed (dead) after its last attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  await db.schema
    .createTable('jobs')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('path', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('run_after', 'text', (column) => column.notNull())
    .addColumn('owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_state').on('jobs').columns(['state', 'run_after']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').ifExists().execute();
}
