import type { Kysely } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.js';

/**
 * The learned classifier lives in the catalogue, so that every machine and process working on a
 * catalogue (SQLite or Postgres) classifies with the same model. `fingerprint` is a hash of the
 * labels it was trained on: when the labels set by hand change, the model is stale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const type = columnTypes(dialectOf(db));
  await db.schema
    .createTable('learned_models')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('format', 'integer', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('trained_at', 'text', (column) => column.notNull())
    .addColumn('documents', 'integer', (column) => column.notNull())
    .addColumn('train_ms', 'integer', (column) => column.notNull())
    .addColumn('summary', 'text', (column) => column.notNull())
    .addColumn('model', type.bytes, (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('learned_models').ifExists().execute();
}
