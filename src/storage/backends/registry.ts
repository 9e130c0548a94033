import path from 'node:path';
import type * as z from 'zod';
import { localBackendSchema, s3BackendSchema } from '../../config/schema/backends.js';
import { maskUrlCredentials } from '../../config/mask.js';
import type { BlobStore } from '../blob-store.js';

/**
 * Every blob backend type doccat knows, with everything the rest of the code needs about it: the
 * options schema under `storage.backends.<name>` (the config schema's union is built from these),
 * which options are secret references (`config check` resolves them), where its blobs are on
 * this machine's disk if they are files, how to open it, and what `doccat init` asks for it (its
 * questions, their flags, and the options the answers make). Adding a backend is its file
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
  /** What `doccat init` offers for it; a type without one is not offered (it is written by hand). */
  init?: BackendInit<Schema>;
}

/** One question `doccat init` asks about a backend, and the flag that answers it without asking. */
export interface InitField {
  /** The answer's name, as `options` receives it. */
  name: string;
  /** As commander writes it, e.g. `--s3-bucket <name>`; prefixed with the type, so flags stay apart. */
  flag: `--${string} <${string}>`;
  /** The flag's help; ` (default X)` follows when there is a default. */
  help: string;
  /** The wizard's question. */
  prompt: string;
  /** The answer when neither a flag nor the wizard gives one; none means the empty string. */
  default?: string;
  /**
   * Must be given: `--yes` without the flag is a usage error with this hint. Giving a required
   * field's flag also chooses the backend when --storage is not given (--s3-bucket means s3).
   */
  required?: { hint: string };
  /** Holds a secret reference (env:NAME, file:PATH, cmd:COMMAND), refused when it is not one. */
  secret?: boolean;
  /**
   * The wizard's check of a typed answer: undefined when it will do, else what is expected. A flag's
   * value is checked by the config schema instead, as every setting in the file is.
   */
  validate?(value: string): string | undefined;
}

export interface BackendInit<Schema extends z.ZodType = z.ZodType> {
  /** In the wizard's list of places for the originals. */
  label: string;
  hint: string;
  fields: readonly InitField[];
  /**
   * The options written under storage.backends.<type>, from the answers by field name (an empty
   * string when not answered); undefined writes no storage section (the built-in local folder).
   */
  options(answers: Readonly<Record<string, string>>): z.input<Schema> | undefined;
  /** Answers that must not be written into the file, as a usage error's message and hint. */
  refuse?(answers: Readonly<Record<string, string>>): { message: string; hint: string } | undefined;
}

/** Keeps each entry's options type tied to its own schema inside the list. */
function backend<Schema extends z.ZodType<{ type: string }>>(entry: BackendType<Schema>): BackendType<Schema> {
  return entry;
}

const localRoot = (options: { path: string }, catalogDir: string) => path.resolve(catalogDir, options.path);

/** The built-in local folder is the configuration's default: nothing to ask, nothing to write. */
const localInit: BackendInit<typeof localBackendSchema> = { label: 'Local folder', hint: 'inside the catalogue folder', fields: [], options: () => undefined };

const s3Init: BackendInit<typeof s3BackendSchema> = {
  label: 'S3 or S3-compatible',
  hint: 'AWS, MinIO, R2, B2...; credentials from the usual AWS variables',
  fields: [
    { name: 'bucket', flag: '--s3-bucket <name>', help: 'bucket for --storage s3', prompt: 'Bucket name', required: { hint: 'name the bucket, e.g. --s3-bucket my-documents' }, validate: (value) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ? undefined : 'an S3 bucket name') },
    { name: 'region', flag: '--s3-region <region>', help: 'region', prompt: 'Region', default: 'us-east-1' },
    { name: 'endpoint', flag: '--s3-endpoint <url>', help: 'endpoint of an S3-compatible store (MinIO, R2...)', prompt: 'Endpoint URL (empty for AWS)', validate: (value) => (!value || /^https?:\/\/.+/.test(value) ? undefined : 'http(s)://host:port, or empty') },
  ],
  // An endpoint means a store other than AWS, and nearly all of them want the bucket in the path.
  options: ({ bucket = '', region = '', endpoint }) => ({ type: 's3', bucket, region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }),
  refuse: ({ endpoint }) =>
    endpoint && maskUrlCredentials(endpoint) !== endpoint
      ? { message: 'the S3 endpoint URL holds credentials, which would be written into the config file', hint: 'give the endpoint without user:password@; credentials come from accessKeyId/secretAccessKey references or the AWS variables' }
      : undefined,
};

// Only data here: backend-types.ts derives the rest, so that a test can add an entry by mocking
// this module alone.
export const BACKEND_TYPES = [
  backend({ type: 'local', schema: localBackendSchema, secretOptions: [], localRoot, init: localInit, open: async (name, options, context) => (await import('./local.js')).LocalBlobStore.open(name, localRoot(options, context.catalogDir)) }),
  backend({
    type: 's3',
    schema: s3BackendSchema,
    secretOptions: [
      { option: 'accessKeyId', optional: false },
      { option: 'secretAccessKey', optional: false },
      { option: 'sessionToken', optional: true },
    ],
    open: async (name, options, context) => (await import('./s3.js')).openS3BlobStore(name, options, context),
    init: s3Init,
  }),
] as const;
