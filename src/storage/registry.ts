import type { BlobStore } from './blob-store.js';

export interface LocalStoreOptions {
  backend: 'local';
  root: string;
}

export type BlobStoreOptions = LocalStoreOptions;

/** Backend name -> lazily imported implementation, so unused backends cost nothing at start-up. */
export async function createBlobStore(options: BlobStoreOptions): Promise<BlobStore> {
  switch (options.backend) {
    case 'local': {
      const { LocalBlobStore } = await import('./backends/local.js');
      return LocalBlobStore.open(options.root);
    }
  }
}
