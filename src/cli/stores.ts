import path from 'node:path';
import type { BlobStores } from '../storage/registry.js';
import type { CommandContext } from './context.js';

/** The configured blob backends, opened lazily by name. */
export async function blobStores(context: CommandContext): Promise<BlobStores> {
  const { BlobStores: Stores } = await import('../storage/registry.js');
  const { config, blobDir, catalogDir, filepath } = context.loaded;
  return new Stores({ storage: config.storage, blobDir, catalogDir, ...(filepath ? { baseDir: path.dirname(filepath) } : {}) });
}
