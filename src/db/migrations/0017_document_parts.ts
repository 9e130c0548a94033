import type { Kysely } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.js';

/**
 * Documents that came out of other documents: an e-mail's attachments, an mbox's messages. A link,
 * not a column on the child: one attachment sent in several e-mails is one document (content
 * addressing) with several parents. `position` is the part's place in its parent, `name` the name
 * it had there (an attachment's file name).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const type = columnTypes(dialectOf(db));
  await db.schema
    .createTable('document_parts')
    .addColumn('parent_id', type.bigint, (column) => column.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('child_id', type.bigint, (column) => column.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('document_parts_pkey', ['parent_id', 'position'])
    .execute();
  await db.schema.createIndex('document_parts_child').on('document_parts').columns(['child_id', 'parent_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('document_parts').ifExists().execute();
}
