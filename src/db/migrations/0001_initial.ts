import { sql, type Kysely } from 'kysely';
import { columnTypes, dialectOf, perDialect, primaryKey } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  const id = primaryKey(dialect);
  await db.schema
    .createTable('documents')
    .addColumn('id', type.id, id)
    .addColumn('sha256', 'text', (column) => column.notNull().unique())
    .addColumn('size', type.bigint, (column) => column.notNull())
    .addColumn('mime', 'text', (column) => column.notNull())
    .addColumn('original_name', 'text', (column) => column.notNull())
    .addColumn('blob_backend', 'text', (column) => column.notNull())
    .addColumn('blob_key', 'text', (column) => column.notNull())
    .addColumn('method', 'text', (column) => column.notNull())
    .addColumn('pages', 'integer', (column) => column.notNull())
    .addColumn('words', 'integer', (column) => column.notNull())
    .addColumn('language', 'text')
    .addColumn('ocr_confidence', type.float)
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('tags', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('document_date', 'text')
    .addColumn('correspondent', 'text')
    .addColumn('class_confidence', type.float, (column) => column.notNull())
    .addColumn('class_rule', 'text', (column) => column.notNull())
    .addColumn('classifier', 'text', (column) => column.notNull())
    .addColumn('fields', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('warnings', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('text', 'text', (column) => column.notNull())
    .addColumn('added_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('documents_type').on('documents').column('type').execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', type.id, id)
    .addColumn('path', 'text', (column) => column.notNull().unique())
    .addColumn('document_id', type.bigint, (column) => column.references('documents.id').onDelete('set null'))
    .addColumn('sha256', 'text')
    .addColumn('size', type.bigint)
    .addColumn('mtime_ms', type.float)
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_hint', 'text')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('first_seen', 'text', (column) => column.notNull())
    .addColumn('last_seen', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('sources_document').on('sources').column('document_id').execute();
  await db.schema.createIndex('sources_status').on('sources').column('status').execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('totals', 'text', (column) => column.notNull().defaultTo('{}'))
    .execute();

  await perDialect(db, {
    sqlite: async () => {
      // Full-text index; rowid is the document id. Diacritics are folded so "Muller" finds "Müller".
      await sql`CREATE VIRTUAL TABLE documents_fts USING fts5(title, tags, correspondent, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    },
    postgres: async () => {
      // One weighted tsvector per document, built from text doccat has already folded and split the
      // same way as the query (text/fold.ts), so no extension (unaccent) or superuser is needed.
      await sql`CREATE TABLE documents_fts (document_id bigint PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE, tsv tsvector NOT NULL)`.execute(db);
      await sql`CREATE INDEX documents_fts_tsv ON documents_fts USING gin (tsv)`.execute(db);
    },
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS documents_fts`.execute(db);
  await db.schema.dropTable('runs').ifExists().execute();
  await db.schema.dropTable('sources').ifExists().execute();
  await db.schema.dropTable('documents').ifExists().execute();
}
