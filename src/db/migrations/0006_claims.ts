import type { Kysely } from 'kysely';

/**
 * Work claims: the process that is extracting a file's content holds a lease on its sha256, so
 * several processes ingesting the same files on one catalogue extract (and OCR) each only once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('claims')
    .addColumn('sha256', 'text', (column) => column.primaryKey())
    .addColumn('owner', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('claims').ifExists().execute();
}
