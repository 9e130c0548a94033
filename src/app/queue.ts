import type { OpenCatalog } from './catalog.js';
import type { AppContext } from './context.js';
import type { JobQueue } from '../queue/contract.js';
import { openQueue as openEngine } from '../queue/open.js';
import { WorkerLiveness } from '../db/workers.js';

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
