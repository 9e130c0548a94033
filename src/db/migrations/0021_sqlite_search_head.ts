import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * SQLite only: `documents_fts_head`, an FTS5 index of each document's title, tags and
 * correspondent alone, as Postgres has `documents_fts.head`. Relevance puts documents with a word
 * in those fields first (db/search/sqlite-many.ts); asked of the whole index with a column filter,
 * FTS5 reads every position of a common word to find them (12 ms for "invoice", 27 for "tax OR
 * premium" at a million documents, however few there are), where this index holds only those
 * words. Contentless (the text is in documents_fts), with deletes allowed, so an entry can be
 * replaced; filled from documents_fts for existing catalogues (about 15 s per million documents).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    sqlite: async () => {
      await sql`CREATE VIRTUAL TABLE documents_fts_head USING fts5(title, tags, correspondent, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4', content = '', contentless_delete = 1)`.execute(db);
      await sql`INSERT INTO documents_fts_head (rowid, title, tags, correspondent) SELECT rowid, title, tags, correspondent FROM documents_fts`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    sqlite: async () => {
      await sql`DROP TABLE documents_fts_head`.execute(db);
    },
  });
}
