import type { Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/**
 * Provider answers cached by prompt, provider and model; a record of every provider call; and
 * the metadata read from each source (e-mail sender, PDF title), so reclassifying sees it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  await db.schema.alterTable('documents').addColumn('metadata', 'text', (column) => column.notNull().defaultTo('{}')).execute();
  await db.schema
    .createTable('ai_cache')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('prompt_version', 'text', (column) => column.notNull())
    .addColumn('result', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('ai_calls')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('latency_ms', type.bigint, (column) => column.notNull())
    .addColumn('input_tokens', type.bigint, (column) => column.notNull())
    .addColumn('output_tokens', type.bigint, (column) => column.notNull())
    .addColumn('cost_usd', type.float, (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('correlation_id', 'text')
    .execute();
  // Budgets sum today's tokens per provider; stats read by time.
  await db.schema.createIndex('ai_calls_provider_at').on('ai_calls').columns(['provider', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ai_calls').ifExists().execute();
  await db.schema.dropTable('ai_cache').ifExists().execute();
}
