import type { Kysely } from 'kysely';

/** Listing newest-first or by document date, with or without a type, reads an index in order. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('documents_added').on('documents').column('added_at').execute();
  await db.schema.createIndex('documents_date').on('documents').column('document_date').execute();
  await db.schema.createIndex('documents_type_added').on('documents').columns(['type', 'added_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('documents_type_added').ifExists().execute();
  await db.schema.dropIndex('documents_date').ifExists().execute();
  await db.schema.dropIndex('documents_added').ifExists().execute();
}
