import type { OpenCatalog } from './catalog.js';
import type { CommandContext } from './context.js';
import type { JobQueue } from '../pipeline/queue.js';
import { WorkerLiveness } from '../db/workers.js';

/** The catalogue's job queue: pg-boss on a Postgres catalogue, a table on a SQLite one. */
export async function openQueue(context: CommandContext, catalog: OpenCatalog): Promise<JobQueue> {
  const { queue } = context.loaded.config;
  const settings = { maxAttempts: queue.maxAttempts, retryDelaySeconds: queue.retryDelaySeconds, expireInSeconds: queue.expireInSeconds };
  if (catalog.url) {
    const { PgBossJobQueue } = await import('../pipeline/pg-boss-queue.js');
    return PgBossJobQueue.open(catalog.url, settings, queue.maintenanceIntervalSeconds, (error) => context.logger.warn({ err: error.message }, 'job queue error'));
  }
  const { TableJobQueue } = await import('../db/job-queue.js');
  return new TableJobQueue(catalog.database.db, settings);
}

/** The heartbeat row of a process that takes jobs from this queue (db/workers.ts). */
export function workerLiveness(context: CommandContext, catalog: OpenCatalog, queue: JobQueue, command: string): WorkerLiveness {
  return new WorkerLiveness(catalog.database.db, context.runId, command, context.loaded.config.queue.workerTimeoutSeconds, (workers, orphans) => queue.giveBack(workers, orphans), (error) =>
    context.logger.warn({ err: error.message }, 'worker heartbeat failed'),
  );
}
