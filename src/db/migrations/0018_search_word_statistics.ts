import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Postgres only: ANALYZE keeps the frequencies of ten times more search words (about 10,000
 * lexemes instead of 1,000). A word outside that list is taken to be rare, so a common word of a
 * real vocabulary ("due", in 3,271 of 100,000 documents) was expected in 500, and a search that
 * should have read a bounded walk read every match instead (db/search/postgres.ts, sizeOf). The
 * cost is a longer ANALYZE (about a second per 100,000 documents), which autovacuum runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`ALTER TABLE documents_fts ALTER COLUMN tsv SET STATISTICS 1000`.execute(db);
      // Titles, tags and correspondents have a small vocabulary: nearly all of it is then known, and
      // a word missing from the statistics is rare in them.
      await sql`ALTER TABLE documents_fts ALTER COLUMN head SET STATISTICS 1000`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`ALTER TABLE documents_fts ALTER COLUMN tsv SET STATISTICS -1`.execute(db);
      await sql`ALTER TABLE documents_fts ALTER COLUMN head SET STATISTICS -1`.execute(db);
    },
  });
}
