import type { Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/**
 * `hook_deliveries`: one row per event and hook, delivered or failed after its retries, for
 * `doccat stats` (a failed one keeps its event, to see what was lost). `alert_states`: each alert
 * rule's last state, so that a rule fires once and resolves once across runs and processes.
 * `jobs.trace_parent`: the W3C trace context of the `ingest --enqueue` that queued a job.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  await db.schema
    .createTable('hook_deliveries')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('hook', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('event', 'text', (column) => column.notNull())
    .addColumn('document_id', type.bigint)
    .addColumn('correlation_id', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('duration_ms', type.float, (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('payload', 'text')
    .execute();
  await db.schema.createIndex('hook_deliveries_at').on('hook_deliveries').column('at').execute();
  await db.schema
    .createTable('alert_states')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('value', type.float)
    .addColumn('since', 'text', (column) => column.notNull())
    .addColumn('fired_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('message', 'text')
    .execute();
  await db.schema.alterTable('jobs').addColumn('trace_parent', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('trace_parent').execute();
  await db.schema.dropTable('alert_states').ifExists().execute();
  await db.schema.dropTable('hook_deliveries').ifExists().execute();
}
