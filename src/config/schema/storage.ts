import * as z from 'zod';
import { secretReference } from './secret.js';

const backendName = z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const localBackendSchema = z
  .object({
    type: z.literal('local'),
    path: z.string().min(1).describe('blob folder, relative to the catalogue folder'),
  })
  .strict();

export const s3BackendSchema = z
  .object({
    type: z.literal('s3'),
    bucket: z.string().min(1),
    region: z.string().min(1).default('us-east-1'),
    endpoint: z.string().url().optional().describe('for S3-compatible stores: MinIO, Ceph, Backblaze B2, Cloudflare R2, Wasabi'),
    prefix: z.string().regex(/^(?!\/)(.*\/)?$/, 'empty, or ending in / and not starting with /').default('').describe('key prefix inside the bucket, e.g. doccat/'),
    forcePathStyle: z.boolean().default(false).describe('bucket in the path instead of the host name (MinIO and most S3-compatible stores)'),
    accessKeyId: secretReference.optional().describe('env:NAME, file:PATH or cmd:COMMAND; default: the standard AWS credential chain'),
    secretAccessKey: secretReference.optional(),
    sessionToken: secretReference.optional(),
    serverSideEncryption: z.enum(['AES256', 'aws:kms', 'aws:kms:dsse']).optional(),
    kmsKeyId: z.string().min(1).optional(),
    storageClass: z.enum(['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'REDUCED_REDUNDANCY']).optional(),
    partSizeMb: z.number().int().min(5).max(5120).default(8).describe('multipart upload part size'),
    uploadConcurrency: z.number().int().min(1).max(64).default(4).describe('parts uploaded at once'),
    maxAttempts: z.number().int().min(1).max(20).default(5).describe('tries per request on throttling, 5xx and network errors'),
    presignExpirySeconds: z.number().int().min(1).max(604_800).default(3600),
  })
  .strict();

export const storageSchema = z
  .object({
    backend: backendName.default('local').describe('where new blobs go: "local" or a name under backends'),
    fallback: backendName.optional().describe('where blobs go while the primary is unavailable; `doccat storage sync` moves them back'),
    local: z
      .object({ path: z.string().min(1).optional().describe('folder of the built-in "local" backend, relative to the catalogue folder; default blobs') })
      .default({}),
    backends: z.record(backendName, z.discriminatedUnion('type', [localBackendSchema, s3BackendSchema])).default({}).describe('named blob backends besides the built-in "local"'),
    orphanGraceHours: z.number().min(0).default(24).describe('storage verify --repair removes blobs without a document only when older than this'),
  })
  .superRefine((storage, context) => {
    const known = new Set(['local', ...Object.keys(storage.backends)]);
    for (const field of ['backend', 'fallback'] as const) {
      const name = storage[field];
      if (name !== undefined && !known.has(name)) context.addIssue({ code: 'custom', path: [field], message: `no backend named "${name}" (known: ${[...known].join(', ')})` });
    }
    if (storage.fallback !== undefined && storage.fallback === storage.backend) context.addIssue({ code: 'custom', path: ['fallback'], message: 'the fallback must be another backend than the primary' });
  })
  .default({ backend: 'local', local: {}, backends: {}, orphanGraceHours: 24 });


export type S3BackendConfig = z.infer<typeof s3BackendSchema>;
export type LocalBackendConfig = z.infer<typeof localBackendSchema>;
