import type { WorkerLiveness } from '../db/workers.js';
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Logger } from 'pino';
import { DoccatError, ExitCode, type ErrorInfo } from '../errors.js';
import { admissible, checkSource, containedFolder, isInside, isRefusal, moveInto, realFolder, RefusedError, writeNote, type Refusal } from './contained-files.js';
import type { FileOutcome } from './ingest.js';
import { watchForMissedFiles } from './missed-files.js';
import type { IngestJob, JobQueue } from '../queue/contract.js';
import type { SourceSnapshot } from './source-identity.js';
import { folderProblem, makeFolder } from '../system/folders.js';

/**
 * A drop folder, watched: a file is queued (durably, in the catalogue) once its size and mtime
 * have been stable for a while and it is a regular file that opens; workers take queued files
 * through the same pipeline as `doccat ingest`. Done files are archived or deleted only after their
 * row and blob are committed; a file that keeps failing, or whose worker keeps dying on it, goes
 * to the failed folder with the reason beside it. Nothing outside the watched, archive and failed
 * folders is touched (pipeline/contained-files.ts).
 */

export interface WatchOptions {
  roots: readonly string[];
  /** Poll instead of inotify (network shares, bind mounts); the interval in ms. */
  pollMs: number | undefined;
  stableMs: number;
  ignore: readonly string[];
  archiveDir: string | undefined;
  failedDir: string | undefined;
  deleteAfterIngest: boolean;
  concurrency: number;
  maxAttempts: number;
  signal: AbortSignal;
  /** This process's heartbeat row, so that other workers take its jobs at once if it dies. */
  liveness?: WorkerLiveness;
  /** doccat's own folders and files (see walk.ts' WalkOptions.own): never taken. */
  own?: readonly string[];
}

export type WatchEvent =
  | { event: 'queued'; path: string }
  | { event: 'done' | 'duplicate' | 'unchanged'; path: string; correlationId?: string; documentId: number | undefined; durationMs: number; movedTo?: string }
  | { event: 'failed'; path: string; correlationId?: string; error: ErrorInfo | undefined; attempt: number; final: boolean; movedTo?: string }
  /** Not queued: not a regular file (a FIFO, socket, device or link). Once per path. */
  | { event: 'skipped'; path: string; code: string; message: string }
  /** Left where it is instead of being archived, deleted or moved to the failed folder. */
  | { event: 'kept'; path: string; code: string; message: string; action: 'archive' | 'delete' | 'failed' };

function correlation(outcome: FileOutcome): { correlationId?: string } {
  return outcome.correlationId ? { correlationId: outcome.correlationId } : {};
}

/** Names that are still being written or are not documents: partial downloads, editor locks. */
const PARTIAL = ['*.part', '*.tmp', '*.crdownload', '*.download', '*.partial', '~$*', '.*'];

export async function watchFolders(
  options: WatchOptions,
  queue: JobQueue,
  ingest: (filePath: string) => Promise<FileOutcome>,
  onEvent: (event: WatchEvent) => void,
  logger: Logger,
): Promise<void> {
  const { watch } = await import('chokidar');
  // Real paths: a drop folder given through a link is watched where it is, and every containment
  // check compares real paths.
  const roots = options.roots.map(realFolder);
  const skipped = picomatch([...PARTIAL, ...options.ignore], { dot: true, basename: true });
  for (const dir of [options.archiveDir, options.failedDir]) {
    if (!dir) continue;
    try {
      // Less the umask, as any folder a user makes: a group's shared drop folder stays shared.
      makeFolder(dir, 0o777);
    } catch (error) {
      throw new DoccatError('E_USAGE', `cannot create ${dir === options.archiveDir ? 'the archive folder' : 'the failed folder'} ${dir}: ${folderProblem(error)}`, { hint: 'name a folder you can write to', exitCode: ExitCode.usage });
    }
  }
  // A catalogue folder that holds a watched folder (or is one) is not ignored whole: only its own
  // files in it are, by their paths.
  const own = (options.own ?? []).map(realFolder).filter((mine) => !roots.some((root) => isInside(root, mine)));
  const internal = [...[options.archiveDir, options.failedDir].filter((dir): dir is string => dir !== undefined).map(realFolder), ...own];
  const ignored = (candidate: string) => {
    const resolved = path.resolve(candidate);
    if (roots.includes(resolved)) return false;
    // The archive and failed folders, and the catalogue, may sit inside a watched folder: never take files from them.
    return internal.some((dir) => isInside(resolved, dir)) || skipped(path.basename(resolved));
  };
  const watcher = watch(roots, {
    ignored,
    ignoreInitial: false,
    // A link inside the drop folder is reported as itself (and not taken), never walked into.
    followSymlinks: false,
    usePolling: options.pollMs !== undefined,
    ...(options.pollMs !== undefined ? { interval: options.pollMs, binaryInterval: options.pollMs } : {}),
    awaitWriteFinish: { stabilityThreshold: options.stableMs, pollInterval: Math.min(100, options.stableMs) },
  });
  // One enqueue at a time: the queue dedupes waiting paths, and bursts arrive as one batch.
  let pending = new Set<string>();
  const warned = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      const batch = [...pending];
      pending = new Set();
      if (batch.length === 0) return;
      const regular: string[] = [];
      for (const file of batch) {
        const verdict = await admissible(file);
        if (verdict === 'ok') {
          regular.push(file);
          warned.delete(file);
        } else if (verdict !== 'busy' && !warned.has(file)) {
          warned.add(file);
          logger.warn({ path: file, code: verdict.code }, verdict.message);
          onEvent({ event: 'skipped', path: file, ...verdict });
        }
      }
      if (regular.length === 0) return;
      const fresh = await notDeadLettered(regular);
      await queue.enqueue(fresh);
      for (const file of fresh) onEvent({ event: 'queued', path: file });
    }).catch((error: unknown) => logger.error({ err: (error as Error).message }, 'could not queue files'));
  };
  // A file whose worker kept dying on it stays out of the queue until it changes (a new ctime):
  // without --failed it is still here at the next start, which would begin the loop again.
  const notDeadLettered = async (files: string[]): Promise<string[]> => {
    const dead = await queue.deadLetteredAt(files);
    const fresh: string[] = [];
    for (const file of files) {
      const at = dead.get(file);
      const changed = at === undefined ? true : await fs.promises.lstat(file).then((stat) => stat.ctimeMs > at, () => false);
      if (changed) fresh.push(file);
      else if (!warned.has(file)) {
        warned.add(file);
        const message = 'doccat stopped while processing this file queue.maxAttempts times before: it is taken again once it changes, or after `doccat queue retry`';
        logger.warn({ path: file, code: 'W_DEAD_LETTERED' }, message);
        onEvent({ event: 'skipped', path: file, code: 'W_DEAD_LETTERED', message });
      }
    }
    return fresh;
  };
  const take = (file: string) => {
    pending.add(path.resolve(file));
    setImmediate(flush);
  };
  watcher.on('add', take);
  watcher.on('change', take);
  watcher.on('error', (error) => logger.warn({ err: (error as Error).message }, 'watcher error'));
  const missed = watchForMissedFiles({
    known: () => watcher.getWatched(),
    watch: (folder) => watcher.add(folder),
    ignored,
    stableMs: options.stableMs,
    take,
    onError: (error) => logger.warn({ err: error.message }, 'watcher error'),
  });
  watcher.on('addDir', (folder) => missed.folderAdded(path.resolve(folder)));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  const keep = (file: string, action: 'archive' | 'delete' | 'failed', refusal: Refusal) => {
    logger.warn({ path: file, code: refusal.code, action }, `left in place: ${refusal.message}`);
    onEvent({ event: 'kept', path: file, action, ...refusal });
  };
  /** Moves a source into the archive or failed folder, keeping its path below its root. */
  const relocate = async (file: string, target: string, snapshot: SourceSnapshot | 'not-needed' | undefined, action: 'archive' | 'failed'): Promise<string | undefined> => {
    try {
      const source = await checkSource(file, roots, snapshot);
      if (isRefusal(source)) {
        keep(file, action, source);
        return undefined;
      }
      const folder = await containedFolder(target, path.dirname(path.relative(source.root, source.realPath)));
      return await moveInto(source, folder, snapshot === 'not-needed' ? undefined : snapshot);
    } catch (error) {
      if (error instanceof RefusedError) {
        keep(file, action, error.refusal);
        return undefined;
      }
      throw error;
    }
  };
  /** To the failed folder with `<name>.error.txt` beside it, when there is a failed folder. */
  const moveToFailed = async (file: string, error: ErrorInfo | undefined, attempt: number, snapshot: SourceSnapshot | undefined): Promise<string | undefined> => {
    if (!options.failedDir) return undefined;
    // A failed file's content is in no document: any regular file at the path may go, unless it
    // is known to have been replaced since (then the new file gets its own turn).
    const movedTo = await relocate(file, options.failedDir, snapshot ?? 'not-needed', 'failed');
    if (movedTo && error) await writeNote(movedTo, `${error.code}\n${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}attempts: ${attempt}\n`);
    return movedTo;
  };
  const handle = async (job: IngestJob) => {
    const started = Date.now();
    let stat: fs.Stats;
    try {
      stat = await fs.promises.lstat(job.path);
    } catch {
      return; // taken away before its turn; nothing to do
    }
    // Swapped for a FIFO, a link... since it was queued: the pipeline never opens it.
    if (!stat.isFile()) {
      onEvent({ event: 'skipped', path: job.path, code: 'W_NOT_REGULAR_FILE', message: 'no longer a regular file: not taken' });
      return;
    }
    const outcome = await ingest(job.path);
    // Not read on purpose (a link out of the drop folder, a pipe): never moved or deleted.
    if (outcome.status === 'skipped') {
      const warning = outcome.error;
      onEvent({ event: 'skipped', path: job.path, code: warning?.code ?? 'W_NOT_REGULAR_FILE', message: warning?.message ?? 'not a regular file inside the watched folders: left alone' });
      return;
    }
    if (outcome.status === 'failed') {
      const final = job.attempt >= options.maxAttempts;
      if (!final) {
        onEvent({ event: 'failed', path: job.path, ...correlation(outcome), error: outcome.error, attempt: job.attempt, final });
        // Thrown so that the queue tries again later, with backoff.
        throw new Error(outcome.error?.message ?? 'failed');
      }
      const movedTo = await moveToFailed(job.path, outcome.error, job.attempt, outcome.snapshot);
      onEvent({ event: 'failed', path: job.path, ...correlation(outcome), error: outcome.error, attempt: job.attempt, final, ...(movedTo ? { movedTo } : {}) });
      return;
    }
    // The row and the blob are committed: only now may the source go, and only if it is still
    // the file that was read.
    let movedTo: string | undefined;
    if (options.archiveDir) movedTo = await relocate(job.path, options.archiveDir, outcome.snapshot, 'archive');
    else if (options.deleteAfterIngest) {
      const source = await checkSource(job.path, roots, outcome.snapshot);
      if (isRefusal(source)) keep(job.path, 'delete', source);
      else await fs.promises.unlink(source.realPath);
    }
    const event = outcome.status === 'catalogued' ? 'done' : outcome.status === 'duplicate' ? 'duplicate' : 'unchanged';
    onEvent({ event, path: job.path, ...correlation(outcome), documentId: outcome.documentId, durationMs: Date.now() - started, ...(movedTo ? { movedTo } : {}) });
  };
  // A file whose worker kept dying on it (a crash, kill -9, out of memory) is not run again.
  const onDeadLetter = async (job: IngestJob, error: ErrorInfo) => {
    logger.error({ path: job.path, code: error.code }, error.message);
    const movedTo = await moveToFailed(job.path, error, job.attempt, undefined).catch((moveError: unknown) => {
      logger.error({ path: job.path, err: (moveError as Error).message }, 'could not move to the failed folder');
      return undefined;
    });
    onEvent({ event: 'failed', path: job.path, error, attempt: job.attempt, final: true, ...(movedTo ? { movedTo } : {}) });
  };

  const heartbeat = setInterval(() => {
    void queue.status().then((status) => logger.info({ ...status }, 'watch heartbeat')).catch(() => undefined);
  }, 60_000);
  heartbeat.unref();
  try {
    await ready;
    await queue.work({ concurrency: options.concurrency, signal: options.signal, drain: false, onDeadLetter, ...(options.liveness ? { liveness: options.liveness } : {}) }, handle);
  } finally {
    clearInterval(heartbeat);
    missed.close();
    await watcher.close();
    await flushing;
  }
}
