import path from 'node:path';
import type * as z from 'zod';
import { localBackendSchema, s3BackendSchema } from '../../config/schema/backends.js';
import type { BlobStore } from '../blob-store.js';

/**
 * Every blob backend type doccat knows, with everything the rest of the code needs about it: the
 * options schema under `storage.backends.<name>` (the config schema's union is built from these),
 * which options are secret references (`config check` resolves them), where its blobs are on
 * this machine's disk if they are files, and how to open it. Adding a backend is its file
 * (backends/<type>.ts) and one entry here; its options schema goes beside the others in
 * config/schema/storage.ts unless its file is light enough to hold it.
 *
 * Nothing here imports a backend's file: the config schema reads this module at start-up, and
 * the S3 SDK must load only for a command that opens an S3 store.
 */

export interface BackendContext {
  /** Relative paths in a backend's options are relative to the catalogue folder. */
  catalogDir: string;
  /** The value of a secret reference from the backend's options; undefined when it is not set. */
  secret(reference: string): { value: string; id: string } | undefined;
}

/** Options of one backend, as its schema parses them (`type` included). */
export type BackendOptions<Schema extends z.ZodType> = z.output<Schema>;

export interface BackendType<Schema extends z.ZodType<{ type: string }> = z.ZodType<{ type: string }>> {
  type: string;
  schema: Schema;
  /** Options holding secret references (env:, file:, cmd:); `optional` ones may stay unset. */
  secretOptions: readonly { option: string; optional: boolean }[];
  /** The folder its blobs are files in, for backends whose blobs are files on this machine. */
  localRoot?(options: BackendOptions<Schema>, catalogDir: string): string;
  open(name: string, options: BackendOptions<Schema>, context: BackendContext): Promise<BlobStore>;
}

/** Keeps each entry's options type tied to its own schema inside the list. */
function backend<Schema extends z.ZodType<{ type: string }>>(entry: BackendType<Schema>): BackendType<Schema> {
  return entry;
}

const localRoot = (options: { path: string }, catalogDir: string) => path.resolve(catalogDir, options.path);

// Only data here: backend-types.ts derives the rest, so that a test can add an entry by mocking
// this module alone.
export const BACKEND_TYPES = [
  backend({ type: 'local', schema: localBackendSchema, secretOptions: [], localRoot, open: async (name, options, context) => (await import('./local.js')).LocalBlobStore.open(name, localRoot(options, context.catalogDir)) }),
  backend({
    type: 's3',
    schema: s3BackendSchema,
    secretOptions: [
      { option: 'accessKeyId', optional: false },
      { option: 'secretAccessKey', optional: false },
      { option: 'sessionToken', optional: true },
    ],
    open: async (name, options, context) => (await import('./s3.js')).openS3BlobStore(name, options, context),
  }),
] as const;
