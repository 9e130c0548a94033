import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Postgres only: `sources_document` goes. `sources_document_path` (migration 0015) has the same key
 * and carries the path and status, so a path filter tested on each document of a walk in date order
 * is answered from that index alone; with both present the planner took the narrower one and
 * visited the table for every path (a million documents: most of a 2-second search).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`DROP INDEX IF EXISTS sources_document`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`CREATE INDEX IF NOT EXISTS sources_document ON sources (document_id)`.execute(db);
    },
  });
}
