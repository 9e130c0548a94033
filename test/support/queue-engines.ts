import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresDatabase, openSqliteDatabase, type CatalogDatabase } from '../../src/db/database.js';
import type { JobQueue, QueueSettings } from '../../src/queue/contract.js';
import { openQueue } from '../../src/queue/open.js';
import { tempDir } from './cli.js';
import { createDatabase } from './postgres.mjs';

/**
 * The two job queue engines, real and opened through openQueue() as the CLI opens them: the jobs
 * table in a fresh SQLite catalogue, and pg-boss in a fresh Postgres database (the global setup's
 * server). A job is put in the states a test needs by writing the engine's own table, the way a
 * worker on another machine or one killed with kill -9 leaves it.
 */
export interface QueueEngine {
  catalog: CatalogDatabase;
  queue: JobQueue;
  /** Leaves the job of `file` as kill -9 leaves it after `attempts` attempts, all of them stopped. */
  stoppedAfter(attempts: number, file: string): Promise<void>;
  /** Makes the waiting job of `file` active, on its first attempt, held by `owner` since `minutesAgo`. */
  hold(file: string, owner: string, minutesAgo: number): Promise<string>;
  close(): Promise<void>;
}

export type QueueEngineName = 'sqlite' | 'pg-boss';

/** Each engine by name, for `for (const [name, open] of Object.entries(QUEUE_ENGINES))`. */
export const QUEUE_ENGINES: Record<QueueEngineName, (settings: QueueSettings) => Promise<QueueEngine>> = {
  sqlite: sqliteEngine,
  'pg-boss': pgBossEngine,
};

/** A pid that is certainly not running any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

async function sqliteEngine(settings: QueueSettings): Promise<QueueEngine> {
  const catalog = await openSqliteDatabase({ path: path.join(tempDir(), 'catalog.db'), busyTimeoutMs: 5000 });
  const queue = await openQueue({ db: catalog.db, settings, maintenanceIntervalSeconds: 60, onError: () => undefined });
  return {
    catalog,
    queue,
    stoppedAfter: async (attempts, file) => {
      await catalog.db.updateTable('jobs').set({ state: 'active', owner: `${os.hostname()}:${deadPid()}`, attempts, lease_until: new Date(Date.now() + 60_000).toISOString() }).where('path', '=', file).where('state', 'in', ['created', 'active']).execute();
    },
    hold: async (file, owner) => {
      const lease = new Date(Date.now() + 600_000).toISOString();
      await catalog.db.updateTable('jobs').set({ state: 'active', owner, attempts: 1, lease_until: lease }).where('path', '=', file).where('state', '=', 'created').execute();
      return String((await catalog.db.selectFrom('jobs').select('id').where('path', '=', file).executeTakeFirstOrThrow()).id);
    },
    close: async () => {
      await queue.close();
      await catalog.close();
    },
  };
}

async function pgBossEngine(settings: QueueSettings): Promise<QueueEngine> {
  const url = await createDatabase(inject('pgUrl'));
  const catalog = await openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 60_000 });
  const queue = await openQueue({ url, db: catalog.db, settings, maintenanceIntervalSeconds: 60, onError: () => undefined });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    catalog,
    queue,
    stoppedAfter: async (attempts, file) => {
      // What pg-boss's expiry leaves after the attempt: waiting for a retry, with the timeout as output.
      await client.query(
        `UPDATE doccat_queue.job SET state = 'retry', started_on = now(), start_after = now(), retry_count = $1, data = data || jsonb_build_object('stops', $1::int),
           output = '{"value":{"message":"job failed by timeout in active state"}}'::jsonb WHERE name = 'doccat-ingest' AND data->>'path' = $2 AND state IN ('created', 'retry', 'active')`,
        [attempts - 1, file],
      );
    },
    // As pg-boss's fetch leaves a first attempt; well inside its expiry.
    hold: async (file, _owner, minutesAgo) =>
      (await client.query<{ id: string }>(`UPDATE doccat_queue.job SET state = 'active', started_on = now() - make_interval(mins => $2) WHERE name = 'doccat-ingest' AND data->>'path' = $1 AND state = 'created' RETURNING id`, [file, minutesAgo])).rows[0]!.id,
    close: async () => {
      await client.end();
      await queue.close();
      await catalog.close();
    },
  };
}
