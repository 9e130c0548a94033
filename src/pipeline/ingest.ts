import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { SourceSighting } from '../db/documents.js';
import { engineLabel, type OcrImage } from '../extract/ocr/engine.js';
import { forEachLimit } from '../system/concurrency.js';
import type { FileFamily } from './families.js';
import { decideUnread } from './artifact-policy.js';
import { CLAIM_LEASE_MS, claimOrWait, extractAndCommit, isUnpackable, openFamily } from './commit-file.js';
import { nextCorrelationId, timed, type Trace } from './file-trace.js';
import { DocumentGone, MAX_UNPACK_DEPTH, type FileOutcome, type FileStatus, type IngestDependencies, type IngestEvents, type IngestOptions, type IngestSummary, type MemberContext } from './ingest-types.js';
import { hashSource, openSource, tooLarge, type OpenedSource, type StagedFile } from './source-file.js';
import { snapshotOf, type SourceSnapshot } from './source-identity.js';
import { sniffFile, sniffHandle } from './sniff.js';
import { isInsideRoots, linkOutsideWarning, notRegularFileWarning, sourcePolicy, walkPaths, type SourcePolicy, type WalkEntry, type WalkedFile } from './walk.js';

export * from './ingest-types.js';
export { CLAIM_LEASE_MS } from './commit-file.js';
export type { Stage } from './file-trace.js';


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
  await forEachLimit(entries, { limit: options.jobs, signal: options.signal }, async (entry) => {
    const outcome = await processEntry(entry, policy, options, deps, events);
    if (!outcome) return;
    files.push(outcome);
    events.onFile?.(outcome);
  });

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

/**
 * One file with its correlation id (on its log lines, its provider calls, its outcome) and its
 * stage timings, recorded for `doccat stats` once the file is done.
 */
async function processEntry(entry: WalkEntry, policy: SourcePolicy, options: IngestOptions, deps: IngestDependencies, events: IngestEvents, traceParent?: string, member?: MemberContext): Promise<FileOutcome | undefined> {
  const trace: Trace = { correlationId: nextCorrelationId(deps.runId), ms: {}, stages: {} };
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
        ...(detectOrientation ? { detectOrientation: (image: OcrImage, ocrOptions: { dpi?: number; signal?: AbortSignal }) => timed(trace, 'ocr', () => detectOrientation(image, ocrOptions)) } : {}),
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
      const depth = member?.depth ?? 0;
      const outcome = await extractAndCommit(
        {
          entry: { path: recorded, size: staged.size, mtimeMs: sighting.mtimeMs ?? entry.mtimeMs },
          staged,
          sighting,
          sha256,
          mime,
          unread: decision.action === 'catalogue',
          depth,
          started,
          trace,
          family,
          fail,
          catalogueMembers: (parentId, members, unpackDir) => catalogueMembers(recorded, parentId, members, unpackDir, depth, options, deps, events),
        },
        options,
        deps,
        events,
      );
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

/** Errors that would repeat for every file: stop instead of failing each one. */
function isRunFatal(error: unknown): boolean {
  return error instanceof DoccatError && (error.exitCode === ExitCode.usage || error.exitCode === ExitCode.backendUnavailable || error.code === 'E_OCR_INIT');
}
