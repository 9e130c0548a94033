import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobQueue, QueueSettings } from './contract.js';

export interface QueueTarget {
  /** The Postgres catalogue's connection URL; absent for a SQLite catalogue. */
  url?: string | undefined;
  /** The catalogue's handle, where a SQLite catalogue keeps its `jobs` table. */
  db: Kysely<Database>;
  settings: QueueSettings;
  /** pg-boss's maintenance interval (expiry, archiving). */
  maintenanceIntervalSeconds: number;
  /** Errors pg-boss reports in the background, after it started. */
  onError: (error: Error) => void;
}

/**
 * The catalogue's job queue: pg-boss on a Postgres catalogue, a table on a SQLite one. Each engine
 * is imported only when chosen, so a SQLite run never loads pg-boss.
 */
export async function openQueue(target: QueueTarget): Promise<JobQueue> {
  if (target.url) {
    const { PgBossJobQueue } = await import('./pg-boss.js');
    return PgBossJobQueue.open(target.url, target.settings, target.maintenanceIntervalSeconds, target.onError);
  }
  const { TableJobQueue } = await import('./table.js');
  return new TableJobQueue(target.db, target.settings);
}
