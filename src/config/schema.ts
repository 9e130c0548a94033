import * as z from 'zod';

/**
 * The one description of doccat's configuration: types, defaults and the documentation shown by
 * doccat.config.example.json all come from here.
 */

const globList = z.array(z.string().min(1));

export const documentTypeRuleSchema = z.object({
  name: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  keywords: z.array(z.string().min(1)).default([]).describe('words and phrases, matched whole, case and accents folded; "*word" also matches it at the end of a compound (Hausratversicherung), "word*" at the start'),
  titles: z.array(z.string().min(1)).default([]).describe('names of this kind of document ("payslip", "Kontoauszug"): near the top they count four times a keyword'),
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

const LEARNED_DEFAULTS = { minExamples: 5, minConfidence: 0.9, automaticWeight: 0 };

const learnedSchema = z.object({
  minExamples: z.number().int().min(1).default(LEARNED_DEFAULTS.minExamples).describe('documents labelled by hand a type, correspondent or tag needs before the model predicts it'),
  minConfidence: z.number().min(0).max(1).default(LEARNED_DEFAULTS.minConfidence).describe('the model decides only when at least this sure; below, the rules do'),
  automaticWeight: z.number().min(0).max(1).default(LEARNED_DEFAULTS.automaticWeight).describe('weight of labels set automatically (by rules or providers) as examples; 0 learns from labels set by hand only'),
});

export const pathRuleSchema = z
  .object({
    glob: z.string().min(1).describe('matched against the path below the ingested folder, e.g. "Tax/**" or "**/receipts/*.pdf"'),
    type: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').optional(),
    tags: z.array(z.string().min(1)).default([]),
    correspondent: z.string().min(1).optional(),
  })
  .refine((rule) => rule.type !== undefined || rule.tags.length > 0 || rule.correspondent !== undefined, 'a path rule sets a type, tags or a correspondent');

const secretReference = z
  .string()
  .regex(/^(env|file|cmd):.+$/, 'a secret reference: env:NAME, file:PATH or cmd:COMMAND, never the secret itself');

export const providerSchema = z
  .object({
    name: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    type: z.enum(['anthropic', 'openai', 'gemini']),
    model: z.string().min(1),
    apiKey: z
      .union([secretReference, z.array(secretReference).min(1)])
      .optional()
      .describe('env:NAME, file:PATH or cmd:COMMAND, or a list of them: the next key takes over when one is refused (401/403) or out of quota or rate (429); default env:ANTHROPIC_API_KEY, env:OPENAI_API_KEY or env:GEMINI_API_KEY'),
    baseURL: z.string().url().optional().describe('another endpoint: a proxy, or for type openai any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio)'),
    timeoutMs: z.number().int().min(100).default(60_000),
    maxConcurrency: z.number().int().min(1).max(256).default(4),
    maxAttempts: z.number().int().min(1).max(10).default(4).describe('tries per document on 429, 5xx, timeouts and connection errors'),
    rpm: z.number().positive().optional().describe('requests per minute'),
    tpm: z.number().positive().optional().describe('tokens per minute (input + output)'),
    dailyTokenBudget: z.number().int().positive().optional().describe('tokens per UTC day; when spent the provider is skipped'),
    priority: z.number().int().default(100).describe('lower goes first (strategy fallback)'),
    weight: z.number().positive().default(1).describe('share of documents (strategy weighted)'),
    price: z
      .object({ inputPerMTok: z.number().min(0).default(0), outputPerMTok: z.number().min(0).default(0) })
      .default({ inputPerMTok: 0, outputPerMTok: 0 })
      .describe('USD per million tokens, for cost estimates and strategy cheapest'),
    breaker: z
      .object({ failures: z.number().int().min(1).default(5), cooldownMs: z.number().int().min(100).default(30_000) })
      .default({ failures: 5, cooldownMs: 30_000 })
      .describe('open after this many failures in a row; try again after the cooldown'),
  })
  .strict();

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

const storageSchema = z
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

/** A hook target given as a string: an http(s) URL is a webhook, anything else a shell command. */
export function isHookUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

const secretOrUrl = z.string().regex(/^(env:|file:|cmd:|https?:\/\/)/i, 'an http(s) URL, or a secret reference (env:NAME, file:PATH, cmd:COMMAND) holding one');
const hookTargetSchema = z.union([
  z
    .string()
    .min(1)
    // "ftp://...", "file:///..." would otherwise be run as shell commands.
    .refine((target) => isHookUrl(target) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(target), 'webhooks must be http:// or https:// URLs')
    .refine((target) => !isHookUrl(target) || isPlainHttpUrl(target), 'not a valid URL, or it carries user:password@ (give credentials as a secret reference instead)'),
  z
    .object({
      url: secretOrUrl.refine((url) => !isHookUrl(url) || isPlainHttpUrl(url), 'not a valid URL, or it carries user:password@').describe('webhook URL, or a secret reference holding it (a URL with a token in it, such as a chat webhook)'),
      secret: secretReference.optional().describe('HMAC key for this webhook instead of hooks.secret'),
      timeoutMs: z.number().int().min(100).optional(),
    })
    .strict(),
  z.object({ command: z.string().min(1), timeoutMs: z.number().int().min(100).optional() }).strict(),
]);
export type HookTargetConfig = z.infer<typeof hookTargetSchema>;

const hookList = z.array(hookTargetSchema).default([]);

const hooksSchema = z
  .object({
    onDocument: hookList.describe('after a document is committed (catalogued, duplicate) or a file failed: shell commands (/bin/sh in the config file\'s folder, the event as JSON on stdin, DOCCAT_EVENT and DOCCAT_DOCUMENT_ID set) or webhook URLs (POST of the JSON)'),
    onRun: hookList.describe('when an ingest, watch or worker run ends: counts, duration, failures'),
    onAlert: hookList.describe('when an alert rule fires or is resolved'),
    secret: secretReference.optional().describe('key for webhooks\' X-Doccat-Signature: sha256=<HMAC-SHA256 of the body, hex>'),
    timeoutMs: z.number().int().min(100).default(10_000).describe('one delivery attempt (a command is killed after it)'),
    maxAttempts: z.number().int().min(1).max(10).default(3).describe('tries per event and hook; then the failure is recorded (doccat stats)'),
    retryDelayMs: z.number().int().min(1).default(1000).describe('first backoff delay; doubles with each try'),
    concurrency: z.number().int().min(1).max(64).default(4).describe('deliveries at once'),
    drainTimeoutMs: z.number().int().min(0).default(60_000).describe('how long the end of a run waits for deliveries still queued; those left are recorded as not sent'),
  })
  .strict()
  .default({ onDocument: [], onRun: [], onAlert: [], timeoutMs: 10_000, maxAttempts: 3, retryDelayMs: 1000, concurrency: 4, drainTimeoutMs: 60_000 })
  .describe('commands and webhooks run after documents, runs and alerts; they never fail or hold up a document');

export const ALERT_METRICS = ['failures', 'failureRate', 'providerErrorRate', 'providerBreakerOpen', 'tokenBudgetUsed', 'ocrConfidence', 'queueDepth', 'oldestJobAge', 'stageP95', 'hookFailures'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export const ALERT_STAGES = ['sniff', 'hash', 'extract', 'ocr', 'classify', 'store', 'commit', 'total'] as const;

export const alertRuleSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dots, dashes and underscores'),
    metric: z.enum(ALERT_METRICS).describe('failures, failureRate (0-1), providerErrorRate (0-1), providerBreakerOpen (0/1), tokenBudgetUsed (0-1 of dailyTokenBudget today), ocrConfidence (mean, 0-100), queueDepth, oldestJobAge (seconds), stageP95 (ms), hookFailures'),
    above: z.number().optional().describe('fires while the value is above this'),
    below: z.number().optional().describe('fires while the value is below this'),
    window: z.string().regex(/^\d+(min|h|d|w)$/, 'a duration such as 15min, 1h, 24h, 7d').default('1h').describe('how far back the metric looks'),
    provider: z.string().min(1).optional().describe('provider metrics: only this provider (default: any)'),
    stage: z.enum(ALERT_STAGES).optional().describe('stageP95: sniff, hash, extract, ocr, classify, store, commit or total'),
    minSamples: z.number().int().min(1).default(1).describe('rates, means and percentiles: fewer files or calls than this in the window count as no data (not firing)'),
  })
  .strict()
  .superRefine((rule, context) => {
    if ((rule.above === undefined) === (rule.below === undefined)) context.addIssue({ code: 'custom', path: ['above'], message: 'give exactly one of above and below' });
    if (rule.metric === 'stageP95' && rule.stage === undefined) context.addIssue({ code: 'custom', path: ['stage'], message: 'stageP95 needs a stage' });
  });
export type AlertRule = z.infer<typeof alertRuleSchema>;

const alertsSchema = z
  .object({
    rules: z
      .array(alertRuleSchema)
      .default([])
      .superRefine((rules, context) => {
        const seen = new Set<string>();
        for (const [index, rule] of rules.entries()) {
          if (seen.has(rule.name)) context.addIssue({ code: 'custom', path: [index, 'name'], message: `another rule is named "${rule.name}"` });
          seen.add(rule.name);
        }
      })
      .describe('{ name, metric, above | below, window }: checked at the end of each run and every intervalSeconds in watch and worker; a rule that starts or stops firing goes to hooks.onAlert and the log once'),
    intervalSeconds: z.number().int().min(1).default(60).describe('how often watch and worker check the rules'),
  })
  .strict()
  .default({ rules: [], intervalSeconds: 60 });

const tracingSchema = z
  .object({
    endpoint: z.string().url().optional().describe('OTLP/HTTP collector base URL (spans go to <endpoint>/v1/traces); default $OTEL_EXPORTER_OTLP_ENDPOINT; neither set: no tracing'),
    headers: z.record(z.string().min(1), secretReference).default({}).describe('request headers for the collector, each a secret reference (e.g. Authorization)'),
    serviceName: z.string().min(1).default('doccat').describe('service.name of the spans (OTEL_SERVICE_NAME wins)'),
  })
  .strict()
  .default({ headers: {}, serviceName: 'doccat' })
  .describe('OpenTelemetry traces: a span per file with its stages, OCR pages, provider calls and hooks');

function isPlainHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

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
export type DocumentTypeRule = z.infer<typeof documentTypeRuleSchema>;
export type TagRule = z.infer<typeof tagRuleSchema>;
export type PathRule = z.infer<typeof pathRuleSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type StorageConfig = DoccatConfig['storage'];

/** The variable each provider type's key is read from when `apiKey` is not set. */
export const DEFAULT_API_KEY_VARIABLES: Record<ProviderConfig['type'], string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

/**
 * The key references a provider names: its `apiKey` (one or a list), else its type's default
 * variable. `keyless`: a local OpenAI-compatible server (a baseURL and no apiKey) needs none.
 */
export function apiKeyReferences(provider: ProviderConfig): { references: string[]; keyless: boolean } {
  if (provider.apiKey !== undefined) return { references: typeof provider.apiKey === 'string' ? [provider.apiKey] : provider.apiKey, keyless: false };
  return { references: [`env:${DEFAULT_API_KEY_VARIABLES[provider.type]}`], keyless: provider.type === 'openai' && provider.baseURL !== undefined };
}
export type S3BackendConfig = z.infer<typeof s3BackendSchema>;
export type LocalBackendConfig = z.infer<typeof localBackendSchema>;
export type AiConfig = DoccatConfig['ai'];
