import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Postgres only: the date order's index carries the columns filters test (those of
 * documents_filters, migration 0015), so a walk in date order that tests a filter on each document
 * reads the index alone, not each document's row. With 128 MB of shared buffers (the server's
 * default) at 100,000 documents, `correspondent:acme invoice` by date visited 5,000 rows, 5,037
 * buffers; covered, 95.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`DROP INDEX IF EXISTS documents_date_order`.execute(db);
      await sql`CREATE INDEX documents_date_order ON documents (document_date DESC NULLS LAST, id DESC) INCLUDE (type, added_at, correspondent, title, method, mime, language)`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`DROP INDEX IF EXISTS documents_date_order`.execute(db);
      await sql`CREATE INDEX documents_date_order ON documents (document_date DESC NULLS LAST, id DESC)`.execute(db);
    },
  });
}
