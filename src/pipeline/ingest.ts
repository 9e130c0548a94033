import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { Classifier } from '../classify/classifier.js';
import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository, SourceSighting, StoredBlob } from '../db/documents.js';
import { FileFamily, type PartOutcome } from './families.js';
import { countWords, describedDocument } from './new-document.js';
import { hashFile } from './hash-file.js';
import { sleep } from '../system/process.js';
import type { ExtractOptions, ExtractResult } from '../extract/extractor.js';
import { engineLabel, type OcrEngine } from '../extract/ocr/engine.js';
import { artifactClassification, decideUnread, unreadResult, type UnknownFilesPolicy } from './artifact-policy.js';
import { LISTED_ARCHIVE_TYPES } from '../extract/artifacts/formats.js';
import type { ExtractionPool } from '../extract/isolation/pool.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Tracer, TraceSpan, SpanAttributes } from '../observability/tracing.js';
import { hashSource, openSource, tooLarge, type OpenedSource, type StagedFile, type StagingArea } from './source-file.js';
import { snapshotOf, type SourceSnapshot } from './source-identity.js';
import { sniffFile, sniffHandle } from './sniff.js';
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
  /** The searchable PDF kept for this document (pages that got a text layer). */
  searchablePdf?: { sha256: string; size: number; textPages: number; pdfa: boolean };
  /** Documents that came out of this one (an e-mail's attachments, an mbox's messages). */
  parts?: PartOutcome[];
  /** How many of those, at every level, are new documents. */
  partsCatalogued?: number;
  warnings?: { code: string; message: string }[];
  /** Why the file failed, or for `skipped`, why it was not read. */
  error?: ErrorInfo;
  /** The source file as it was read; watch only moves or deletes a path that still matches it. */
  snapshot?: SourceSnapshot;
  durationMs: number;
  /** ingest --unpack: what became of the documents inside this archive. */
  members?: FileOutcome[];
}

export interface IngestOptions extends WalkOptions {
  paths: readonly string[];
  jobs: number;
  dryRun: boolean;
  maxFileSizeBytes: number;
  extract: ExtractOptions;
  /** Keep a searchable PDF of every document that needed OCR (ocr.searchablePdf). */
  searchablePdf?: boolean;
  signal: AbortSignal;
  /** Files that are not documents (executables, archives, unknown binaries); default catalogue. */
  unknownFiles?: UnknownFilesPolicy;
  /** ingest --unpack: the documents inside archives are catalogued too, as their members. */
  unpack?: boolean;
}

/** How deep archives inside archives are unpacked. */
export const MAX_UNPACK_DEPTH = 3;

/** A file taken out of an archive (ingest --unpack): catalogued under `<archive path>!/<member name>`. */
interface MemberContext {
  recordAs: string;
  depth: number;
  parentId: number;
  name: string;
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
  /** Spans for each file and its stages; absent or disabled: none. */
  tracer?: Tracer | undefined;
  /** What a walk's file spans go under (the run's span). */
  traceParent?: TraceSpan | undefined;
  /**
   * Records where each file came from (a CI run, labels) once it has a document; false when that
   * document is gone (pruned meanwhile), and the file is then catalogued again.
   */
  sightings?: { record(documentId: number, filePath: string): Promise<boolean> } | undefined;
  /** Records that a document is a member of an archive document (ingest --unpack). */
  members?: { record(parentId: number, childId: number, member: string): Promise<void> } | undefined;
}

/** The document a file was found to duplicate was deleted (pruned) meanwhile: take the file again. */
export class DocumentGone extends Error {
  constructor() {
    super('the document was deleted meanwhile');
  }
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
  /** Documents catalogued from inside files: attachments, mbox messages. */
  parts: number;
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
      parts: files.reduce((sum, file) => sum + (file.partsCatalogued ?? 0), 0),
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
export async function ingestFile(filePath: string, options: IngestOptions, deps: IngestDependencies, events: IngestEvents = {}, traceParent?: string): Promise<FileOutcome> {
  const policy = await sourcePolicy(options.paths, options.followSymlinks ?? false);
  const outcome = await processEntry(await entryFor(path.resolve(filePath), policy), policy, options, deps, events, traceParent);
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
  /** The file's span, and the stage span open now, when tracing. */
  span?: TraceSpan | undefined;
  stages: Partial<Record<Stage, TraceSpan>>;
}

let fileSequence = 0;

/** Times a stage; when tracing, a span too (an OCR page's under the extract stage's). */
async function timed<T>(trace: Trace, stage: Stage, work: () => Promise<T>, describe?: (result: T) => SpanAttributes): Promise<T> {
  const started = performance.now();
  const span = stage === 'ocr' ? (trace.stages.extract ?? trace.span)?.child('doccat.ocr.page') : trace.span?.child(`doccat.${stage}`);
  if (span && stage !== 'ocr') trace.stages[stage] = span;
  try {
    const result = await work();
    if (span && describe) span.set(describe(result));
    return result;
  } catch (error) {
    span?.fail(toErrorInfo(error));
    throw error;
  } finally {
    trace.ms[stage] = (trace.ms[stage] ?? 0) + performance.now() - started;
    if (stage !== 'ocr') delete trace.stages[stage];
    span?.end();
  }
}

/**
 * One file with its correlation id (on its log lines, its provider calls, its outcome) and its
 * stage timings, recorded for `doccat stats` once the file is done.
 */
async function processEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, traceParent?: string, member?: MemberContext): Promise<FileOutcome | undefined> {
  fileSequence += 1;
  const trace: Trace = { correlationId: `${deps.runId}-${fileSequence.toString(36)}`, ms: {}, stages: {} };
  if (deps.tracer?.enabled) trace.span = deps.tracer.start('doccat.file', { parent: traceParent ?? deps.traceParent, attributes: { 'doccat.run_id': deps.runId, 'doccat.correlation_id': trace.correlationId, 'file.path': entry.path } });
  // Provider calls are recorded by correlation id: they find the classify span through this.
  const untrack = deps.tracer?.track(trace.correlationId, () => trace.stages.classify ?? trace.span);
  try {
    const outcome = await processTimedEntry(entry, policy, options, deps, events, trace, member);
    trace.span?.set(outcome ? { 'doccat.status': outcome.status, 'doccat.document_id': outcome.documentId, 'doccat.mime': outcome.mime, 'doccat.method': outcome.method, 'doccat.pages': outcome.pages, 'doccat.ocr_pages': outcome.ocrPages, 'file.size': outcome.snapshot?.size } : { 'doccat.status': 'interrupted' });
    if (outcome?.error && outcome.status === 'failed') trace.span?.fail(outcome.error);
    return outcome;
  } catch (error) {
    trace.span?.fail(toErrorInfo(error));
    throw error;
  } finally {
    trace.span?.end();
    untrack?.();
  }
}

async function processTimedEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, trace: Trace, member?: MemberContext): Promise<FileOutcome | undefined> {
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
          return timed(trace, 'ocr', () => pool.recognize(image, ocrOptions), (page) => ({ 'doccat.ocr.confidence': page.confidence, 'doccat.ocr.dpi': ocrOptions.dpi }));
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
  let outcome: FileOutcome | undefined;
  // A document pruned while this file was found to hold it: the file is taken again, as new.
  for (let attempt = 0; ; attempt += 1) {
    try {
      outcome = await processTracedEntry(entry, policy, options, traced, events, trace, member);
      const documentId = outcome?.documentId;
      if (!outcome || options.dryRun || !deps.sightings || documentId === undefined || !['catalogued', 'duplicate', 'unchanged'].includes(outcome.status)) break;
      if (await deps.sightings.record(documentId, member?.recordAs ?? entry.path)) break;
      throw new DocumentGone();
    } catch (error) {
      if (!(error instanceof DocumentGone) || attempt >= 3) throw error;
      traced.logger.info({ path: entry.path }, 'the document this file holds was deleted meanwhile; taking the file again');
    }
  }
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
async function processTracedEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, trace: Trace, member?: MemberContext): Promise<FileOutcome | undefined> {
  const started = Date.now();
  /** The path the catalogue knows the file by: its own, or `<archive>!/<member>` for a member. */
  const recorded = member?.recordAs ?? entry.path;
  const sighting: SourceSighting = { path: recorded, sha256: null, size: null, mtimeMs: null, runId: deps.runId };
  /** Set once the file is open: what it was when read (watch acts only on a path that still is). */
  let snapshot: SourceSnapshot | undefined;
  const read = (): Partial<FileOutcome> => (snapshot ? { snapshot } : {});
  const fail = async (error: unknown, extra: Partial<FileOutcome> = {}): Promise<FileOutcome | undefined> => {
    if (error instanceof DoccatError && error.code === 'E_INTERRUPTED') return undefined;
    if (error instanceof DocumentGone) throw error;
    if (isRunFatal(error)) throw error;
    const info = toErrorInfo(error);
    deps.logger.warn({ path: recorded, code: info.code, err: info.message }, 'file failed');
    if (!options.dryRun) await deps.repository.recordFailure(sighting, info);
    return { path: recorded, status: 'failed', ...read(), ...extra, error: info, durationMs: Date.now() - started };
  };
  // Not recorded as a source: there is nothing to retry, and nothing was read.
  const skip = (warning: ErrorInfo): FileOutcome => {
    deps.logger.info({ path: recorded, code: warning.code }, 'file skipped');
    return { path: recorded, status: 'skipped', error: warning, durationMs: Date.now() - started };
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
    const known = await deps.repository.findSourceByPath(recorded);
    if (known && isUnchanged(known, current)) {
      if (!options.dryRun) await deps.repository.touchSource(recorded, deps.runId);
      return { path: recorded, status: 'unchanged', documentId: known.document_id as number, ...(known.sha256 ? { sha256: known.sha256 } : {}), snapshot: current, durationMs: Date.now() - started };
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
      ({ mime } = await timed(trace, 'sniff', () => sniffFile(stagedPath, recorded)));
    }
    sighting.sha256 = sha256;
    // Read again (it looked changed) and found to be the content this path already holds.
    if (known && known.status !== 'failed' && known.document_id !== null && known.sha256 === sha256) {
      if (!options.dryRun) await recordDuplicate(deps, sighting, known.document_id);
      return { path: recorded, status: 'unchanged', documentId: known.document_id, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    const decision = decideUnread(mime, options.unknownFiles ?? 'catalogue');
    // Out of an archive, only documents (and archives, to a depth) are taken; the rest is in its listing.
    if (member && !isMemberWanted(mime, member.depth)) return { ...skip({ code: 'W_NOT_A_DOCUMENT', message: `${mime} inside an archive is listed, not catalogued` }), sha256, mime };
    if (decision.action === 'fail') return await fail(decision.error, { mime });
    if (decision.action === 'skip') return { ...skip(decision.warning), sha256, mime, ...read() };

    const existingId = await deps.repository.findIdBySha256(sha256);
    if (existingId !== undefined) {
      const status = options.dryRun ? 'duplicate' : await recordDuplicate(deps, sighting, existingId);
      return { path: recorded, status, documentId: existingId, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    if (options.dryRun || !staged) return { path: recorded, status: 'new', sha256, mime, ...read(), durationMs: Date.now() - started };

    // Another process (or worker) may be extracting the same content right now: wait for its
    // document rather than extracting and OCRing it a second time. The claim is held from
    // before the blob is stored until after the row is committed, so that `doccat delete` and
    // `storage verify --repair` leave that blob alone meanwhile.
    const claim = await claimOrWait(sha256, deps, options.signal);
    if (claim.documentId !== undefined) {
      const status = await recordDuplicate(deps, sighting, claim.documentId);
      return { path: recorded, status, documentId: claim.documentId, sha256, mime, ...read(), durationMs: Date.now() - started };
    }
    const renewal = setInterval(() => void deps.claims.renew(sha256).catch(() => undefined), CLAIM_LEASE_MS / 3);
    let family: FileFamily | undefined;
    try {
      family = await openFamily(mime, options, deps, trace);
      const outcome = await extractAndCommit({ path: recorded, size: staged.size, mtimeMs: sighting.mtimeMs ?? entry.mtimeMs }, staged, sighting, sha256, mime, decision.action === 'catalogue', member?.depth ?? 0, options, deps, events, started, fail, trace, family);
      return outcome && { ...outcome, ...read() };
    } finally {
      await family?.close();
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

/** A duplicate's source row, unless its document was deleted meanwhile (then the file is taken again). */
async function recordDuplicate(deps: IngestDependencies, sighting: SourceSighting, documentId: number): Promise<'duplicate' | 'unchanged'> {
  const status = await deps.repository.recordDuplicate(sighting, documentId);
  if (status === 'gone') throw new DocumentGone();
  return status;
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
  /** No reader opens this type: catalogued from its bytes alone, without an extraction process. */
  unread: boolean,
  /** 0 for a file given, 1 for a member of an archive, and so on. */
  depth: number,
  options: IngestOptions,
  deps: IngestDependencies,
  events: IngestEvents,
  started: number,
  fail: (error: unknown, extra?: Partial<FileOutcome>) => Promise<FileOutcome | undefined>,
  trace: Trace,
  family?: FileFamily,
): Promise<FileOutcome | undefined> {
  // Written by the extraction process beside the staged copy, so that it is private, goes where
  // staging leftovers are cleared, and is removed here whatever happens to the file.
  const searchablePath = options.searchablePdf ? `${staged.path}.searchable.pdf` : undefined;
  let searchableClaim: string | undefined;
  let unpackDir: string | undefined;
  try {
    let extracted: ExtractResult;
    // ingest --unpack: the extraction process writes the archive's members to a private folder.
    if (options.unpack && isUnpackable(mime) && depth < MAX_UNPACK_DEPTH && deps.staging) {
      unpackDir = path.join(deps.staging.directory, `${process.pid}.unpack-${randomBytes(6).toString('hex')}`);
      await fs.promises.mkdir(unpackDir, { mode: 0o700 });
    }
    const extractOptions = unpackDir ? { ...options.extract, unpackTo: unpackDir } : options.extract;
    try {
      extracted = unread ? unreadResult(mime) : await timed(trace, 'extract', () => deps.extraction.extract({
        // The staged copy: the bytes that were hashed and will be stored.
        path: staged.path,
        mime,
        size: entry.size,
        options: family ? { ...family.extractOptions, ...(unpackDir ? { unpackTo: unpackDir } : {}) } : extractOptions,
        ocr: deps.ocr,
        signal: options.signal,
        ...(events.onPage ? { onPage: events.onPage } : {}),
        ...(searchablePath === undefined ? {} : { searchablePdfPath: searchablePath }),
      }));
      // Its parts through the same stages; an mbox's messages are committed here, one by one.
      await family?.prepare(extracted, mime);
    } catch (error) {
      return await fail(error, { sha256, mime });
    }
    if (options.signal.aborted) return undefined;

    const artifact = extracted.artifact;
    const classification = artifact ? artifactClassification(artifact, entry.path) : await timed(trace, 'classify', () =>
      deps.classifier.classify({
        text: extracted.text,
        mime,
        fileName: path.basename(entry.path),
        relativePath: pathBelowRoot(entry.path, options.paths),
        metadata: extracted.metadata,
        ...(extracted.layoutText === undefined ? {} : { layoutText: extracted.layoutText }),
        correlationId: trace.correlationId,
        signal: options.signal,
      }),
    );
    if (options.signal.aborted) return undefined;
    const store = deps.store as BlobStore;
    // Given away: the local store renames the staged copy into place instead of copying it.
    const put = await timed(trace, 'store', () => store.putFile(staged.path, sha256, { take: true }));
    const warnings = [...extracted.warnings, ...(family?.warnings ?? [])];
    let searchable: StoredBlob | undefined;
    if (extracted.searchablePdf && extracted.searchablePdf.path === searchablePath) {
      const kept = await timed(trace, 'store', () => storeSearchablePdf(searchablePath, store, deps, options.signal));
      if ('warning' in kept) warnings.push(kept.warning);
      else {
        searchable = kept.blob;
        searchableClaim = kept.blob.sha256;
      }
    }
    await family?.store();
    const words = countWords(extracted.text);
    // An executable or archive has no text to miss.
    if (words === 0 && !artifact) warnings.push({ code: 'W_NO_TEXT', message: 'no text found' });
    const described = describedDocument(entry.path, sha256, mime, extracted, classification, warnings);
    const committed = await timed(trace, 'commit', () => (family ?? deps.repository).commitDocument(
      {
        ...described,
        size: put.size,
        blobBackend: put.backend,
        blobKey: put.key,
        // Where it was found below the ingested folder: reclassify applies path rules with it.
        metadata: { ...described.metadata, relativePath: pathBelowRoot(entry.path, options.paths) },
        ocrEngine: extracted.ocrPages > 0 ? (trace.ocrEngine ?? null) : null,
        ...(searchable ? { searchable } : {}),
      },
      sighting,
    ));
    deps.logger.info({ path: entry.path, documentId: committed.documentId, type: classification.type, method: extracted.method }, 'file catalogued');
    if (committed.duplicate) {
      return { path: entry.path, status: committed.unchanged ? 'unchanged' : 'duplicate', documentId: committed.documentId, sha256, mime, durationMs: Date.now() - started };
    }
    const members = unpackDir && artifact?.members?.length ? await catalogueMembers(entry.path, committed.documentId, artifact.members, unpackDir, depth, options, deps, events) : undefined;
    return {
      ...(members ? { members } : {}),
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
      ...(searchable && extracted.searchablePdf ? { searchablePdf: { sha256: searchable.sha256, size: searchable.size, textPages: extracted.searchablePdf.textPages, pdfa: extracted.searchablePdf.pdfa } } : {}),
      ...(family ? { parts: family.outcomes(), partsCatalogued: family.catalogued } : {}),
      warnings,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') return undefined;
    // Awaited here: a run-fatal rejection must not wait unhandled while the finally below does I/O.
    return await fail(error, sighting.sha256 ? { sha256: sighting.sha256 } : {});
  } finally {
    if (searchableClaim !== undefined) await deps.claims.release(searchableClaim).catch(() => undefined);
    if (searchablePath !== undefined) await fs.promises.rm(searchablePath, { force: true }).catch(() => undefined);
    if (unpackDir) await fs.promises.rm(unpackDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** How long to wait for the claim on a searchable PDF's content before going without it. */
const SEARCHABLE_CLAIM_WAIT_MS = CLAIM_LEASE_MS;

/**
 * Stores the searchable PDF the extraction wrote: hashed here (the extraction process read a
 * hostile file; its output is checked like any input), under the claim on its own content, held
 * until the commit, as the original's is (pipeline/remove-blob.ts: a deleter takes the same
 * claim). The same bytes can be another document's blob, whose deletion may be under way.
 */
async function storeSearchablePdf(filePath: string, store: BlobStore, deps: IngestDependencies, signal: AbortSignal): Promise<{ blob: StoredBlob } | { warning: { code: string; message: string } }> {
  const { sha256 } = await hashFile(filePath);
  const deadline = Date.now() + SEARCHABLE_CLAIM_WAIT_MS;
  while (!(await deps.claims.claim(sha256))) {
    if (Date.now() > deadline) return { warning: { code: 'W_NO_SEARCHABLE_PDF', message: 'no searchable PDF: another process held the claim on the same PDF for too long' } };
    await sleep(CLAIM_POLL_MS, signal);
  }
  try {
    const put = await store.putFile(filePath, sha256, { take: true });
    return { blob: { sha256, size: put.size, backend: put.backend, key: put.key } };
  } catch (error) {
    await deps.claims.release(sha256).catch(() => undefined);
    throw error;
  }
}


/** Archives whose members can be written out (zip family, tar and its compressions, .deb data). */
function isUnpackable(mime: string): boolean {
  return (LISTED_ARCHIVE_TYPES as readonly string[]).includes(mime) && mime !== 'application/x-rpm';
}

/** Out of an archive: documents, and archives that may be unpacked further. */
function isMemberWanted(mime: string, depth: number): boolean {
  if (decideUnread(mime, 'skip').action === 'read') return true;
  return isUnpackable(mime) && depth < MAX_UNPACK_DEPTH;
}

/**
 * The documents inside an archive just catalogued (ingest --unpack), each through the same stages
 * as a file given, under `<archive path>!/<member name>`, and recorded as the archive's member.
 * The folder they were written to is the only place they are read from.
 */
async function catalogueMembers(archivePath: string, parentId: number, members: readonly { name: string; file: string }[], unpackDir: string, depth: number, options: IngestOptions, deps: IngestDependencies, events: IngestEvents): Promise<FileOutcome[]> {
  const policy = await sourcePolicy([unpackDir], false);
  const outcomes: FileOutcome[] = [];
  for (const member of members) {
    if (options.signal.aborted) break;
    const snapshot = snapshotOf(await fs.promises.lstat(member.file, { bigint: true }));
    const entry: WalkedFile = { path: member.file, size: snapshot.size, mtimeMs: snapshot.mtimeMs, snapshot, viaLink: false };
    const outcome = await processEntry(entry, policy, options, deps, events, undefined, { recordAs: `${archivePath}!/${member.name}`, depth: depth + 1, parentId, name: member.name });
    if (!outcome || outcome.status === 'skipped') continue;
    // The member's own snapshot is of a temporary file: nothing for watch to act on.
    delete outcome.snapshot;
    outcomes.push(outcome);
    if (outcome.documentId !== undefined && outcome.status !== 'failed') await deps.members?.record(parentId, outcome.documentId, member.name);
  }
  return outcomes;
}

/** The parts of a container file (an e-mail, an mbox) when they are wanted; the caller closes it. */
async function openFamily(mime: string, options: IngestOptions, deps: IngestDependencies, trace: Trace): Promise<FileFamily | undefined> {
  if (!deps.store || !deps.staging) return undefined;
  return FileFamily.open(mime, { ...deps, store: deps.store, staging: deps.staging }, {
    extract: options.extract,
    maxFileSizeBytes: options.maxFileSizeBytes,
    signal: options.signal,
    correlationId: trace.correlationId,
    time: (stage, work) => timed(trace, stage, work),
  });
}

/** Errors that would repeat for every file: stop instead of failing each one. */
function isRunFatal(error: unknown): boolean {
  return error instanceof DoccatError && (error.exitCode === ExitCode.usage || error.exitCode === ExitCode.backendUnavailable || error.code === 'E_OCR_INIT');
}


/** The path below the folder it was ingested from, with / separators: what path rules match. */
function pathBelowRoot(filePath: string, roots: readonly string[]): string {
  const absolute = path.resolve(filePath);
  const root = roots.map((candidate) => path.resolve(candidate)).find((candidate) => absolute.startsWith(candidate + path.sep));
  return (root ? path.relative(root, absolute) : path.basename(absolute)).split(path.sep).join('/');
}
