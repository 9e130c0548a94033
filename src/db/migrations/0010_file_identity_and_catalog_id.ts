import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { columnTypes, dialectOf } from '../dialect.js';

/**
 * Sources remember which file they were read from (`<dev>:<ino>`, as text: inode numbers can pass
 * 2^53) and its ctime, so that "unchanged" means the same file, not just the same size and
 * mtime. `catalog_meta` holds the catalogue's id, made here when a catalogue is created or
 * upgraded; blob stores a catalogue writes to carry it (`catalogs/<id>`), so that no catalogue
 * deletes blobs from a store another one uses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const type = columnTypes(dialectOf(db));
  await db.schema.alterTable('sources').addColumn('file_id', 'text').execute();
  await db.schema.alterTable('sources').addColumn('ctime_ms', type.float).execute();
  await db.schema
    .createTable('catalog_meta')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .execute();
  // Kysely<unknown> knows no tables; the row is written through a view of this one table.
  await (db as unknown as Kysely<{ catalog_meta: { key: string; value: string } }>).insertInto('catalog_meta').values({ key: 'catalog_id', value: randomUUID() }).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalog_meta').ifExists().execute();
  await db.schema.alterTable('sources').dropColumn('ctime_ms').execute();
  await db.schema.alterTable('sources').dropColumn('file_id').execute();
}
