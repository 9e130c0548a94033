import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { Classifier } from '../classify/classifier.js';
import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository, SourceSighting } from '../db/documents.js';
import { sleep } from '../system/process.js';
import type { ExtractOptions, ExtractResult } from '../extract/extractor.js';
import { engineLabel, type OcrEngine } from '../extract/ocr/engine.js';
import { hasExtractor } from '../extract/registry.js';
import type { ExtractionPool } from '../extract/isolation/pool.js';
import type { BlobStore } from '../storage/blob-store.js';
import { hashSource, openSource, tooLarge, type OpenedSource, type StagedFile, type StagingArea } from './source-file.js';
import { snapshotOf, type SourceSnapshot } from './source-identity.js';
import { sniffFile, sniffHandle, unsupportedTypeError } from './sniff.js';
import { isInsideRoots, linkOutsideWarning, notRegularFileWarning, sourcePolicy, walkPaths, type SourcePolicy, type WalkEntry, type WalkedFile, type WalkOptions } from './walk.js';

/** `skipped`: not read on purpose (a link out of the folders given, a pipe): a warning, not a failure. */
export type FileStatus = 'catalogued' | 'duplicate' | 'unchanged' | 'failed' | 'skipped' | 'new';

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
  /** The OCR engine that read its pages, when any were ("tesseract 5.3.0"). */
  ocrEngine?: string;
  warnings?: { code: string; message: string }[];
  /** Why the file failed, or for `skipped`, why it was not read. */
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
  /** Where each source is copied once, privately, for every later stage; absent in a dry run. */
  staging?: StagingArea | undefined;
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
  skipped: number;
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
  const policy = await sourcePolicy(options.paths, options.followSymlinks ?? false);
  let folders = 0;
  const entries = await walkPaths(options.paths, { ...options, onFolder: () => (folders += 1) }, policy);
  deps.logger.debug({ folders, entries: entries.length }, 'walk finished');
  events.onWalked?.(entries.length);
  const files: FileOutcome[] = [];
  let fatal: unknown;
  let next = 0;

  const worker = async () => {
    while (next < entries.length && !options.signal.aborted && fatal === undefined) {
      const entry = entries[next++] as WalkEntry;
      const outcome = await processEntry(entry, policy, options, deps, events).catch((error: unknown) => {
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
      skipped: count('skipped'),
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
  const policy = await sourcePolicy(options.paths, options.followSymlinks ?? false);
  const outcome = await processEntry(await entryFor(path.resolve(filePath), policy), policy, options, deps, events);
  if (!outcome) throw new DoccatError('E_INTERRUPTED', `interrupted while ingesting ${filePath}`, { exitCode: ExitCode.interrupted });
  return outcome;
}

/**
 * A queued path as the walk would list it. A link is followed only into the roots (the paths in
 * the options; with none, only with followSymlinks); a pipe or device is skipped.
 */
async function entryFor(filePath: string, policy: SourcePolicy): Promise<WalkEntry> {
  try {
    const link = await fs.promises.lstat(filePath, { bigint: true });
    let stat = link;
    if (link.isSymbolicLink()) {
      if (!policy.followSymlinks && !isInsideRoots(policy, await fs.promises.realpath(filePath))) return { path: filePath, skipped: linkOutsideWarning() };
      stat = await fs.promises.stat(filePath, { bigint: true });
    }
    if (stat.isDirectory()) return { path: filePath, error: { code: 'E_NOT_A_FILE', message: 'is a directory', hint: 'queue the files in it, not the folder' } };
    if (!stat.isFile()) return { path: filePath, skipped: notRegularFileWarning(stat) };
    const snapshot = snapshotOf(stat);
    return { path: filePath, size: snapshot.size, mtimeMs: snapshot.mtimeMs, snapshot, viaLink: link.isSymbolicLink() };
  } catch (error) {
    return { path: filePath, error: toErrorInfo(error) };
  }
}

export type Stage = 'sniff' | 'hash' | 'extract' | 'ocr' | 'classify' | 'store' | 'commit';

/** What one file's trip through the pipeline measured. */
interface Trace {
  correlationId: string;
  ms: Partial<Record<Stage, number>>;
  /** The OCR engine that read the file's pages ("tesseract 5.3.0"), once one did. */
  ocrEngine?: string;
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
async function processEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents): Promise<FileOutcome | undefined> {
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
      const detectOrientation = pool.detectOrientation?.bind(pool);
      return {
        recognize: (image, ocrOptions) => {
          if (pool.info) trace.ocrEngine ??= engineLabel(pool.info);
          return timed(trace, 'ocr', () => pool.recognize(image, ocrOptions));
        },
        ...(detectOrientation ? { detectOrientation: (image: Buffer, ocrOptions: { dpi?: number; signal?: AbortSignal }) => timed(trace, 'ocr', () => detectOrientation(image, ocrOptions)) } : {}),
        get info() {
          return pool.info;
        },
        get pagesRecognized() {
          return pool.pagesRecognized;
        },
        close: () => pool.close(),
      };
    },
  };
  const outcome = await processTracedEntry(entry, policy, options, traced, events, trace);
  if (!outcome) return undefined;
  outcome.correlationId = trace.correlationId;
  // An unchanged file is a skip, not work: recording every one would add a row per file per cron
  // run on a large folder, and would inflate the throughput figures.
  if (!options.dryRun && outcome.status !== 'new' && outcome.status !== 'unchanged' && outcome.status !== 'skipped') {
    const size = outcome.snapshot?.size ?? ('size' in entry ? entry.size : 0);
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
        ocr_engine: trace.ocrEngine ?? null,
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
async function processTracedEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, trace: Trace): Promise<FileOutcome | undefined> {
  const started = Date.now();
  const sighting: SourceSighting = { path: entry.path, sha256: null, size: null, mtimeMs: null, runId: deps.runId };
  /** Set once the file is open: what it was when read (watch acts only on a path that still is). */
  let snapshot: SourceSnapshot | undefined;
  const read = (): Partial<FileOutcome> => (snapshot ? { snapshot } : {});
  const fail = async (error: unknown, extra: Partial<FileOutcome> = {}): Promise<FileOutcome | undefined> => {
    if (error instanceof DoccatError && error.code === 'E_INTERRUPTED') return undefined;
    if (isRunFatal(error)) throw error;
    const info = toErrorInfo(error);
    deps.logger.warn({ path: entry.path, code: info.code, err: info.message }, 'file failed');
    if (!options.dryRun) await deps.repository.recordFailure(sighting, info);
    return { path: entry.path, status: 'failed', ...read(), ...extra, error: info, durationMs: Date.now() - started };
  };
  // Not recorded as a source: there is nothing to retry, and nothing was read.
  const skip = (warning: ErrorInfo): FileOutcome => {
    deps.logger.info({ path: entry.path, code: warning.code }, 'file skipped');
    return { path: entry.path, status: 'skipped', error: warning, durationMs: Date.now() - started };
  };

  if (entry.error) return fail(new DoccatError(entry.error.code, entry.error.message, entry.error.hint === undefined ? {} : { hint: entry.error.hint }));
  if (entry.skipped) return skip(entry.skipped);
  const describe = (seen: SourceSnapshot) => Object.assign(sighting, { size: seen.size, mtimeMs: seen.mtimeMs, fileId: seen.fileId, ctimeMs: seen.ctimeMs });
  describe(entry.snapshot);
  const sizeProblem = (size: number) =>
    size === 0
      ? new DoccatError('E_EMPTY_FILE', 'the file is empty (0 bytes)', { hint: 'nothing to catalogue; if it is still being written, run ingest again when it is complete' })
      : size > options.maxFileSizeBytes
        ? tooLarge(size, options.maxFileSizeBytes)
        : undefined;
  const walkedProblem = sizeProblem(entry.size);
  if (walkedProblem) return fail(walkedProblem);

  let opened: OpenedSource | undefined;
  let staged: StagedFile | undefined;
  try {
    // The same file (device and inode), size, mtime and ctime as a path already catalogued:
    // skip without reading it. A file replaced by another with the same size and mtime is not.
    // Looked at now, not as the walk saw it: that may have been long ago.
    const current = snapshotOf(await (entry.viaLink ? fs.promises.stat : fs.promises.lstat)(entry.path, { bigint: true }));
    const known = await deps.repository.findSourceByPath(entry.path);
    if (known && isUnchanged(known, current)) {
      if (!options.dryRun) await deps.repository.touchSource(entry.path, deps.runId);
      return { path: entry.path, status: 'unchanged', documentId: known.document_id as number, ...(known.sha256 ? { sha256: known.sha256 } : {}), snapshot: current, durationMs: Date.now() - started };
    }

    // Opened once and read once: every later stage reads the private copy (or, in a dry run,
    // the descriptor), so the bytes hashed are the bytes extracted and stored.
    const source = await openSource(entry.path, policy, entry.viaLink);
    if ('skipped' in source) return skip(source.skipped);
    opened = source.source;
    snapshot = opened.snapshot;
    describe(snapshot);
    const openedProblem = sizeProblem(snapshot.size);
    if (openedProblem) return await fail(openedProblem);
    const limits = { maxBytes: options.maxFileSizeBytes, signal: options.signal };
    let sha256: string;
    let mime: string;
    if (options.dryRun) {
      sha256 = (await timed(trace, 'hash', () => hashSource(source.source, limits))).sha256;
      ({ mime } = await timed(trace, 'sniff', () => sniffHandle(source.source.handle, entry.path)));
    } else {
      const staging = deps.staging;
      if (!staging) throw new Error('ingest: a run that writes needs a staging area (IngestDependencies.staging)');
      staged = await timed(trace, 'hash', () => staging.stage(source.source, limits));
      sha256 = staged.sha256;
      await closeQuietly(opened.handle);
      opened = undefined;
      const stagedPath = staged.path;
      ({ mime } = await timed(trace, 'sniff', () => sniffFile(stagedPath, entry.path)));
    }
    sighting.sha256 = sha256;
    // Read again (it looked changed) and found to be the content this path already holds.
    if (known && known.status !== 'failed' && known.document_id !== null && known.sha256 === sha256) {
      if (!options.dryRun) await deps.repository.recordDuplicate(sighting, known.document_id);
      return { path: entry.path, status: 'unchanged', documentId: known.document_id, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    if (!hasExtractor(mime)) return await fail(unsupportedTypeError(mime), { mime });

    const existingId = await deps.repository.findIdBySha256(sha256);
    if (existingId !== undefined) {
      const status = options.dryRun ? 'duplicate' : await deps.repository.recordDuplicate(sighting, existingId);
      return { path: entry.path, status, documentId: existingId, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    if (options.dryRun || !staged) return { path: entry.path, status: 'new', sha256, mime, ...read(), durationMs: Date.now() - started };

    // Another process (or worker) may be extracting the same content right now: wait for its
    // document rather than extracting and OCRing it a second time. The claim is held from
    // before the blob is stored until after the row is committed, so that `doccat delete` and
    // `storage verify --repair` leave that blob alone meanwhile.
    const claim = await claimOrWait(sha256, deps, options.signal);
    if (claim.documentId !== undefined) {
      const status = await deps.repository.recordDuplicate(sighting, claim.documentId);
      return { path: entry.path, status, documentId: claim.documentId, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    const renewal = setInterval(() => void deps.claims.renew(sha256).catch(() => undefined), CLAIM_LEASE_MS / 3);
    try {
      const outcome = await extractAndCommit({ path: entry.path, size: staged.size, mtimeMs: sighting.mtimeMs ?? entry.mtimeMs }, staged, sighting, sha256, mime, options, deps, events, started, fail, trace);
      return outcome && { ...outcome, ...read() };
    } finally {
      clearInterval(renewal);
      await deps.claims.release(sha256).catch(() => undefined);
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError' || options.signal.aborted) return undefined;
    // Awaited here: a run-fatal rejection left pending across the awaits in finally would count
    // as unhandled and end the process.
    return await fail(error, sighting.sha256 ? { sha256: sighting.sha256 } : {});
  } finally {
    if (opened) await closeQuietly(opened.handle);
    await staged?.remove().catch(() => undefined);
  }
}

/** The path names the same file, unmodified, as when it was catalogued. */
function isUnchanged(known: { status: string; document_id: number | null; file_id: string | null; size: number | null; mtime_ms: number | null; ctime_ms: number | null }, seen: SourceSnapshot): boolean {
  return known.status !== 'failed' && known.document_id !== null && known.file_id === seen.fileId && known.size === seen.size && known.mtime_ms === seen.mtimeMs && known.ctime_ms === seen.ctimeMs;
}

async function closeQuietly(handle: FileHandle): Promise<void> {
  await handle.close().catch(() => undefined);
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
  entry: Pick<WalkedFile, 'path' | 'size' | 'mtimeMs'>,
  staged: StagedFile,
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
        // The staged copy: the bytes that were hashed and will be stored.
        path: staged.path,
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
    // Given away: the local store renames the staged copy into place instead of copying it.
    const put = await timed(trace, 'store', () => store.putFile(staged.path, sha256, { take: true }));
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
        ocrEngine: extracted.ocrPages > 0 ? (trace.ocrEngine ?? null) : null,
      },
      sighting,
    ));
    deps.logger.info({ path: entry.path, documentId: committed.documentId, type: classification.type, method: extracted.method }, 'file catalogued');
    if (committed.duplicate) {
      return { path: entry.path, status: committed.unchanged ? 'unchanged' : 'duplicate', documentId: committed.documentId, sha256, mime, durationMs: Date.now() - started };
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
      ...(extracted.ocrPages > 0 && trace.ocrEngine ? { ocrEngine: trace.ocrEngine } : {}),
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

