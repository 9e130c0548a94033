import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openSqliteDatabase, type CatalogDatabase } from '../../../src/db/database.js';
import { TableJobQueue } from '../../../src/queue/table.js';
import { PgBossJobQueue } from '../../../src/queue/pg-boss.js';
import type { IngestJob, JobQueue, QueueSettings } from '../../../src/queue/contract.js';
import type { ErrorInfo } from '../../../src/errors.js';
import { tempDir } from '../../support/cli.js';
import { createDatabase } from '../../support/postgres.mjs';

/**
 * Both queue engines, real: the jobs table in a SQLite catalogue and pg-boss on Postgres. A worker
 * that died is made the way kill -9 leaves it (SQLite: an active row owned by a dead process;
 * pg-boss: an attempt that expired), by writing the engine's own table.
 */

const SETTINGS: QueueSettings = { maxAttempts: 2, retryDelaySeconds: 1, expireInSeconds: 30 };
const FILE = '/drop/scan.tiff';

/** A pid that is certainly not running any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

interface Engine {
  queue: JobQueue;
  /** Leaves the one job as kill -9 leaves it after `attempts` attempts, all of them stopped. */
  stoppedAfter(attempts: number): Promise<void>;
  state(): Promise<{ state: string; attempts: number }>;
  close(): Promise<void>;
}

async function sqliteEngine(): Promise<Engine> {
  const catalog: CatalogDatabase = await openSqliteDatabase({ path: path.join(tempDir(), 'catalog.db'), busyTimeoutMs: 5000 });
  const queue = new TableJobQueue(catalog.db, SETTINGS);
  return {
    queue,
    stoppedAfter: async (attempts) => {
      await catalog.db.updateTable('jobs').set({ state: 'active', owner: `${os.hostname()}:${deadPid()}`, attempts, lease_until: new Date(Date.now() + 60_000).toISOString() }).execute();
    },
    state: async () => {
      const row = await catalog.db.selectFrom('jobs').select(['state', 'attempts']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      return { state: row.state, attempts: row.attempts };
    },
    close: async () => {
      await queue.close();
      await catalog.close();
    },
  };
}

async function pgBossEngine(): Promise<Engine> {
  const url = await createDatabase(inject('pgUrl'));
  const queue = await PgBossJobQueue.open(url, SETTINGS, 60, () => undefined);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    queue,
    stoppedAfter: async (attempts) => {
      // What pg-boss's expiry leaves after the attempt: waiting for a retry, with the timeout as output.
      await client.query(
        `UPDATE doccat_queue.job SET state = 'retry', started_on = now(), start_after = now(), retry_count = $1, data = data || jsonb_build_object('stops', $1::int),
           output = '{"value":{"message":"job failed by timeout in active state"}}'::jsonb WHERE name = 'doccat-ingest'`,
        [attempts - 1],
      );
    },
    state: async () => {
      const result = await client.query<{ state: string; attempts: number }>("SELECT state::text AS state, retry_count AS attempts FROM doccat_queue.job WHERE name = 'doccat-ingest' ORDER BY created_on DESC LIMIT 1");
      return result.rows[0] as { state: string; attempts: number };
    },
    close: async () => {
      await client.end();
      await queue.close();
    },
  };
}

const engines = { sqlite: sqliteEngine, 'pg-boss': pgBossEngine };
let open: Engine | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function drain(queue: JobQueue, handler: (job: IngestJob) => Promise<void>, onDeadLetter?: (job: IngestJob, error: ErrorInfo) => Promise<void>, signal = new AbortController().signal): Promise<void> {
  await queue.work({ concurrency: 1, signal, drain: true, ...(onDeadLetter ? { onDeadLetter } : {}) }, handler);
}

for (const [name, start] of Object.entries(engines)) {
  describe(`job queue (${name})`, () => {
    it('dead-letters a job whose worker stopped on each of its attempts, instead of running it', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      await open.stoppedAfter(SETTINGS.maxAttempts);
      const ran: string[] = [];
      const dead: { job: IngestJob; error: ErrorInfo }[] = [];
      await drain(queue, async (job) => void ran.push(job.path), async (job, error) => void dead.push({ job, error }));
      expect(ran).toEqual([]);
      expect(dead).toEqual([{ job: expect.objectContaining({ path: FILE, attempt: 2 }), error: expect.objectContaining({ code: 'E_WORKER_STOPPED', message: 'the worker stopped 2 times while processing it' }) }]);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 0, failed: 1 });
      // Not queued again by the next start of watch, until it changes or is retried.
      expect([...(await queue.deadLetteredAt([FILE, '/drop/other.pdf'])).keys()]).toEqual([FILE]);
      await queue.enqueue([FILE]);
      expect(await queue.retryFailed()).toBe(1);
      expect(await queue.deadLetteredAt([FILE])).toEqual(new Map());
    });

    it('runs a job whose worker stopped on an earlier attempt again, counting that attempt', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      await open.stoppedAfter(1);
      const attempts: number[] = [];
      await drain(queue, async (job) => void attempts.push(job.attempt));
      expect(attempts).toEqual([2]);
      expect(await queue.status()).toMatchObject({ completed: 1, failed: 0 });
    });

    it('does not count an attempt that was interrupted', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      const stop = new AbortController();
      await drain(queue, async () => {
        stop.abort();
        throw new Error('interrupted');
      }, undefined, stop.signal);
      const attempts: number[] = [];
      await drain(queue, async (job) => void attempts.push(job.attempt));
      expect(attempts).toEqual([1]);
    });

    it('fails a job at once when its last attempt fails, without the dead-letter callback', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      await open.stoppedAfter(SETTINGS.maxAttempts - 1);
      const dead: IngestJob[] = [];
      const attempts: number[] = [];
      await drain(queue, async (job) => {
        attempts.push(job.attempt);
        throw new Error('the storage backend is gone');
      }, async (job) => void dead.push(job));
      expect(attempts).toEqual([SETTINGS.maxAttempts]);
      expect(dead).toEqual([]);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 0, failed: 1 });
      expect(await queue.deadLetteredAt([FILE])).toEqual(new Map());
    });

    it('adds a path only once while it waits or runs', async () => {
      open = await start();
      const { queue } = open;
      expect(await queue.enqueue([FILE])).toBe(1);
      await open.stoppedAfter(1);
      // Waiting for a retry: a watch restarted now must not add a second job for it.
      expect(await queue.enqueue([FILE])).toBe(0);
      const status = await queue.status();
      expect(status.pending + status.active).toBe(1);
    });
  });
}
