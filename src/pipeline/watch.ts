import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Logger } from 'pino';
import type { ErrorInfo } from '../errors.js';
import type { FileOutcome } from './ingest.js';
import type { IngestJob, JobQueue } from './queue.js';

/**
 * A drop folder, watched: a file is queued (durably, in the catalogue) once its size and mtime
 * have been stable for a while and it can be opened; workers take queued files through the same
 * pipeline as `doccat ingest`. Done files are archived or deleted only after their row and blob
 * are committed; a file that keeps failing goes to the failed folder with the reason beside it.
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
}

export type WatchEvent =
  | { event: 'queued'; path: string }
  | { event: 'done' | 'duplicate' | 'unchanged'; path: string; correlationId?: string; documentId: number | undefined; durationMs: number; movedTo?: string }
  | { event: 'failed'; path: string; correlationId?: string; error: ErrorInfo | undefined; attempt: number; final: boolean; movedTo?: string };

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
  const roots = options.roots.map((root) => path.resolve(root));
  const skipped = picomatch([...PARTIAL, ...options.ignore], { dot: true, basename: true });
  const internal = [options.archiveDir, options.failedDir].filter((dir): dir is string => dir !== undefined).map((dir) => path.resolve(dir));
  const ignored = (candidate: string) => {
    const resolved = path.resolve(candidate);
    if (roots.includes(resolved)) return false;
    // The archive and failed folders may sit inside a watched folder: never take files from them.
    return internal.some((dir) => resolved === dir || resolved.startsWith(dir + path.sep)) || skipped(path.basename(resolved));
  };
  const watcher = watch(roots, {
    ignored,
    ignoreInitial: false,
    usePolling: options.pollMs !== undefined,
    ...(options.pollMs !== undefined ? { interval: options.pollMs, binaryInterval: options.pollMs } : {}),
    awaitWriteFinish: { stabilityThreshold: options.stableMs, pollInterval: Math.min(100, options.stableMs) },
  });
  // One enqueue at a time: the queue dedupes waiting paths, and bursts arrive as one batch.
  let pending = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      const batch = [...pending];
      pending = new Set();
      if (batch.length === 0) return;
      const readable = batch.filter(canRead);
      await queue.enqueue(readable);
      for (const file of readable) onEvent({ event: 'queued', path: file });
    }).catch((error: unknown) => logger.error({ err: (error as Error).message }, 'could not queue files'));
  };
  const take = (file: string) => {
    pending.add(path.resolve(file));
    setImmediate(flush);
  };
  watcher.on('add', take);
  watcher.on('change', take);
  watcher.on('error', (error) => logger.warn({ err: (error as Error).message }, 'watcher error'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  const rootOf = (file: string) => roots.find((root) => file.startsWith(root + path.sep)) ?? path.dirname(file);
  const handle = async (job: IngestJob) => {
    const started = Date.now();
    if (!fs.existsSync(job.path)) return; // taken away before its turn; nothing to do
    const outcome = await ingest(job.path);
    // Not read on purpose (a link out of the drop folder, a pipe): never moved or deleted.
    if (outcome.status === 'skipped') {
      logger.warn({ path: job.path, code: outcome.error?.code }, 'not a regular file inside the watched folders; left alone');
      return;
    }
    if (outcome.status === 'failed') {
      const final = job.attempt >= options.maxAttempts;
      if (!final) {
        onEvent({ event: 'failed', path: job.path, ...correlation(outcome), error: outcome.error, attempt: job.attempt, final });
        // Thrown so that the queue tries again later, with backoff.
        throw new Error(outcome.error?.message ?? 'failed');
      }
      const movedTo = options.failedDir ? await moveAside(job.path, rootOf(job.path), options.failedDir) : undefined;
      if (movedTo && outcome.error) {
        await fs.promises.writeFile(`${movedTo}.error.txt`, `${outcome.error.code}\n${outcome.error.message}\n${outcome.error.hint ? `hint: ${outcome.error.hint}\n` : ''}attempts: ${job.attempt}\n`);
      }
      onEvent({ event: 'failed', path: job.path, ...correlation(outcome), error: outcome.error, attempt: job.attempt, final, ...(movedTo ? { movedTo } : {}) });
      return;
    }
    // The row and the blob are committed: only now may the source go.
    let movedTo: string | undefined;
    if (options.archiveDir) movedTo = await moveAside(job.path, rootOf(job.path), options.archiveDir);
    else if (options.deleteAfterIngest) await fs.promises.rm(job.path, { force: true });
    const event = outcome.status === 'catalogued' ? 'done' : outcome.status === 'duplicate' ? 'duplicate' : 'unchanged';
    onEvent({ event, path: job.path, ...correlation(outcome), documentId: outcome.documentId, durationMs: Date.now() - started, ...(movedTo ? { movedTo } : {}) });
  };

  const heartbeat = setInterval(() => {
    void queue.status().then((status) => logger.info({ ...status }, 'watch heartbeat')).catch(() => undefined);
  }, 60_000);
  heartbeat.unref();
  try {
    await ready;
    await queue.work({ concurrency: options.concurrency, signal: options.signal, drain: false }, handle);
  } finally {
    clearInterval(heartbeat);
    await watcher.close();
    await flushing;
  }
}

function canRead(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves a file into `target`, keeping its path relative to the watched root; an existing name
 * is never overwritten: " (1)", " (2)" ... go before the extension.
 */
export async function moveAside(file: string, root: string, target: string): Promise<string> {
  const relative = path.relative(root, file);
  const destination = path.join(path.resolve(target), relative.startsWith('..') ? path.basename(file) : relative);
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const { dir, name, ext } = path.parse(destination);
  for (let copy = 0; ; copy += 1) {
    const candidate = copy === 0 ? destination : path.join(dir, `${name} (${copy})${ext}`);
    try {
      // Link-then-unlink: fails instead of replacing an existing file (rename would replace it).
      await fs.promises.link(file, candidate);
      await fs.promises.rm(file);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'EXDEV' || code === 'EPERM') {
        // Another filesystem: copy without overwriting, then remove the original.
        try {
          await fs.promises.copyFile(file, candidate, fs.constants.COPYFILE_EXCL);
        } catch (copyError) {
          if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyError;
        }
        await fs.promises.rm(file);
        return candidate;
      }
      throw error;
    }
  }
}
