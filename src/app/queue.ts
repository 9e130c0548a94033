import type { OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';
import type { JobQueue, QueueStatus } from '../queue/contract.js';
import { openQueue as openEngine } from '../queue/open.js';
import { listWorkers, WorkerLiveness, type WorkerView } from '../db/workers.js';

export type { WorkerView };

/** The catalogue's job queue, with the settings and error logging of this run (queue/open.ts). */
export async function openQueue(context: AppContext, catalog: OpenCatalog): Promise<JobQueue> {
  const { queue } = context.config.config;
  return openEngine({
    url: catalog.url,
    db: catalog.database.db,
    settings: { maxAttempts: queue.maxAttempts, retryDelaySeconds: queue.retryDelaySeconds, expireInSeconds: queue.expireInSeconds },
    maintenanceIntervalSeconds: queue.maintenanceIntervalSeconds,
    onError: (error) => context.logger.warn({ err: error.message }, 'job queue error'),
  });
}

/** The heartbeat row of a process that takes jobs from this queue (db/workers.ts). */
export function workerLiveness(context: AppContext, catalog: OpenCatalog, queue: JobQueue, command: string): WorkerLiveness {
  return new WorkerLiveness(catalog.database.db, context.runId, command, context.config.config.queue.workerTimeoutSeconds, (workers, orphans) => queue.giveBack(workers, orphans), (error) =>
    context.logger.warn({ err: error.message }, 'worker heartbeat failed'),
  );
}

/** The queue's counts and the processes that take its jobs: the live ones, and the last 20 that stopped. */
export async function queueState(context: AppContext, catalog: OpenCatalog, queue: JobQueue): Promise<QueueStatus & { workers: WorkerView[] }> {
  const status = await queue.status();
  // Stopped workers said goodbye; they are history, not news: the last 20 are shown.
  const all = await listWorkers(catalog.database.db, context.config.config.queue.workerTimeoutSeconds);
  const workers = [...all.filter((worker) => worker.state !== 'stopped'), ...all.filter((worker) => worker.state === 'stopped').slice(0, 20)];
  return { ...status, workers };
}
