import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';

/**
 * Prefix queries (insur*) get FTS5 prefix indexes, and tags get a table of their own so that
 * tag: filters read an index instead of parsing every document's JSON.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      // tsquery prefixes (word:*) need no index of their own; tags are compared case-insensitively.
      await sql`CREATE TABLE document_tags (document_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, tag text NOT NULL)`.execute(db);
      await sql`CREATE UNIQUE INDEX document_tags_unique ON document_tags (document_id, lower(tag))`.execute(db);
      await sql`CREATE INDEX document_tags_tag ON document_tags (lower(tag), document_id)`.execute(db);
      await sql`INSERT INTO document_tags (document_id, tag) SELECT d.id, j.value FROM documents d, jsonb_array_elements_text(d.tags::jsonb) j ON CONFLICT DO NOTHING`.execute(db);
    },
    sqlite: async () => {
      await sql`CREATE VIRTUAL TABLE documents_fts_next USING fts5(title, tags, correspondent, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')`.execute(db);
      await sql`INSERT INTO documents_fts_next (rowid, title, tags, correspondent, body) SELECT rowid, title, tags, correspondent, body FROM documents_fts`.execute(db);
      await sql`DROP TABLE documents_fts`.execute(db);
      await sql`ALTER TABLE documents_fts_next RENAME TO documents_fts`.execute(db);

      await sql`CREATE TABLE document_tags (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    tag TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (document_id, tag)
  )`.execute(db);
      await sql`CREATE INDEX document_tags_tag ON document_tags (tag, document_id)`.execute(db);
      await sql`INSERT OR IGNORE INTO document_tags (document_id, tag) SELECT d.id, j.value FROM documents d, json_each(d.tags) j`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS document_tags`.execute(db);
}
