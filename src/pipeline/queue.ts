/**
 * The durable queue of files to ingest that `ingest --enqueue` fills and `doccat worker` drains.
 * On SQLite it is a table in the catalogue (one machine); on Postgres it is pg-boss on the same
 * database (any number of machines). The worker does not know which one it has.
 */

import type { IngestJob, QueueStatus, WorkOptions } from '../db/job-queue.js';
import type { OrphanSweep, SilentWorker } from '../db/workers.js';

export type { IngestJob, QueueSettings, QueueStatus, WorkOptions } from '../db/job-queue.js';

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
