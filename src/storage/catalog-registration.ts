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

/**
 * A store that registers the catalogue before its first write, so that a store which is down
 * fails at that write (where the fallback store and job retries take over), not when opened.
 */
export class RegisteringBlobStore implements BlobStore {
  private registered: Promise<void> | undefined;

  constructor(
    private readonly inner: BlobStore,
    private readonly catalogId: string,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get type(): BlobStore['type'] {
    return this.inner.type;
  }

  get capabilities(): BlobStore['capabilities'] {
    return this.inner.capabilities;
  }

  private ensureRegistered(): Promise<void> {
    if (!this.registered) {
      this.registered = registerCatalog(this.inner, this.catalogId);
      // Not remembered when it failed: the next write tries again.
      this.registered.catch(() => (this.registered = undefined));
    }
    return this.registered;
  }

  async put(...args: Parameters<BlobStore['put']>): ReturnType<BlobStore['put']> {
    await this.ensureRegistered();
    return this.inner.put(...args);
  }

  async putFile(...args: Parameters<BlobStore['putFile']>): ReturnType<BlobStore['putFile']> {
    await this.ensureRegistered();
    return this.inner.putFile(...args);
  }

  putSmall(...args: Parameters<BlobStore['putSmall']>): ReturnType<BlobStore['putSmall']> {
    return this.inner.putSmall(...args);
  }

  get(...args: Parameters<BlobStore['get']>): ReturnType<BlobStore['get']> {
    return this.inner.get(...args);
  }

  head(...args: Parameters<BlobStore['head']>): ReturnType<BlobStore['head']> {
    return this.inner.head(...args);
  }

  delete(...args: Parameters<BlobStore['delete']>): ReturnType<BlobStore['delete']> {
    return this.inner.delete(...args);
  }

  list(...args: Parameters<BlobStore['list']>): ReturnType<BlobStore['list']> {
    return this.inner.list(...args);
  }

  locate(...args: Parameters<BlobStore['locate']>): ReturnType<BlobStore['locate']> {
    return this.inner.locate(...args);
  }

  check(): ReturnType<BlobStore['check']> {
    return this.inner.check();
  }
}
