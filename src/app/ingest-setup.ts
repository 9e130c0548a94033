import os from 'node:os';
import path from 'node:path';
import { openCatalog, type OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';
import { blobStores } from './stores.js';
import { DoccatError } from '../errors.js';
import type { ExtractOptions } from '../extract/extractor.js';
import type { OcrEngine } from '../extract/ocr/engine.js';
import type { OcrEngineChoice, OcrEngineSetting } from '../extract/ocr/select.js';
import type { FileOutcome, IngestDependencies } from '../pipeline/ingest.js';
import type { JobQueue } from '../queue/contract.js';

export interface IngestSetup {
  jobs: number;
  deps: IngestDependencies;
  extract: ExtractOptions;
  /** Searchable PDFs are made (ocr.searchablePdf, not --no-searchable-pdf, not a dry run). */
  searchablePdf: boolean;
  /** One file by path through the pipeline, as queued jobs are (worker, watch); traceParent: the trace it continues. */
  ingestPath(filePath: string, traceParent?: string): Promise<FileOutcome>;
  /** Stops the extraction processes and OCR workers if any were started. */
  close(): Promise<void>;
}

/** OCR workers unused this long give their memory back (a scan among many text files restarts one). */
const OCR_IDLE_TIMEOUT_MS = 15_000;

/**
 * What `ingest` and `worker` both need: the blob store, the classifier, a lazily started OCR pool
 * and the claims that keep processes from extracting the same content twice.
 */
export async function prepareIngest(
  context: AppContext,
  catalog: OpenCatalog,
  options: { jobs?: number; dryRun: boolean; ocr: boolean; searchablePdf?: boolean; ocrEngine?: OcrEngineSetting; roots?: readonly string[] },
): Promise<IngestSetup> {
  const { config } = context.config;
  const jobs = options.jobs ?? config.ingest.jobs ?? Math.max(1, os.availableParallelism());
  // Writers register the catalogue in each store they write to (see storage/catalog-registration.ts).
  const store = options.dryRun ? undefined : await (await blobStores(context, { catalog, register: true })).forWriting();
  const { StagingArea } = await import('../pipeline/source-file.js');
  // Sources are copied here once, privately; a dry run writes nothing and reads through the descriptor.
  const staging = options.dryRun ? undefined : await StagingArea.open(path.join(context.config.catalogDir, '.staging'));
  const [{ createClassifier }, { chooseOcrEngine }, { createExtractionPool }, { ClaimRepository }, { CLAIM_LEASE_MS, ingestFile }] = await Promise.all([
    import('./classifier.js'),
    import('../extract/ocr/select.js'),
    import('../extract/isolation/pool.js'),
    import('../db/claims.js'),
    import('../pipeline/ingest.js'),
  ]);
  const { classifier } = await createClassifier(context, catalog, { retrain: !options.dryRun });
  const ocrEnabled = config.features.ocr && options.ocr;
  // The engine is chosen (and a missing engine or language reported) once, before any file is touched.
  let choice: OcrEngineChoice | undefined;
  if (ocrEnabled) {
    choice = await chooseOcrEngine({
      engine: options.ocrEngine ?? config.ocr.engine,
      tesseractPath: config.ocr.tesseractPath,
      languages: config.ocr.languages,
      langPath: config.ocr.langPath,
      size: jobs,
      pageTimeoutMs: config.ocr.pageTimeoutMs,
      recycleAfterPages: config.ocr.recycleAfterPages,
      idleTimeoutMs: OCR_IDLE_TIMEOUT_MS,
    });
    context.logger.info({ engine: choice.info.engine, version: choice.info.version, languages: choice.info.languages, dataPath: choice.info.dataPath, ...(choice.fallbackReason ? { notNative: choice.fallbackReason } : {}) }, 'OCR engine');
  }
  let pool: OcrEngine | undefined;
  const ocr = () => {
    if (!choice) throw new DoccatError('E_OCR_DISABLED', 'this file needs OCR, which is disabled', { hint: 'set features.ocr to true (or drop --no-ocr) to catalogue scans' });
    pool ??= choice.create();
    return pool;
  };
  if (!options.dryRun && config.stats.keepDays > 0) {
    const { pruneRecords } = await import('../db/stats.js');
    const removed = await pruneRecords(catalog.database.db, new Date(Date.now() - config.stats.keepDays * 86_400_000).toISOString());
    if (removed > 0) context.logger.info({ removed, keepDays: config.stats.keepDays }, 'old ingest events and provider call records removed');
  }
  // Every file is extracted in a child process with a deadline and a memory cap (started on first use).
  const extraction = createExtractionPool({ size: jobs, fileTimeoutMs: config.ingest.fileTimeoutMs, maxMemoryMb: config.ingest.maxMemoryMb, logger: context.logger });
  const { tracerFor } = await import('./tracing.js');
  const deps: IngestDependencies = { runId: context.runId, repository: catalog.repository, claims: new ClaimRepository(catalog.database.db, context.runId, CLAIM_LEASE_MS), store, staging, classifier, ocr, extraction, logger: context.logger, tracer: await tracerFor(context) };
  const extract: ExtractOptions = {
    ocrEnabled,
    renderDpi: config.ocr.renderDpi,
    maxPagePixels: config.ocr.maxPagePixels,
    minTextCharsPerPage: config.ocr.minTextCharsPerPage,
    pdfPasswords: config.pdf.passwords,
    maxPages: config.pdf.maxPages,
    maxImagePixels: config.ocr.maxImagePixels,
    maxUnpackedBytes: config.ingest.maxUnpackedMb * 1024 * 1024,
    maxTextBytes: Math.floor(config.ingest.maxTextMb * 1024 * 1024),
    // Pages of one scan are read in parallel, as many as the OCR engine reads at once.
    ocrParallelPages: jobs,
    // pdf-lib holds the PDF it rewrites two or three times over: a quarter of the process's memory.
    searchablePdfMaxBytes: Math.floor((config.ingest.maxMemoryMb * 1024 * 1024) / 4),
    maxListBytes: Math.floor(config.ingest.archiveListMb * 1024 * 1024),
    maxListEntries: config.ingest.archiveListEntries,
    ...(config.email.attachments
      ? { parts: { maxAttachments: config.email.maxAttachments, maxAttachmentBytes: Math.floor(config.email.maxAttachmentsMb * 1024 * 1024), maxMessages: config.email.maxMboxMessages, skipInlineImagesUnderBytes: Math.floor(config.email.skipInlineImagesUnderKb * 1024) } }
      : {}),
  };
  const searchablePdf = ocrEnabled && config.ocr.searchablePdf && options.searchablePdf !== false && !options.dryRun;
  // ingestPath follows a link only into these folders (watch's drop folders), or with followSymlinks.
  const single = { paths: options.roots ?? [], include: [], exclude: [], recursive: false, hidden: true, followSymlinks: config.ingest.followSymlinks, jobs: 1, dryRun: false, maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024, extract, searchablePdf, signal: context.signal, unknownFiles: config.ingest.unknownFiles };
  return {
    jobs,
    deps,
    extract,
    searchablePdf,
    ingestPath: (filePath, traceParent) => ingestFile(filePath, single, deps, {}, traceParent),
    close: async () => {
      await extraction.close();
      await pool?.close();
    },
  };
}

export interface QueuedIngest {
  catalog: OpenCatalog;
  setup: IngestSetup;
  queue: JobQueue;
  /**
   * Closes the queue and the extraction processes, then runs `beforeCatalog` (what records its
   * outcomes in the catalogue, such as hook deliveries), then closes the catalogue.
   */
  close(beforeCatalog?: () => Promise<void>): Promise<void>;
}

/**
 * What `watch` and `worker` open before they take files from the job queue: the catalogue (for
 * writing), the ingest pipeline's dependencies, and the queue.
 */
export async function openQueuedIngest(context: AppContext, options: { jobs?: number; searchablePdf?: boolean; ocrEngine?: OcrEngineSetting; roots?: readonly string[] }): Promise<QueuedIngest> {
  const catalog = await openCatalog(context, { readonly: false });
  const setup = await prepareIngest(context, catalog, { ...options, dryRun: false, ocr: true });
  const { openQueue } = await import('./queue.js');
  const queue = await openQueue(context, catalog);
  return {
    catalog,
    setup,
    queue,
    close: async (beforeCatalog) => {
      await queue.close();
      await setup.close();
      await beforeCatalog?.();
      await catalog.close();
    },
  };
}
