import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository } from '../db/documents.js';
import type { BlobStore } from '../storage/blob-store.js';

/**
 * Deleting a blob (`doccat delete`, orphans in `storage verify --repair`) races with ingests that
 * are about to commit a document pointing at the same key. An ingest holds the claim on the
 * content's sha256 from before it stores the blob until after its commit; the deleter takes the
 * same claim, and only then checks that no document refers to the key.
 */

/** How long a deleter's claim lasts; it holds it only for the check and the delete. */
export const REMOVAL_CLAIM_MS = 60_000;

/** Why a blob was not deleted. */
export type BlobKeptReason =
  /** Another process holds the claim on its content: an ingest is storing it right now. */
  | 'in-use'
  /** Another catalogue is registered in the store: the blob may be that catalogue's. */
  | 'shared'
  /** A document refers to it (again). */
  | 'referenced';

export type BlobRemoval = { removed: true } | { removed: false; kept: BlobKeptReason };

export interface BlobRemovalDependencies {
  repository: DocumentRepository;
  claims: ClaimRepository;
  /** The other catalogues registered in the store (storage/catalog-registration.ts). */
  otherCatalogs(): Promise<readonly string[]>;
}

export async function removeUnusedBlob(store: BlobStore, key: string, deps: BlobRemovalDependencies): Promise<BlobRemoval> {
  if ((await deps.otherCatalogs()).length > 0) return { removed: false, kept: 'shared' };
  const sha256 = /^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key)?.[1];
  // Keys are content hashes; a key of another shape has no content claim to take.
  if (sha256 !== undefined && !(await deps.claims.claim(sha256))) return { removed: false, kept: 'in-use' };
  try {
    if (await deps.repository.isBlobKeyReferenced(key)) return { removed: false, kept: 'referenced' };
    await store.delete(key);
    return { removed: true };
  } finally {
    if (sha256 !== undefined) await deps.claims.release(sha256).catch(() => undefined);
  }
}

/** What to tell a person about a blob that was kept. */
export function keptHint(reason: BlobKeptReason): string {
  switch (reason) {
    case 'in-use':
      return 'an ingest is storing the same content right now; run `doccat storage verify --repair` later to remove it if it stays unused';
    case 'shared':
      return 'another catalogue is registered in this store (catalogs/<id>), so doccat deletes no blobs from it; give each catalogue its own bucket prefix or folder, or remove the registration of a catalogue that no longer exists';
    case 'referenced':
      return 'a document refers to this blob again';
  }
}
