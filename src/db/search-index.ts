import { sql, type Kysely } from 'kysely';
import { searchTokens } from '../text/fold.js';
import { dialectOf } from './dialect.js';
import type { Database } from './schema.js';

/**
 * Writes a document's full-text entry. SQLite: an FTS5 row keyed by rowid. Postgres: one tsvector
 * with title, tags, correspondent and body weighted A to D, built from searchTokens() so that
 * folding and splitting match what db/search-postgres.ts does to a query.
 */

export interface IndexedFields {
  title: string;
  tags: readonly string[];
  correspondent: string | null;
  /** Absent when only the other fields changed (tags, a corrected title). */
  body?: string;
}

/** A tsvector holds at most 1 MB; text past this many characters is not indexed in Postgres. */
const MAX_INDEXED_BODY = 400_000;

function tokens(text: string): string {
  return searchTokens(text).join(' ');
}

export async function writeSearchEntry(db: Kysely<Database>, documentId: number, fields: IndexedFields): Promise<void> {
  const tags = fields.tags.join(' ');
  const correspondent = fields.correspondent ?? '';
  if (dialectOf(db) === 'sqlite') {
    if (fields.body !== undefined) {
      await sql`INSERT INTO documents_fts(rowid, title, tags, correspondent, body) VALUES (${documentId}, ${fields.title}, ${tags}, ${correspondent}, ${fields.body})`.execute(db);
    } else {
      await sql`UPDATE documents_fts SET title = ${fields.title}, tags = ${tags}, correspondent = ${correspondent} WHERE rowid = ${documentId}`.execute(db);
    }
    return;
  }
  const head = sql`setweight(to_tsvector('simple', ${tokens(fields.title)}), 'A') || setweight(to_tsvector('simple', ${tokens(tags)}), 'B') || setweight(to_tsvector('simple', ${tokens(correspondent)}), 'C')`;
  if (fields.body !== undefined) {
    await sql`INSERT INTO documents_fts (document_id, tsv) VALUES (${documentId}, ${head} || setweight(to_tsvector('simple', ${tokens(fields.body.slice(0, MAX_INDEXED_BODY))}), 'D'))`.execute(db);
  } else {
    // Keep the body's lexemes (weight D) and replace the rest.
    await sql`UPDATE documents_fts SET tsv = ${head} || ts_filter(tsv, '{d}') WHERE document_id = ${documentId}`.execute(db);
  }
}

export async function deleteSearchEntry(db: Kysely<Database>, documentId: number): Promise<void> {
  if (dialectOf(db) === 'sqlite') await sql`DELETE FROM documents_fts WHERE rowid = ${documentId}`.execute(db);
  else await sql`DELETE FROM documents_fts WHERE document_id = ${documentId}`.execute(db);
}
