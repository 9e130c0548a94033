import { z } from 'zod';

/**
 * The one description of doccat's configuration: types, defaults and the documentation shown by
 * doccat.config.example.json all come from here.
 */

const globList = z.array(z.string().min(1));

export const documentTypeRuleSchema = z.object({
  name: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  keywords: z.array(z.string().min(1)).default([]),
  patterns: z.array(z.string().min(1)).default([]),
  mimeTypes: z.array(z.string().min(1)).default([]),
  weight: z.number().positive().default(1),
  tags: z.array(z.string().min(1)).default([]),
});

export const tagRuleSchema = z.object({
  tag: z.string().min(1),
  keywords: z.array(z.string().min(1)).default([]),
  patterns: z.array(z.string().min(1)).default([]),
});

export const configSchema = z
  .object({
    catalog: z.string().min(1).optional().describe('folder that holds the database and the blobs; default $DOCCAT_HOME, $XDG_DATA_HOME/doccat or ~/.local/share/doccat'),
    database: z
      .object({
        sqlite: z
          .object({
            path: z.string().min(1).optional().describe('SQLite file, relative to the catalogue folder; default catalog.db'),
            busyTimeoutMs: z.number().int().min(0).default(10_000),
          })
          .default({ busyTimeoutMs: 10_000 }),
      })
      .default({ sqlite: { busyTimeoutMs: 10_000 } }),
    storage: z
      .object({
        backend: z.enum(['local']).default('local'),
        local: z
          .object({ path: z.string().min(1).optional().describe('blob folder, relative to the catalogue folder; default blobs') })
          .default({}),
      })
      .default({ backend: 'local', local: {} }),
    ingest: z
      .object({
        jobs: z.number().int().min(1).max(64).optional().describe('files processed at once and OCR workers; default: number of cores'),
        include: globList.default([]),
        exclude: globList.default([]),
        recursive: z.boolean().default(true),
        hidden: z.boolean().default(false).describe('also take dotfiles and dot-folders'),
        maxFileSizeMb: z.number().positive().default(512),
      })
      .default({ include: [], exclude: [], recursive: true, hidden: false, maxFileSizeMb: 512 }),
    ocr: z
      .object({
        enabled: z.boolean().default(true),
        languages: z.array(z.string().regex(/^[a-z_]+$/)).min(1).default(['eng']),
        langPath: z.string().min(1).optional().describe('folder with <lang>.traineddata[.gz]; default: the bundled English data'),
        pageTimeoutMs: z.number().int().min(1000).default(180_000),
        recycleAfterPages: z.number().int().min(1).default(40),
        renderDpi: z.number().int().min(72).max(600).default(300),
        maxPagePixels: z.number().int().min(1_000_000).default(40_000_000),
        minTextCharsPerPage: z.number().int().min(0).default(16),
      })
      .default({ enabled: true, languages: ['eng'], pageTimeoutMs: 180_000, recycleAfterPages: 40, renderDpi: 300, maxPagePixels: 40_000_000, minTextCharsPerPage: 16 }),
    pdf: z
      .object({
        passwords: z.array(z.string()).default([]).describe('passwords tried in order on encrypted PDFs'),
      })
      .default({ passwords: [] }),
    classify: z
      .object({
        types: z.array(documentTypeRuleSchema).default([]).describe('extra document types or extra rules for built-in types'),
        tags: z.array(tagRuleSchema).default([]),
        minScore: z.number().min(0).default(2),
      })
      .default({ types: [], tags: [], minScore: 2 }),
    log: z
      .object({
        level: z.enum(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('silent'),
        file: z.string().min(1).optional(),
      })
      .default({ level: 'silent' }),
  })
  .strict();

export type DoccatConfig = z.infer<typeof configSchema>;
export type DocumentTypeRule = z.infer<typeof documentTypeRuleSchema>;
export type TagRule = z.infer<typeof tagRuleSchema>;
