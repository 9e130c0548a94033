import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { Classifier } from '../classify/classifier.js';
import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository, SourceSighting } from '../db/documents.js';
import { sleep } from '../system/process.js';
import type { ExtractOptions, ExtractResult } from '../extract/extractor.js';
import type { OcrEngine } from '../extract/ocr/pool.js';
import { hasExtractor } from '../extract/registry.js';
import type { ExtractionPool } from '../extract/isolation/pool.js';
import type { BlobStore } from '../storage/blob-store.js';
import { sha256File } from './hash.js';
import type { SourceSnapshot } from './source-identity.js';
import { sniffFile, unsupportedTypeError } from './sniff.js';
import { walkPaths, type WalkEntry, type WalkOptions } from './walk.js';

export type FileStatus = 'catalogued' | 'duplicate' | 'unchanged' | 'failed' | 'new';

/** One line of `ingest --ndjson` / one element of `ingest --json`'s "files". */
export interface FileOutcome {
  path: string;
  status: FileStatus;
  /** Also on this file's log lines and provider call records: `<runId>-<n>`. */
  correlationId?: string;
  documentId?: number;
  sha256?: string;
  mime?: string;
  type?: string;
  title?: string;
  method?: string;
  pages?: number;
  ocrPages?: number;
  words?: number;
  language?: string | null;
  ocrConfidence?: number | null;
  warnings?: { code: string; message: string }[];
  error?: ErrorInfo;
  /** The source file as it was read; watch only moves or deletes a path that still matches it. */
  snapshot?: SourceSnapshot;
  durationMs: number;
}

export interface IngestOptions extends WalkOptions {
  paths: readonly string[];
  jobs: number;
  dryRun: boolean;
  maxFileSizeBytes: number;
  extract: ExtractOptions;
  signal: AbortSignal;
}

export interface IngestDependencies {
  runId: string;
  repository: DocumentRepository;
  /** Leases on content being extracted, shared by every process on the catalogue. */
  claims: ClaimRepository;
  /** Absent in a dry run: nothing is written. */
  store: BlobStore | undefined;
  classifier: Classifier;
  ocr: () => OcrEngine;
  /** Extraction in child processes, each file with a deadline and a memory cap. */
  extraction: ExtractionPool;
  logger: Logger;
}

export interface IngestEvents {
  onWalked?: (total: number) => void;
  onPage?: (info: { ocr: boolean }) => void;
  onFile?: (outcome: FileOutcome) => void;
}

export interface IngestSummary {
  runId: string;
  total: number;
  catalogued: number;
  duplicate: number;
  unchanged: number;
  failed: number;
  new: number;
  pages: number;
  ocrPages: number;
  interrupted: boolean;
  durationMs: number;
}

/**
 * file -> sniff -> hash -> dedupe -> extract -> classify -> put blob -> commit row.
 * Every file's error is captured into its outcome; only errors that make every further file fail
 * too (configuration, a backend that is gone) stop the run.
 */
export async function runIngest(options: IngestOptions, deps: IngestDependencies, events: IngestEvents = {}): Promise<{ summary: IngestSummary; files: FileOutcome[] }> {
  const started = Date.now();
  const entries = await walkPaths(options.paths, options);
  events.onWalked?.(entries.length);
  const files: FileOutcome[] = [];
  let fatal: unknown;
  let next = 0;

  const worker = async () => {
    while (next < entries.length && !options.signal.aborted && fatal === undefined) {
      const entry = entries[next++] as WalkEntry;
      const outcome = await processEntry(entry, options, deps, events).catch((error: unknown) => {
        fatal ??= error;
        return undefined;
      });
      if (!outcome) continue;
      files.push(outcome);
      events.onFile?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, entries.length)) }, worker));
  if (fatal !== undefined) throw fatal;

  const count = (status: FileStatus) => files.filter((file) => file.status === status).length;
  return {
    files,
    summary: {
      runId: deps.runId,
      total: entries.length,
      catalogued: count('catalogued'),
      duplicate: count('duplicate'),
      unchanged: count('unchanged'),
      failed: count('failed'),
      new: count('new'),
      pages: files.reduce((sum, file) => sum + (file.status === 'catalogued' ? file.pages ?? 0 : 0), 0),
      ocrPages: files.reduce((sum, file) => sum + (file.ocrPages ?? 0), 0),
      interrupted: options.signal.aborted,
      durationMs: Date.now() - started,
    },
  };
}

/**
 * One file by its path, as a queued job: the same stages and outcomes as a walk gives. Throws
 * only when the file was interrupted or the error would repeat for every file (a backend that is
 * gone), so that the queue tries the job again later.
 */
export async function ingestFile(filePath: string, options: IngestOptions, deps: IngestDependencies, events: IngestEvents = {}): Promise<FileOutcome> {
  let entry: WalkEntry;
  try {
    const stat = await fs.promises.stat(filePath);
    entry = stat.isFile() ? { path: filePath, size: stat.size, mtimeMs: stat.mtimeMs } : { path: filePath, error: { code: 'E_NOT_A_FILE', message: 'not a regular file' } };
  } catch (error) {
    entry = { path: filePath, error: toErrorInfo(error) };
  }
  const outcome = await processEntry(entry, options, deps, events);
  if (!outcome) throw new DoccatError('E_INTERRUPTED', `interrupted while ingesting ${filePath}`, { exitCode: ExitCode.interrupted });
  return outcome;
}

export type Stage = 'sniff' | 'hash' | 'extract' | 'ocr' | 'classify' | 'store' | 'commit';

/** What one file's trip through the pipeline measured. */
interface Trace {
  correlationId: string;
  ms: Partial<Record<Stage, number>>;
}

let fileSequence = 0;

async function timed<T>(trace: Trace, stage: Stage, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    trace.ms[stage] = (trace.ms[stage] ?? 0) + performance.now() - started;
  }
}

/**
 * One file with its correlation id (on its log lines, its provider calls, its outcome) and its
 * stage timings, recorded for `doccat stats` once the file is done.
 */
async function processEntry(entry: WalkEntry, options: IngestOptions, deps: IngestDependencies, events: IngestEvents): Promise<FileOutcome | undefined> {
  fileSequence += 1;
  const trace: Trace = { correlationId: `${deps.runId}-${fileSequence.toString(36)}`, ms: {} };
  const startedAt = new Date();
  const started = performance.now();
  const engine = deps.ocr;
  const traced: IngestDependencies = {
    ...deps,
    logger: deps.logger.child({ correlationId: trace.correlationId }),
    // OCR time is the time spent inside the engine, summed over the file's pages.
    ocr: () => {
      const pool = engine();
      return { recognize: (image, ocrOptions) => timed(trace, 'ocr', () => pool.recognize(image, ocrOptions)), get pagesRecognized() { return pool.pagesRecognized; }, close: () => pool.close() };
    },
  };
  const outcome = await processTracedEntry(entry, options, traced, events, trace);
  if (!outcome) return undefined;
  outcome.correlationId = trace.correlationId;
  // An unchanged file is a skip, not work: recording every one would add a row per file per cron
  // run on a large folder, and would inflate the throughput figures.
  if (!options.dryRun && outcome.status !== 'new' && outcome.status !== 'unchanged') {
    const size = 'size' in entry ? entry.size : 0;
    await deps.repository
      .recordIngestEvent({
        at: new Date().toISOString(),
        started_at: startedAt.toISOString(),
        run_id: deps.runId,
        correlation_id: trace.correlationId,
        status: outcome.status,
        document_id: outcome.documentId ?? null,
        error_code: outcome.error?.code ?? null,
        mime: outcome.mime ?? null,
        method: outcome.method ?? null,
        bytes: size,
        pages: outcome.pages ?? 0,
        ocr_pages: outcome.ocrPages ?? 0,
        total_ms: performance.now() - started,
        sniff_ms: trace.ms.sniff ?? null,
        hash_ms: trace.ms.hash ?? null,
        extract_ms: trace.ms.extract ?? null,
        ocr_ms: trace.ms.ocr ?? null,
        classify_ms: trace.ms.classify ?? null,
        store_ms: trace.ms.store ?? null,
        commit_ms: trace.ms.commit ?? null,
      })
      // Statistics are not worth failing a catalogued file for.
      .catch((error: unknown) => traced.logger.warn({ err: (error as Error).message }, 'could not record ingest statistics'));
  }
  return outcome;
}

/** Returns undefined when the file was interrupted (it is neither done nor failed). */
async function processTracedEntry(entry: WalkEntry, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, trace: Trace): Promise<FileOutcome | undefined> {
  const started = Date.now();
  const sighting: SourceSighting = { path: entry.path, sha256: null, size: null, mtimeMs: null, runId: deps.runId };
  const fail = async (error: unknown, extra: Partial<FileOutcome> = {}): Promise<FileOutcome | undefined> => {
    if (error instanceof DoccatError && error.code === 'E_INTERRUPTED') return undefined;
    if (isRunFatal(error)) throw error;
    const info = toErrorInfo(error);
    deps.logger.warn({ path: entry.path, code: info.code, err: info.message }, 'file failed');
    if (!options.dryRun) await deps.repository.recordFailure(sighting, info);
    return { path: entry.path, status: 'failed', ...extra, error: info, durationMs: Date.now() - started };
  };

  if (entry.error) return fail(new DoccatError(entry.error.code, entry.error.message, entry.error.hint === undefined ? {} : { hint: entry.error.hint }));
  sighting.size = entry.size;
  sighting.mtimeMs = entry.mtimeMs;
  if (entry.size === 0) {
    return fail(new DoccatError('E_EMPTY_FILE', 'the file is empty (0 bytes)', { hint: 'nothing to catalogue; if it is still being written, run ingest again when it is complete' }));
  }
  if (entry.size > options.maxFileSizeBytes) {
    return fail(new DoccatError('E_FILE_TOO_LARGE', `the file is ${formatMb(entry.size)}, over the ${formatMb(options.maxFileSizeBytes)} limit`, { hint: 'raise ingest.maxFileSizeMb in the config if it really is a document' }));
  }

  try {
    // Same path, same size and mtime as a file already catalogued: skip without reading it.
    const known = await deps.repository.findSourceByPath(entry.path);
    if (known && known.status !== 'failed' && known.document_id !== null && known.size === entry.size && known.mtime_ms === entry.mtimeMs) {
      if (!options.dryRun) await deps.repository.touchSource(entry.path, deps.runId);
      return { path: entry.path, status: 'unchanged', documentId: known.document_id, ...(known.sha256 ? { sha256: known.sha256 } : {}), durationMs: Date.now() - started };
    }

    const { mime } = await timed(trace, 'sniff', () => sniffFile(entry.path));
    if (!hasExtractor(mime)) return fail(unsupportedTypeError(mime), { mime });

    const sha256 = await timed(trace, 'hash', () => sha256File(entry.path, options.signal));
    sighting.sha256 = sha256;
    const existingId = await deps.repository.findIdBySha256(sha256);
    if (existingId !== undefined) {
      if (!options.dryRun) await deps.repository.recordDuplicate(sighting, existingId);
      return { path: entry.path, status: 'duplicate', documentId: existingId, sha256, mime, durationMs: Date.now() - started };
    }
    if (options.dryRun) return { path: entry.path, status: 'new', sha256, mime, durationMs: Date.now() - started };

    // Another process (or worker) may be extracting the same content right now: wait for its
    // document rather than extracting and OCRing it a second time.
    const claim = await claimOrWait(sha256, deps, options.signal);
    if (claim.documentId !== undefined) {
      await deps.repository.recordDuplicate(sighting, claim.documentId);
      return { path: entry.path, status: 'duplicate', documentId: claim.documentId, sha256, mime, durationMs: Date.now() - started };
    }
    const renewal = setInterval(() => void deps.claims.renew(sha256).catch(() => undefined), CLAIM_LEASE_MS / 3);
    try {
      return await extractAndCommit({ path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs }, sighting, sha256, mime, options, deps, events, started, fail, trace);
    } finally {
      clearInterval(renewal);
      await deps.claims.release(sha256).catch(() => undefined);
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError' || options.signal.aborted) return undefined;
    return fail(error, sighting.sha256 ? { sha256: sighting.sha256 } : {});
  }
}

/** How long a claim lasts unless renewed; renewed every third of it while work goes on. */
export const CLAIM_LEASE_MS = 60_000;
const CLAIM_POLL_MS = 250;

async function claimOrWait(sha256: string, deps: IngestDependencies, signal: AbortSignal): Promise<{ documentId?: number }> {
  for (;;) {
    if (await deps.claims.claim(sha256)) {
      // Catalogued between the dedupe check and the claim: nothing left to do.
      const done = await deps.repository.findIdBySha256(sha256);
      if (done === undefined) return {};
      await deps.claims.release(sha256);
      return { documentId: done };
    }
    await sleep(CLAIM_POLL_MS, signal);
    const done = await deps.repository.findIdBySha256(sha256);
    if (done !== undefined) return { documentId: done };
  }
}

async function extractAndCommit(
  entry: Extract<WalkEntry, { size: number }>,
  sighting: SourceSighting,
  sha256: string,
  mime: string,
  options: IngestOptions,
  deps: IngestDependencies,
  events: IngestEvents,
  started: number,
  fail: (error: unknown, extra?: Partial<FileOutcome>) => Promise<FileOutcome | undefined>,
  trace: Trace,
): Promise<FileOutcome | undefined> {
  try {
    let extracted: ExtractResult;
    try {
      extracted = await timed(trace, 'extract', () => deps.extraction.extract({
        path: entry.path,
        mime,
        size: entry.size,
        options: options.extract,
        ocr: deps.ocr,
        signal: options.signal,
        ...(events.onPage ? { onPage: events.onPage } : {}),
      }));
    } catch (error) {
      return fail(error, { sha256, mime });
    }
    if (options.signal.aborted) return undefined;

    const classification = await timed(trace, 'classify', () =>
      deps.classifier.classify({
        text: extracted.text,
        mime,
        fileName: path.basename(entry.path),
        metadata: extracted.metadata,
        correlationId: trace.correlationId,
        signal: options.signal,
      }),
    );
    if (options.signal.aborted) return undefined;
    const store = deps.store as BlobStore;
    const put = await timed(trace, 'store', () => store.putFile(entry.path, sha256));
    const words = countWords(extracted.text);
    const warnings = [...extracted.warnings];
    if (words === 0) warnings.push({ code: 'W_NO_TEXT', message: 'no text found' });
    const committed = await timed(trace, 'commit', () => deps.repository.commitDocument(
      {
        sha256,
        size: put.size,
        mime,
        originalName: path.basename(entry.path),
        blobBackend: put.backend,
        blobKey: put.key,
        method: words === 0 && extracted.method === 'text' ? 'none' : extracted.method,
        pages: extracted.pages,
        words,
        language: classification.language,
        ocrConfidence: extracted.ocrConfidence,
        type: classification.type,
        title: classification.title,
        tags: classification.tags,
        documentDate: classification.date,
        correspondent: classification.correspondent,
        classConfidence: classification.confidence,
        classRule: classification.rule,
        classifier: classification.classifier,
        fields: classification.fields,
        warnings,
        text: extracted.text,
        metadata: Object.fromEntries(Object.entries(extracted.metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      },
      sighting,
    ));
    deps.logger.info({ path: entry.path, documentId: committed.documentId, type: classification.type, method: extracted.method }, 'file catalogued');
    if (committed.duplicate) {
      return { path: entry.path, status: 'duplicate', documentId: committed.documentId, sha256, mime, durationMs: Date.now() - started };
    }
    return {
      path: entry.path,
      status: 'catalogued',
      documentId: committed.documentId,
      sha256,
      mime,
      type: classification.type,
      title: classification.title,
      method: extracted.method,
      pages: extracted.pages,
      ocrPages: extracted.ocrPages,
      words,
      language: classification.language,
      ocrConfidence: extracted.ocrConfidence,
      warnings,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') return undefined;
    return fail(error, sighting.sha256 ? { sha256: sighting.sha256 } : {});
  }
}

/** Errors that would repeat for every file: stop instead of failing each one. */
function isRunFatal(error: unknown): boolean {
  return error instanceof DoccatError && (error.exitCode === ExitCode.usage || error.exitCode === ExitCode.backendUnavailable || error.code === 'E_OCR_INIT');
}

function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
