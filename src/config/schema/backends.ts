import * as z from 'zod';
import { secretReference } from './secret.js';

/**
 * The options of the built-in backend types. Kept apart from the backends' own files, which the
 * storage backend registry (storage/backends/registry.ts) imports only when a store is opened:
 * the S3 one loads the AWS SDK.
 */

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

export type S3BackendConfig = z.infer<typeof s3BackendSchema>;
export type LocalBackendConfig = z.infer<typeof localBackendSchema>;
