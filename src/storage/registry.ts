import path from 'node:path';
import type { StorageConfig } from '../config/schema.js';
import type { SecretLookup } from '../config/secrets.js';
import { usageError } from '../errors.js';
import { backendType } from './backend-types.js';
import type { BlobStore } from './blob-store.js';
import { otherCatalogs, RegisteringBlobStore } from './catalog-registration.js';

export interface StorageSetup {
  storage: StorageConfig;
  /** Folder of the built-in "local" backend. */
  blobDir: string;
  /** Relative paths of named local backends are relative to the catalogue folder. */
  catalogDir: string;
  /** The values of the secret references backends' options name, from config/ (secretLookup). */
  secret: SecretLookup;
}

export function backendNames(setup: StorageSetup): string[] {
  return ['local', ...Object.keys(setup.storage.backends).filter((name) => name !== 'local')];
}

/**
 * Where a blob is on this machine's disk, from the configuration alone (nothing opened): in the
 * folder of the local backend it was stored in; undefined for a remote backend or an unknown name.
 */
export function localBlobPath(name: string, key: string, setup: Pick<StorageSetup, 'storage' | 'blobDir' | 'catalogDir'>): string | undefined {
  const configured = setup.storage.backends[name];
  if (!configured) return name === 'local' ? path.join(setup.blobDir, key) : undefined;
  const root = backendType(configured.type).localRoot?.(configured, setup.catalogDir);
  return root === undefined ? undefined : path.join(root, key);
}

/**
 * Backend name -> its type's registry entry, which imports the implementation: unused backends
 * cost nothing at start-up.
 */
export async function createBlobStore(name: string, setup: StorageSetup): Promise<BlobStore> {
  const configured = setup.storage.backends[name];
  if (!configured) {
    if (name !== 'local') throw usageError('E_STORAGE_UNKNOWN', `no storage backend named "${name}"`, `configured: ${backendNames(setup).join(', ')}`);
    // The built-in "local" is configured by storage.local (or not at all), not under backends.
    const { LocalBlobStore } = await import('./backends/local.js');
    return LocalBlobStore.open('local', setup.blobDir);
  }
  return backendType(configured.type).open(name, configured, { catalogDir: setup.catalogDir, secret: setup.secret });
}

/** The catalogue a command works for, as the blob stores it opens should know it. */
export interface CatalogIdentity {
  id: string;
  /** Leave the catalogue's registration in each store opened: the command writes blobs. */
  register: boolean;
}

/** Opens backends on first use and keeps them for the command's lifetime. */
export class BlobStores {
  private readonly opened = new Map<string, Promise<BlobStore>>();
  private readonly shared = new Map<string, Promise<string[]>>();

  constructor(
    readonly setup: StorageSetup,
    readonly catalog?: CatalogIdentity,
  ) {}

  get primary(): string {
    return this.setup.storage.backend;
  }

  open(name: string): Promise<BlobStore> {
    let store = this.opened.get(name);
    if (!store) {
      const catalog = this.catalog;
      store = createBlobStore(name, this.setup).then((opened) => (catalog?.register ? new RegisteringBlobStore(opened, catalog.id) : opened));
      this.opened.set(name, store);
      // A failed open is not remembered: the next use tries again.
      store.catch(() => this.opened.delete(name));
    }
    return store;
  }

  /**
   * The other catalogues registered in a store (looked up once per command). Blobs are never
   * deleted from a store another catalogue writes to: a blob this one does not know may be its.
   */
  otherCatalogsIn(name: string): Promise<string[]> {
    let others = this.shared.get(name);
    if (!others) {
      others = this.open(name).then((store) => otherCatalogs(store, this.catalog?.id ?? ''));
      this.shared.set(name, others);
      others.catch(() => this.shared.delete(name));
    }
    return others;
  }

  /** The store new blobs go to: the primary, or the primary with its fallback behind it. */
  async forWriting(): Promise<BlobStore> {
    const primary = await this.open(this.primary);
    const fallbackName = this.setup.storage.fallback;
    if (!fallbackName) return primary;
    const { FallbackBlobStore } = await import('./fallback.js');
    return new FallbackBlobStore(primary, () => this.open(fallbackName));
  }
}
