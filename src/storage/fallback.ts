import type { Readable } from 'node:stream';
import { DoccatError } from '../errors.js';
import type { BlobHead, BlobStore, HealthResult, PutFileOptions, PutResult } from './blob-store.js';

/** After the primary failed, new blobs go straight to the fallback for this long. */
const PRIMARY_RETRY_MS = 30_000;

/**
 * Writes go to the primary, or to the fallback while the primary is unavailable; PutResult says
 * which one took the blob, so the document row records it. `doccat storage sync` moves such
 * blobs to the primary later. Everything but writing is the primary's.
 */
export class FallbackBlobStore implements BlobStore {
  readonly type = 'fallback';
  private primaryDownUntil = 0;

  constructor(
    private readonly primary: BlobStore,
    private readonly fallback: () => Promise<BlobStore>,
  ) {}

  get name(): string {
    return this.primary.name;
  }

  get capabilities() {
    return this.primary.capabilities;
  }

  put(body: Readable, expectedSha256: string): Promise<PutResult> {
    // A stream can be read once, so it cannot be offered to a second store after a failure.
    return this.primary.put(body, expectedSha256);
  }

  async putFile(filePath: string, expectedSha256: string, options?: PutFileOptions): Promise<PutResult> {
    if (performance.now() >= this.primaryDownUntil) {
      try {
        // A store that fails has not taken the file (the rename is its last step): it is still there.
        return await this.primary.putFile(filePath, expectedSha256, options);
      } catch (error) {
        if (!(error instanceof DoccatError && error.code === 'E_STORAGE_UNAVAILABLE')) throw error;
        this.primaryDownUntil = performance.now() + PRIMARY_RETRY_MS;
      }
    }
    return (await this.fallback()).putFile(filePath, expectedSha256, options);
  }

  putSmall(key: string, bytes: Buffer): Promise<void> {
    return this.primary.putSmall(key, bytes);
  }

  get(key: string): Promise<Readable> {
    return this.primary.get(key);
  }

  head(key: string): Promise<BlobHead | undefined> {
    return this.primary.head(key);
  }

  delete(key: string): Promise<void> {
    return this.primary.delete(key);
  }

  list(prefix?: string): AsyncIterable<BlobHead> {
    return this.primary.list(prefix);
  }

  locate(key: string, expiresInSeconds?: number): Promise<string> {
    return this.primary.locate(key, expiresInSeconds);
  }

  check(): Promise<HealthResult> {
    return this.primary.check();
  }
}
