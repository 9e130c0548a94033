import type { Kysely } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.js';

/**
 * A document's searchable PDF (issue 15): a second blob, content-addressed like the original
 * (its own sha256, size and key), on its own backend column because a fallback store may take
 * one of the two blobs and not the other. All null for documents without one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const type = columnTypes(dialectOf(db));
  await db.schema.alterTable('documents').addColumn('searchable_sha256', 'text').execute();
  await db.schema.alterTable('documents').addColumn('searchable_size', type.bigint).execute();
  await db.schema.alterTable('documents').addColumn('searchable_backend', 'text').execute();
  await db.schema.alterTable('documents').addColumn('searchable_key', 'text').execute();
  // Deleting a blob asks whether any document still refers to its key, as original or as this.
  await db.schema.createIndex('documents_searchable_key').on('documents').column('searchable_key').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('documents_searchable_key').ifExists().execute();
  for (const column of ['searchable_key', 'searchable_backend', 'searchable_size', 'searchable_sha256']) {
    await db.schema.alterTable('documents').dropColumn(column).execute();
  }
}
