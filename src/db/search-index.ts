import type { Kysely } from 'kysely';
import { dialectFor } from './dialect.js';
import type { IndexedFields } from './dialect/types.js';
import type { Database } from './schema.js';

/**
 * A document's full-text entry, in the form of the catalogue's dialect: an FTS5 row keyed by rowid
 * on SQLite (dialect/sqlite.ts), one weighted tsvector on Postgres (dialect/postgres.ts).
 */

export type { IndexedFields } from './dialect/types.js';

export async function writeSearchEntry(db: Kysely<Database>, documentId: number, fields: IndexedFields): Promise<void> {
  await dialectFor(db).writeSearchEntry(db, documentId, fields);
}

export async function deleteSearchEntry(db: Kysely<Database>, documentId: number): Promise<void> {
  await dialectFor(db).deleteSearchEntry(db, documentId);
}
