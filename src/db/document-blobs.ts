import type { Kysely } from 'kysely';
import type { BlobLocation, BlobPage, DocumentRow, StoredBlob } from './document-types.js';
import type { Database } from './schema.js';

/** Where documents' blobs are, for the storage jobs (migrate, verify, gc) and `get`: reads only. */

/** True when some document's blob (original or searchable PDF) is stored under this key (on any backend). */
export async function isBlobKeyReferenced(db: Kysely<Database>, key: string): Promise<boolean> {
  const asOriginal = await db.selectFrom('documents').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
  return asOriginal !== undefined || (await db.selectFrom('documents').select('id').where('searchable_key', '=', key).limit(1).executeTakeFirst()) !== undefined;
}

/** True when some document's original or searchable PDF is this key on this backend. */
export async function isBlobKeyReferencedOn(db: Kysely<Database>, key: string, backend: string): Promise<boolean> {
  const row = await db
    .selectFrom('documents')
    .select('id')
    .where((eb) => eb.or([eb.and([eb('blob_key', '=', key), eb('blob_backend', '=', backend)]), eb.and([eb('searchable_key', '=', key), eb('searchable_backend', '=', backend)])]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Where a document's original is, without reading its text. */
export async function blobLocation(db: Kysely<Database>, id: number): Promise<BlobLocation | undefined> {
  const row = await db.selectFrom('documents').select(['id', 'sha256', 'size', 'blob_backend', 'blob_key']).where('id', '=', id).executeTakeFirst();
  return row && { ...row, role: 'original' };
}

/**
 * The blobs of a page of documents, by id (`limit` documents; a document's original and its
 * searchable PDF come together), optionally only blobs on (or not on) a backend. The next page
 * starts after `lastId`; fewer than `limit` documents means there is none.
 */
export async function blobPage(db: Kysely<Database>, afterId: number, limit: number, filter: { on?: string; notOn?: string } = {}): Promise<BlobPage> {
  let query = db
    .selectFrom('documents')
    .select(['id', 'sha256', 'size', 'blob_backend', 'blob_key', 'searchable_sha256', 'searchable_size', 'searchable_backend', 'searchable_key'])
    .where('id', '>', afterId);
  if (filter.on !== undefined) {
    const on = filter.on;
    query = query.where((eb) => eb.or([eb('blob_backend', '=', on), eb('searchable_backend', '=', on)]));
  }
  if (filter.notOn !== undefined) {
    const notOn = filter.notOn;
    query = query.where((eb) => eb.or([eb('blob_backend', '!=', notOn), eb.and([eb('searchable_key', 'is not', null), eb('searchable_backend', '!=', notOn)])]));
  }
  const rows = await query.orderBy('id').limit(limit).execute();
  const locations: BlobLocation[] = [];
  for (const row of rows) {
    locations.push({ id: row.id, role: 'original', sha256: row.sha256, size: Number(row.size), blob_backend: row.blob_backend, blob_key: row.blob_key });
    if (row.searchable_key !== null && row.searchable_sha256 !== null && row.searchable_backend !== null) {
      locations.push({ id: row.id, role: 'searchable', sha256: row.searchable_sha256, size: Number(row.searchable_size), blob_backend: row.searchable_backend, blob_key: row.searchable_key });
    }
  }
  return {
    blobs: locations.filter((location) => (filter.on === undefined || location.blob_backend === filter.on) && (filter.notOn === undefined || location.blob_backend !== filter.notOn)),
    documents: rows.length,
    lastId: rows[rows.length - 1]?.id ?? afterId,
  };
}

/** Documents per blob backend (where their originals are). */
export async function countByBackend(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('documents').select(['blob_backend', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('blob_backend').execute();
  return new Map(rows.map((row) => [row.blob_backend, Number(row.count)]));
}

/** Blobs the catalogue refers to: every original, and the searchable PDFs. */
export async function countBlobs(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('documents')
    .select((eb) => [eb.fn.countAll<number>().as('originals'), eb.fn.count<number>('searchable_key').as('searchable')])
    .executeTakeFirstOrThrow();
  return Number(row.originals) + Number(row.searchable);
}

/** Every blob key some document refers to, wherever its blob is: originals and searchable PDFs. */
export async function referencedKeys(db: Kysely<Database>): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const row of await db.selectFrom('documents').select(['blob_key', 'searchable_key']).execute()) {
    keys.add(row.blob_key);
    if (row.searchable_key !== null) keys.add(row.searchable_key);
  }
  return keys;
}

/** A document row's searchable PDF blob, if it has one. */
export function storedSearchable(row: Pick<DocumentRow, 'searchable_sha256' | 'searchable_size' | 'searchable_backend' | 'searchable_key'>): StoredBlob | undefined {
  if (row.searchable_sha256 === null || row.searchable_size === null || row.searchable_backend === null || row.searchable_key === null) return undefined;
  return { sha256: row.searchable_sha256, size: Number(row.searchable_size), backend: row.searchable_backend, key: row.searchable_key };
}
