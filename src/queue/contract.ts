/**
 * The durable queue of files to ingest that `ingest --enqueue` fills and `doccat worker` drains.
 * On SQLite it is a table in the catalogue (one machine); on Postgres it is pg-boss on the same
 * database (any number of machines). The worker does not know which one it has.
 */

import type { OrphanSweep, SilentWorker, WorkerLiveness } from '../db/workers.js';
import type { ErrorInfo } from '../errors.js';

export interface IngestJob {
  id: string;
  path: string;
  /** 1 on the first try. */
  attempt: number;
  /** W3C trace context of the `ingest --enqueue` that queued it, when that run was traced. */
  traceParent?: string;
}

export interface QueueStatus {
  /** Waiting, including those waiting for a retry. */
  pending: number;
  active: number;
  completed: number;
  /** Out of attempts (dead-lettered); `doccat queue retry` puts them back. */
  failed: number;
  /** Jobs completed in the last hour. */
  completedLastHour: number;
}

export interface WorkOptions {
  concurrency: number;
  signal: AbortSignal;
  /** Return once nothing is waiting or running. */
  drain: boolean;
  /**
   * Called for a job taken when its attempts are already at `maxAttempts` and the last of them
   * never reported back: the process running it stopped (a crash, kill -9, out of memory), most
   * likely because of the file. The job is not run again but left as failed (`doccat queue
   * retry` puts it back); watch moves the file to --failed here. Errors thrown are ignored.
   */
  onDeadLetter?: (job: IngestJob, error: ErrorInfo) => Promise<void>;
  /** This process's heartbeat row: started and stopped with the work, told what it holds. */
  liveness?: WorkerLiveness;
}

/** The code of a job dead-lettered because its worker kept stopping on it. */
export const WORKER_STOPPED = 'E_WORKER_STOPPED';

/**
 * Why a job was dead-lettered without being run. `stops` is how many of its attempts ended with
 * the worker gone, when known.
 */
export function workerStoppedError(attempts: number, stops: number | undefined, earlier: string | undefined): ErrorInfo {
  const times = (count: number) => `${count} time${count === 1 ? '' : 's'}`;
  const message =
    stops !== undefined && stops >= attempts
      ? `the worker stopped ${times(attempts)} while processing it`
      : `the worker stopped ${stops !== undefined ? `${times(stops)} in ${attempts} attempts` : `on the last of ${attempts} attempts`} while processing it${earlier ? ` (an earlier attempt failed: ${earlier})` : ''}`;
  return {
    code: WORKER_STOPPED,
    message,
    hint: 'the file may crash doccat (memory, a bug): it is not tried again; see the log, then `doccat queue retry` to try it once more',
  };
}

export interface QueueSettings {
  /** Attempts per file before it is left as failed. */
  maxAttempts: number;
  /** First retry delay; doubles with each attempt. */
  retryDelaySeconds: number;
  /** A job still active after this long belongs to a worker that died: it is run again. */
  expireInSeconds: number;
}

export interface JobQueue {
  /** Adds files (absolute paths); a path already waiting or running is not added twice. */
  enqueue(paths: readonly string[], options?: { traceParent?: string | undefined }): Promise<number>;
  /**
   * Runs handler on jobs, `concurrency` at a time, until the signal aborts, or with drain until
   * nothing is waiting or running. A handler that throws has its job retried with backoff, up to
   * `maxAttempts` attempts, counted when a job is taken. A job whose worker stopped on its last
   * attempt is dead-lettered the next time it is taken, instead of being run (`onDeadLetter`).
   * Interrupted jobs go back to the queue uncounted.
   */
  work(options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void>;
  /**
   * For paths whose job was dead-lettered because its worker kept stopping on it (and not retried
   * since): when (ms since the epoch). Watch does not queue such a file again until it changes,
   * or a restart would start the crash loop over with a new job.
   */
  deadLetteredAt(paths: readonly string[]): Promise<Map<string, number>>;
  /** Jobs held by workers that stopped beating go back to the queue; how many (db/workers.ts). */
  giveBack(workers: SilentWorker[], orphans: OrphanSweep): Promise<number>;
  status(): Promise<QueueStatus>;
  /** Puts failed jobs back in the queue; returns how many. */
  retryFailed(): Promise<number>;
  close(): Promise<void>;
}
