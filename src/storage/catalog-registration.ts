import os from 'node:os';
import type { BlobStore } from './blob-store.js';

/**
 * Which catalogues write to a blob store. Each catalogue leaves a tiny object `catalogs/<id>` in
 * every store it writes to. A blob that one catalogue does not refer to may belong to another
 * catalogue on the same bucket, prefix or folder, so blobs are never deleted from a store that
 * holds another catalogue's registration.
 */

const PREFIX = 'catalogs/';

export function registrationKey(catalogId: string): string {
  return `${PREFIX}${catalogId}`;
}

/** Leaves this catalogue's registration in the store, unless it is there already. */
export async function registerCatalog(store: BlobStore, catalogId: string): Promise<void> {
  const key = registrationKey(catalogId);
  if (await store.head(key)) return;
  const note = { catalog: catalogId, registeredAt: new Date().toISOString(), host: os.hostname() };
  await store.putSmall(key, Buffer.from(`${JSON.stringify(note)}\n`));
}

/** The ids of the other catalogues registered in the store. */
export async function otherCatalogs(store: BlobStore, catalogId: string): Promise<string[]> {
  const others: string[] = [];
  for await (const object of store.list(PREFIX)) {
    const id = object.key.slice(PREFIX.length);
    if (id !== '' && !id.includes('/') && id !== catalogId) others.push(id);
  }
  return others;
}
