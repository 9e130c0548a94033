/**
 * The durable queue of files to ingest that `ingest --enqueue` fills and `doccat worker` drains.
 * On SQLite it is a table in the catalogue (one machine); on Postgres it is pg-boss on the same
 * database (any number of machines). The worker does not know which one it has.
 */

import type { IngestJob, QueueStatus } from '../db/job-queue.js';

export type { IngestJob, QueueSettings, QueueStatus } from '../db/job-queue.js';

export interface JobQueue {
  /** Adds files (absolute paths); a path already waiting or running is not added twice. */
  enqueue(paths: readonly string[]): Promise<number>;
  /**
   * Runs handler on jobs, `concurrency` at a time, until the signal aborts, or with drain until
   * nothing is waiting or running. A handler that throws has its job retried with backoff.
   */
  work(options: { concurrency: number; signal: AbortSignal; drain: boolean }, handler: (job: IngestJob) => Promise<void>): Promise<void>;
  status(): Promise<QueueStatus>;
  /** Puts failed jobs back in the queue; returns how many. */
  retryFailed(): Promise<number>;
  close(): Promise<void>;
}
