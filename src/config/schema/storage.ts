import * as z from 'zod';
import { backendOptionsSchema } from '../../storage/backend-types.js';

const backendName = z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const storageSchema = z
  .object({
    backend: backendName.default('local').describe('where new blobs go: "local" or a name under backends'),
    fallback: backendName.optional().describe('where blobs go while the primary is unavailable; `doccat storage sync` moves them back'),
    local: z
      .object({ path: z.string().min(1).optional().describe('folder of the built-in "local" backend, relative to the catalogue folder; default blobs') })
      .default({}),
    backends: z.record(backendName, backendOptionsSchema()).default({}).describe('named blob backends besides the built-in "local"'),
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

export { localBackendSchema, s3BackendSchema, type LocalBackendConfig, type S3BackendConfig } from './backends.js';
