import type { BlobStore } from './blob-store.js';
import { hashingStream } from './blob-store.js';
import { DoccatError } from '../errors.js';

export type BlobState = 'ok' | 'missing' | 'size' | 'corrupt';

/** Reads the blob back and hashes it: the only check that proves the bytes are there intact. */
export async function verifyBlob(store: BlobStore, key: string, sha256: string, size: number): Promise<BlobState> {
  const head = await store.head(key);
  if (!head) return 'missing';
  if (head.size !== size) return 'size';
  let stream;
  try {
    stream = await store.get(key);
  } catch (error) {
    if (error instanceof DoccatError && error.code === 'E_BLOB_MISSING') return 'missing';
    throw error;
  }
  const hashing = hashingStream();
  for await (const chunk of stream.pipe(hashing.stream)) void chunk;
  return hashing.result().sha256 === sha256 ? 'ok' : 'corrupt';
}

/**
 * Copies a blob between stores and verifies it at the destination by reading it back. When the
 * destination already holds a verified copy, nothing is copied: a resumed migration never
 * transfers a blob twice.
 */
export async function copyVerified(source: BlobStore, destination: BlobStore, key: string, sha256: string, size: number): Promise<'copied' | 'present'> {
  if ((await verifyBlob(destination, key, sha256, size)) === 'ok') return 'present';
  await destination.put(await source.get(key), sha256);
  const state = await verifyBlob(destination, key, sha256, size);
  if (state !== 'ok') {
    throw new DoccatError('E_STORAGE_CORRUPT', `${destination.name}: the copy of ${key} reads back ${state === 'missing' ? 'as missing' : state === 'size' ? 'with another size' : 'with other bytes'}`, {
      hint: 'the destination store alters or loses objects; check its settings before migrating',
    });
  }
  return 'copied';
}
