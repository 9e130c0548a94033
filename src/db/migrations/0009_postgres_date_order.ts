import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Postgres reads documents_date backwards as DESC NULLS FIRST, so "newest document date first,
 * undated last" could not walk it and sorted every match instead. SQLite puts NULLs last in
 * descending order by itself and needs nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`CREATE INDEX documents_date_order ON documents (document_date DESC NULLS LAST, id DESC)`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`DROP INDEX IF EXISTS documents_date_order`.execute(db);
    },
  });
}
