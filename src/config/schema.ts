import * as z from 'zod';
import { alertsSchema } from './schema/alerts.js';
import { providerSchema } from './schema/ai.js';
import { documentTypeRuleSchema, LEARNED_DEFAULTS, learnedSchema, pathRuleSchema, tagRuleSchema } from './schema/classify.js';
import { hooksSchema } from './schema/hooks.js';
import { storageSchema } from './schema/storage.js';
import { tracingSchema } from './schema/tracing.js';

/**
 * The one description of doccat's configuration: types, defaults and the documentation shown by
 * doccat.config.example.json all come from here.
 */

// Each section's schema lives in schema/<section>.ts; importers keep reading them from here.
export { apiKeyReferences, providerSchema, type ProviderConfig } from './schema/ai.js';
export { ALERT_METRICS, ALERT_STAGES, alertRuleSchema, type AlertMetric, type AlertRule } from './schema/alerts.js';
export { documentTypeRuleSchema, pathRuleSchema, tagRuleSchema, type DocumentTypeRule, type PathRule, type TagRule } from './schema/classify.js';
export type { HookTargetConfig } from './schema/hooks.js';
export { localBackendSchema, s3BackendSchema, type LocalBackendConfig, type S3BackendConfig } from './schema/storage.js';

const globList = z.array(z.string().min(1));

const environmentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, dashes and underscores');

export const configSchema = z
  .object({
    environments: z
      .record(environmentName, z.record(z.string(), z.unknown()))
      .optional()
      .describe('named overlays on this file (production, staging...), chosen with --env or DOCCAT_ENV; each holds any of these options'),
    catalog: z.string().min(1).optional().describe('folder that holds the database and the blobs; default $DOCCAT_HOME, $XDG_DATA_HOME/doccat or ~/.local/share/doccat'),
    database: z
      .object({
        url: z
          .string()
          .regex(/^(env:|file:|cmd:|postgres(ql)?:\/\/)/, 'postgres://... or a secret reference (env:NAME, file:PATH, cmd:COMMAND) holding one')
          .optional()
          .describe('a Postgres catalogue instead of the SQLite file; e.g. env:DATABASE_URL. sslmode=require etc. go in the URL'),
        poolSize: z.number().int().min(1).max(100).default(10).describe('Postgres connections per process'),
        statementTimeoutMs: z.number().int().min(0).default(60_000).describe('Postgres statement_timeout (0: none)'),
        caFile: z.string().min(1).optional().describe('PEM file of the CA for verifying the Postgres server certificate'),
        sqlite: z
          .object({
            path: z.string().min(1).optional().describe('SQLite file, relative to the catalogue folder; default catalog.db'),
            busyTimeoutMs: z.number().int().min(0).default(10_000),
          })
          .default({ busyTimeoutMs: 10_000 }),
      })
      .default({ poolSize: 10, statementTimeoutMs: 60_000, sqlite: { busyTimeoutMs: 10_000 } }),
    storage: storageSchema,
    ingest: z
      .object({
        jobs: z.number().int().min(1).max(64).optional().describe('files processed at once and OCR workers; default: number of cores'),
        include: globList.default([]),
        exclude: globList.default([]),
        recursive: z.boolean().default(true),
        hidden: z.boolean().default(false).describe('also take dotfiles and dot-folders'),
        followSymlinks: z.boolean().default(false).describe('follow symbolic links that lead out of the folders given (links inside them are always followed)'),
        maxFileSizeMb: z.number().positive().default(512),
        fileTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(120_000)
          .describe("the longest one file's extraction may work without finishing a page (or the whole file, for formats without pages), not counting time spent on OCR (ocr.pageTimeoutMs bounds each OCR page); over it the file fails with E_FILE_TIMEOUT"),
        maxMemoryMb: z
          .number()
          .int()
          .min(128)
          .default(1024)
          .describe('memory (resident) one extraction process may use; over it the file fails with E_TOO_LARGE. Files are extracted in separate processes, one per job'),
        maxTextMb: z.number().positive().default(16).describe('text kept per document; longer text is cut here with a W_TEXT_TRUNCATED warning'),
        maxUnpackedMb: z.number().positive().default(64).describe('office files (DOCX, XLSX, PPTX, OpenDocument, EPUB): the most their zipped parts may inflate to; over it E_TOO_LARGE'),
        unknownFiles: z
          .enum(['catalogue', 'skip', 'fail'])
          .default('catalogue')
          .describe('files that are not documents (executables, archives, packages, unknown binaries): catalogue them (method none, type artifact or what was read), skip them (reported as skipped), or fail them with E_UNSUPPORTED_TYPE'),
        archiveListMb: z.number().positive().default(1024).describe('archive listings: the most unpacked data read to list a tar (compressed or not) or a .deb; past it the listing is cut (W_LISTING_TRUNCATED) and the archive still catalogued'),
        archiveListEntries: z.number().int().min(1).default(10_000).describe('archive listings: the most member names kept as searchable text; the rest are counted'),
        unpack: z.boolean().default(false).describe('also catalogue the documents inside archives (zip, jar, wheel, tar and its compressions, .deb) as their members, like --unpack; at most ingest.maxUnpackedMb unpacked per archive, 3 archives deep'),
      })
      .default({ include: [], exclude: [], recursive: true, hidden: false, followSymlinks: false, maxFileSizeMb: 512, fileTimeoutMs: 120_000, maxMemoryMb: 1024, maxTextMb: 16, maxUnpackedMb: 64, unknownFiles: 'catalogue', archiveListMb: 1024, archiveListEntries: 10_000, unpack: false }),
    ocr: z
      .object({
        engine: z
          .enum(['auto', 'tesseract', 'tesseract.js'])
          .default('auto')
          .describe('auto: the installed tesseract command (4.1 or newer) when it has every language, else tesseract.js; tesseract: only the installed command (an error without it); tesseract.js: the embedded engine'),
        tesseractPath: z.string().min(1).optional().describe('the tesseract command for ocr.engine tesseract or auto; default: tesseract on PATH'),
        languages: z.array(z.string().regex(/^[a-z_]+$/)).min(1).default(['eng']),
        langPath: z.string().min(1).optional().describe("folder with <lang>.traineddata (tesseract.js also reads .traineddata.gz); default: the installed tesseract's own data, and for tesseract.js the bundled English data"),
        pageTimeoutMs: z.number().int().min(1000).default(180_000),
        recycleAfterPages: z.number().int().min(1).default(40),
        renderDpi: z.number().int().min(72).max(600).default(300),
        maxPagePixels: z.number().int().min(1_000_000).default(18_000_000).describe('pages and images are scaled down to at most this many pixels before OCR (18 M: A3 at 300 dpi); more costs OCR memory and time, not accuracy'),
        maxImagePixels: z
          .number()
          .int()
          .min(1_000_000)
          .default(100_000_000)
          .describe('images (PNG, JPEG, GIF, TIFF pages, images inside PDFs) with more pixels are not decoded (read from the header first): E_TOO_LARGE'),
        minTextCharsPerPage: z.number().int().min(0).default(16),
        searchablePdf: z
          .boolean()
          .default(true)
          .describe('keep a searchable PDF of every document that needed OCR (doccat get ID --searchable): the original pages with the OCR text laid invisibly over them, images on pages; stored as a second blob'),
      })
      .default({ engine: 'auto', languages: ['eng'], pageTimeoutMs: 180_000, recycleAfterPages: 40, renderDpi: 300, maxPagePixels: 18_000_000, maxImagePixels: 100_000_000, minTextCharsPerPage: 16, searchablePdf: true }),
    pdf: z
      .object({
        passwords: z.array(z.string()).default([]).describe('passwords tried in order on encrypted PDFs'),
        maxPages: z.number().int().min(1).default(5000).describe('PDFs and multi-page TIFFs with more pages fail with E_TOO_LARGE before any page is read'),
      })
      .default({ passwords: [], maxPages: 5000 }),
    email: z
      .object({
        attachments: z.boolean().default(true).describe('catalogue each attachment of an e-mail (and each message of an mbox) as a document of its own, linked to the message'),
        maxAttachments: z.number().int().min(1).default(100).describe('attachments one message may have (nested messages included); more fail the message with E_EMAIL_TOO_MANY_ATTACHMENTS'),
        maxAttachmentsMb: z.number().positive().default(256).describe("the total size of one message's attachments; more fail it with E_EMAIL_ATTACHMENTS_TOO_LARGE"),
        maxMboxMessages: z.number().int().min(1).default(100_000).describe('messages one mbox file may hold; more fail it with E_MBOX_TOO_MANY_MESSAGES'),
        skipInlineImagesUnderKb: z.number().min(0).default(64).describe('inline images (logos, signatures) smaller than this are not catalogued'),
      })
      .default({ attachments: true, maxAttachments: 100, maxAttachmentsMb: 256, maxMboxMessages: 100_000, skipInlineImagesUnderKb: 64 }),
    export: z
      .object({
        template: z.string().min(1).default('{type}/{date}_{title}.{ext}').describe('names of exported originals: {type} {date} {year} {month} {title} {correspondent} {tags} {id} {sha8} {ext}; / makes folders'),
      })
      .default({ template: '{type}/{date}_{title}.{ext}' })
      .describe('doccat export'),
    classify: z
      .object({
        types: z.array(documentTypeRuleSchema).default([]).describe('extra document types or extra rules for built-in types'),
        tags: z.array(tagRuleSchema).default([]),
        minScore: z.number().min(0).default(2),
        learned: learnedSchema.default(LEARNED_DEFAULTS).describe('the model learned from documents classified by hand (doccat train, doccat eval)'),
        pathRules: z.array(pathRuleSchema).default([]).describe('type, tags or correspondent by where a file lies below the folder ingested: first matching glob wins for type and correspondent, tags add up'),
        folderTags: z.boolean().default(false).describe('each folder between the ingested folder and the file becomes a tag (Scans/Tax/2024/x.pdf: tax, 2024)'),
      })
      .default({ types: [], tags: [], minScore: 2, learned: LEARNED_DEFAULTS, pathRules: [], folderTags: false }),
    ai: z
      .object({
        providers: z.array(providerSchema).default([]).describe('AI providers; none means the local classifier only'),
        strategy: z.enum(['fallback', 'round-robin', 'weighted', 'cheapest']).default('fallback'),
        maxInputTokens: z.number().int().min(200).default(4000).describe('document text sent per call; first and last pages kept'),
        maxOutputTokens: z.number().int().min(100).default(800),
        allowNewTags: z.boolean().default(false).describe('keep tags a provider invents instead of dropping them'),
        maxRetryAfterMs: z.number().int().min(0).default(60_000).describe('a longer retry-after skips to the next provider'),
        retryBaseDelayMs: z.number().int().min(1).default(500).describe('first backoff delay; later ones grow fourfold with jitter, up to 30 s'),
      })
      .default({ providers: [], strategy: 'fallback', maxInputTokens: 4000, maxOutputTokens: 800, allowNewTags: false, maxRetryAfterMs: 60_000, retryBaseDelayMs: 500 }),
    features: z
      .object({
        ocr: z.boolean().default(true).describe('OCR scans and image-only PDF pages; off, they fail with E_OCR_DISABLED'),
        ai: z.boolean().default(true).describe('ask the configured AI providers; off, only the local rules classify'),
        redaction: z.boolean().default(false).describe('mask e-mail addresses, phone numbers, IBANs and card numbers in text sent to AI providers and in logs'),
        learning: z.boolean().default(true).describe('classify with the model learned from documents classified by hand, and retrain it when those change; off, providers and rules only'),
      })
      .default({ ocr: true, ai: true, redaction: false, learning: true })
      .describe('switch whole parts of the pipeline on or off, e.g. per environment'),
    redaction: z
      .object({
        patterns: z
          .array(z.string().min(1).refine(isRegExp, 'a valid regular expression'))
          .default([])
          .describe('regular expressions for personal data (customer numbers...): masked in logs always, and in text sent to AI providers with features.redaction'),
      })
      .default({ patterns: [] }),
    queue: z
      .object({
        maxAttempts: z.number().int().min(1).max(50).default(3).describe('tries per queued file before it is left as failed'),
        retryDelaySeconds: z.number().int().min(1).default(30).describe('first retry delay; doubles with each attempt'),
        expireInSeconds: z.number().int().min(5).default(900).describe('a job still running after this long is given to another worker'),
        maintenanceIntervalSeconds: z.number().int().min(1).default(60).describe('Postgres (pg-boss): how often expired jobs are looked for'),
        workerTimeoutSeconds: z.number().int().min(2).default(30).describe('a worker silent this long is dead: its jobs go to other workers at once'),
      })
      .default({ maxAttempts: 3, retryDelaySeconds: 30, expireInSeconds: 900, maintenanceIntervalSeconds: 60, workerTimeoutSeconds: 30 })
      .describe('ingest --enqueue and doccat worker'),
    stats: z
      .object({
        keepDays: z.number().int().min(0).default(365).describe('ingest events and AI call records older than this are removed when ingest, watch or worker starts (0: keep all)'),
      })
      .default({ keepDays: 365 })
      .describe('what doccat stats reads'),
    log: z
      .object({
        level: z.enum(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('silent'),
        file: z.string().min(1).optional(),
      })
      .default({ level: 'silent' }),
    hooks: hooksSchema,
    alerts: alertsSchema,
    tracing: tracingSchema,
  })
  .strict();

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

export type DoccatConfig = z.infer<typeof configSchema>;
export type StorageConfig = DoccatConfig['storage'];
export type AiConfig = DoccatConfig['ai'];
