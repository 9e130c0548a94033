import type { BlobStores } from '../storage/registry.js';
import type { OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';

/**
 * The configured blob backends, opened lazily by name. Commands that write or delete blobs name
 * their catalogue: writers register it in each store they open, and nobody deletes blobs from a
 * store that another catalogue has registered in.
 */
export async function blobStores(context: AppContext, catalog?: { catalog: OpenCatalog; register: boolean }): Promise<BlobStores> {
  const { BlobStores: Stores } = await import('../storage/registry.js');
  const { config, blobDir, catalogDir } = context.config;
  const identity = catalog ? { id: await catalog.catalog.repository.catalogId(), register: catalog.register } : undefined;
  return new Stores({ storage: config.storage, blobDir, catalogDir, secret: context.secret }, identity);
}
