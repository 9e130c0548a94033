import { sql, type Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/** Manual corrections, the classification history, and an audit trail of every change. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  await db.schema.alterTable('documents').addColumn('manual_fields', 'text', (column) => column.notNull().defaultTo('[]')).execute();
  await db.schema
    .createTable('classifications')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('document_id', type.bigint, (column) => column.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('classifier', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('tags', 'text', (column) => column.notNull())
    .addColumn('document_date', 'text')
    .addColumn('correspondent', 'text')
    .addColumn('confidence', type.float, (column) => column.notNull())
    .addColumn('rule', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('classifications_document').on('classifications').column('document_id').execute();
  await db.schema
    .createTable('audit')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('document_id', type.bigint)
    .addColumn('command', 'text', (column) => column.notNull())
    .addColumn('field', 'text', (column) => column.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('audit_document').on('audit').column('document_id').execute();
  // Documents catalogued before this migration get their first history entry from their row.
  await sql`INSERT INTO classifications (document_id, classifier, type, title, tags, document_date, correspondent, confidence, rule, created_at)
    SELECT id, classifier, type, title, tags, document_date, correspondent, class_confidence, class_rule, added_at FROM documents`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit').ifExists().execute();
  await db.schema.dropTable('classifications').ifExists().execute();
  await db.schema.alterTable('documents').dropColumn('manual_fields').execute();
}
