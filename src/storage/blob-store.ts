import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { DoccatError, ExitCode } from '../errors.js';

export interface BlobCapabilities {
  /** get --url gives a signed URL that works without doccat (S3), rather than a file path. */
  presign: boolean;
}

export interface BlobHead {
  key: string;
  size: number;
  modified?: Date;
  /** The sha256 the backend recorded at put time (S3 object metadata), when it keeps one. */
  sha256?: string;
}

export interface PutResult {
  key: string;
  size: number;
  sha256: string;
  /** False when a blob with this key and the right size was already there (content addressing). */
  created: boolean;
  /** The backend that holds the blob now (a fallback store may have taken it). */
  backend: string;
}

export interface PutFileOptions {
  /** The caller hashed exactly this file and gives it away: the store may rename it into place. */
  take?: boolean;
}

export interface HealthResult {
  latencyMs: number;
}

/**
 * A place where original document bytes live, addressed by key. Keys are the same in every
 * backend (sha256/ab/cd/<sha256>), so moving a blob never changes its key.
 */
export interface BlobStore {
  /** The backend's configured name ("local", "archive", ...), as recorded in document rows. */
  readonly name: string;
  /** The backend type's name in the registry (backends/registry.ts), or "fallback". */
  readonly type: string;
  readonly capabilities: BlobCapabilities;
  /** Streams the bytes in under keyFor(expectedSha256), computing the hash on the way in. */
  put(body: Readable, expectedSha256: string): Promise<PutResult>;
  /**
   * put() from a file, usually a private staged copy whose sha256 was computed from these very
   * bytes. The upload is skipped only where the store can prove the blob there has this sha256
   * (S3's recorded metadata and size); the local backend writes it again instead, atomically,
   * which also heals a damaged copy. With `take`, the store may move the file into place instead
   * of copying it (local, same filesystem): the file is gone afterwards.
   */
  putFile(filePath: string, expectedSha256: string, options?: PutFileOptions): Promise<PutResult>;
  /** A small object under a key outside sha256/, such as a catalogue's registration. */
  putSmall(key: string, bytes: Buffer): Promise<void>;
  /** The bytes; E_BLOB_MISSING when there is no such blob. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<BlobHead | undefined>;
  delete(key: string): Promise<void>;
  /** Every blob whose key starts with the prefix, across as many pages as the backend needs. */
  list(prefix?: string): AsyncIterable<BlobHead>;
  /** A way to reach the blob without doccat: a file path, or a signed URL valid for a while. */
  locate(key: string, expiresInSeconds?: number): Promise<string>;
  /** Write, read back and delete a small probe object; throws what went wrong. */
  check(): Promise<HealthResult>;
}

export function blobKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DoccatError('E_STORAGE_KEY', `not a sha256: ${sha256}`);
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/**
 * Keys are relative paths: no empty, "." or ".." segment, no leading slash, no NUL or backslash.
 * Checked by every backend, so a key from a damaged row can never reach outside its store.
 */
export function assertSafeKey(backend: string, key: string): void {
  const segments = key.split('/');
  if (key.length === 0 || key.length > 1024 || /[\0\\]/.test(key) || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new DoccatError('E_STORAGE_KEY', `${backend}: refusing the key "${key}": it could point outside the store`, { hint: 'keys are relative paths without . or .. segments' });
  }
}

/** A pass-through stream that hashes and counts what flows through it. */
export function hashingStream(): { stream: Transform; result(): { sha256: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}

export function checksumMismatch(backend: string, key: string, expected: string, actual: string): DoccatError {
  return new DoccatError('E_CHECKSUM_MISMATCH', `${backend}: the bytes for ${key} hash to ${actual.slice(0, 12)}…, not ${expected.slice(0, 12)}…`, {
    hint: 'the source changed or is damaged; nothing was stored under that key',
  });
}

/**
 * putFile for a backend that records each blob's sha256 (S3 object metadata): skip the upload
 * when the blob there has this file's size and its recorded sha256 is the one expected; a blob
 * without a recorded hash is not trusted and is written again. A hash mismatch while reading a
 * file means the file changed under us.
 */
export async function putFileInto(store: BlobStore, filePath: string, expectedSha256: string): Promise<PutResult> {
  const key = blobKey(expectedSha256);
  const [existing, stat] = await Promise.all([store.head(key), fs.promises.stat(filePath)]);
  if (existing && existing.size === stat.size && existing.sha256 === expectedSha256) {
    return { key, size: stat.size, sha256: expectedSha256, created: false, backend: store.name };
  }
  try {
    const put = await store.put(fs.createReadStream(filePath), expectedSha256);
    return { ...put, created: existing === undefined };
  } catch (error) {
    throw fileChangedIfMismatch(error);
  }
}

export function fileChangedIfMismatch(error: unknown): unknown {
  if (error instanceof DoccatError && error.code === 'E_CHECKSUM_MISMATCH') {
    return new DoccatError('E_FILE_CHANGED', 'the file changed while it was being catalogued', { hint: 'wait until the file is completely written, then run ingest again', cause: error });
  }
  return error;
}

export function blobMissing(backend: string, key: string, cause?: unknown): DoccatError {
  return new DoccatError('E_BLOB_MISSING', `${backend}: no blob ${key}`, { hint: 'run `doccat storage verify --repair` to restore it from another backend', exitCode: ExitCode.someFailed, cause });
}
