import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Two things for running on many machines.
 *
 * `workers`: one row per `doccat worker` or `watch` process, beating while it takes jobs, so that
 * the jobs (and content claims) of one that stopped beating are given back at once instead of when
 * their lease or pg-boss's expiry runs out (db/workers.ts). Times are the database's clock, so
 * machines whose clocks differ agree on who is silent.
 *
 * Postgres only: `documents_fts.head`, the title, tags and correspondent lexemes of the search
 * vector (weights A-C), kept by Postgres itself. It is a few dozen bytes and stays in the row, so
 * relevance can be ranked for every match without reading each document's whole vector, which is
 * TOASTed for longer documents (db/search-postgres.ts). And two covering indexes, narrow copies of
 * what filters read (documents' own columns, sources' paths): a filter is then tested on an
 * index-only scan instead of a visit to each wide row (the text of short documents is in it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('pid', 'integer', (column) => column.notNull())
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('beat_at', 'text', (column) => column.notNull())
    // What it holds now, as JSON [{ job, path, since }]; for `queue status` only.
    .addColumn('jobs', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('stopped_at', 'text')
    // Set by the worker that found it silent and gave its jobs back.
    .addColumn('dead_at', 'text')
    .execute();
  await perDialect(db, {
    postgres: async () => {
      await sql`ALTER TABLE documents_fts ADD COLUMN head tsvector GENERATED ALWAYS AS (ts_filter(tsv, '{a,b,c}')) STORED`.execute(db);
      // Kept in the row (compressed at most) even when the row is large.
      await sql`ALTER TABLE documents_fts ALTER COLUMN head SET STORAGE MAIN`.execute(db);
      // Finds the few title/tag/correspondent matches of a word that is common in bodies.
      await sql`CREATE INDEX documents_fts_head ON documents_fts USING gin (head)`.execute(db);
      await sql`CREATE INDEX documents_filters ON documents (id) INCLUDE (type, document_date, added_at, correspondent, title, method, mime, language)`.execute(db);
      await sql`CREATE INDEX sources_document_path ON sources (document_id) INCLUDE (path, status)`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('workers').ifExists().execute();
  await perDialect(db, {
    postgres: async () => {
      await sql`DROP INDEX IF EXISTS sources_document_path`.execute(db);
      await sql`DROP INDEX IF EXISTS documents_filters`.execute(db);
      await sql`ALTER TABLE documents_fts DROP COLUMN IF EXISTS head`.execute(db); // and its index
    },
  });
}
