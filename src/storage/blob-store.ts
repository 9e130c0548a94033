import type { Readable } from 'node:stream';

export interface BlobCapabilities {
  presign: boolean;
  /** The backend can store a blob straight from a local file path without buffering it. */
  putFromFile: boolean;
}

export interface BlobHead {
  key: string;
  size: number;
}

export interface PutResult {
  key: string;
  size: number;
  sha256: string;
  /** False when a verified blob with the same key was already stored (content addressing). */
  created: boolean;
}

/** A place where original document bytes live, addressed by key (derived from their sha256). */
export interface BlobStore {
  readonly name: string;
  readonly capabilities: BlobCapabilities;
  keyFor(sha256: string): string;
  /** Stores the file's bytes under keyFor(expectedSha256), verifying the hash on the way in. */
  putFile(filePath: string, expectedSha256: string): Promise<PutResult>;
  get(key: string): Promise<Readable>;
  head(key: string): Promise<BlobHead | undefined>;
  delete(key: string): Promise<void>;
  list(prefix?: string): AsyncIterable<BlobHead>;
  /** A way to reach the blob directly: a file path for local stores, a signed URL for remote ones. */
  locate(key: string): Promise<string>;
}
