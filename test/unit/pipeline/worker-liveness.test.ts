import { afterEach, describe, expect, it } from 'vitest';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { listWorkers, WorkerLiveness } from '../../../src/db/workers.js';
import type { IngestJob, QueueSettings } from '../../../src/queue/contract.js';
import { QUEUE_ENGINES, type QueueEngine } from '../../support/queue-engines.js';

/**
 * Worker heartbeats (db/workers.ts) on both engines, real: a worker on another machine that went
 * silent while holding a job (its row, its job and its content claim written as it left them, so
 * no process check on this host can help), and one on another machine that is still beating.
 * The expiry is the default 15 minutes: only the heartbeat can give the job back in seconds.
 */

const SETTINGS: QueueSettings = { maxAttempts: 3, retryDelaySeconds: 30, expireInSeconds: 900 };
// Long enough that the beating worker, stamped once, stays alive however slow the run; the dead
// one's beat is ten minutes old, so the reap at start still finds it.
const TIMEOUT = 60;
const STUCK = '/drop/stuck.pdf';
const BUSY = '/drop/busy.pdf';
/** pg-boss: taken by a worker killed before it wrote the job to its row. */
const ORPHAN = '/drop/orphan.pdf';
const DEAD_ID = 'machine-a:4242:01DEAD';
const ALIVE_ID = 'machine-b:4343:01ALIVE';

/** A worker row as its process left it, `beatMinutesAgo` by the database's clock. */
async function workerRow(catalog: CatalogDatabase, id: string, job: string, file: string, beatMinutesAgo: number): Promise<void> {
  const { sql } = await import('kysely');
  const ago = (minutes: number) => sql<string>`${new Date(Date.now() - minutes * 60_000).toISOString()}`;
  const [host, pid] = id.split(':');
  await catalog.db
    .insertInto('workers')
    .values({ id, host: host!, pid: Number(pid), command: 'worker', started_at: ago(30), beat_at: ago(beatMinutesAgo), jobs: JSON.stringify([{ job, path: file, since: new Date().toISOString() }]) })
    .execute();
}

let open: QueueEngine | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

for (const [name, openEngine] of Object.entries(QUEUE_ENGINES)) {
  const start = () => openEngine(SETTINGS);
  describe(`worker heartbeats (${name})`, () => {
    it('gives the jobs and claims of a silent worker back at once, and leaves a beating one alone', async () => {
      open = await start();
      const { catalog, queue } = open;
      const orphans = name === 'pg-boss';
      await queue.enqueue([STUCK, BUSY, ...(orphans ? [ORPHAN] : [])]);
      if (orphans) await open.hold(ORPHAN, 'nobody', 5);
      const stuck = await open.hold(STUCK, DEAD_ID, 11);
      const busy = await open.hold(BUSY, ALIVE_ID, 1);
      await workerRow(catalog, DEAD_ID, stuck, STUCK, 10);
      await workerRow(catalog, ALIVE_ID, busy, BUSY, 0);
      // A worker that stopped a week and a day ago: history, pruned.
      await workerRow(catalog, 'machine-a:1:01OLD', 'none', STUCK, 8 * 24 * 60);
      await catalog.db.updateTable('workers').set({ stopped_at: new Date(Date.now() - 8 * 86_400_000).toISOString(), jobs: '[]' }).where('id', '=', 'machine-a:1:01OLD').execute();
      await catalog.db.insertInto('claims').values({ sha256: 'a'.repeat(64), owner: DEAD_ID, expires_at: new Date(Date.now() + 600_000).toISOString() }).execute();

      const before = await listWorkers(catalog.db, TIMEOUT);
      expect(Object.fromEntries(before.map((worker) => [worker.id, worker.state]))).toEqual({ [DEAD_ID]: 'dead', [ALIVE_ID]: 'alive', 'machine-a:1:01OLD': 'stopped' });
      expect(before.find((worker) => worker.id === ALIVE_ID)?.jobs).toEqual([expect.objectContaining({ job: busy, path: BUSY })]);

      const liveness = new WorkerLiveness(catalog.db, '01LIVE', 'worker', TIMEOUT, (workers, orphans) => queue.giveBack(workers, orphans));
      const stop = new AbortController();
      const ran: IngestJob[] = [];
      const seenWhileRunning: string[] = [];
      const started = Date.now();
      const safety = setTimeout(() => stop.abort(), 30_000);
      await queue.work({ concurrency: 1, signal: stop.signal, drain: false, liveness }, async (job) => {
        ran.push(job);
        seenWhileRunning.push(...(await listWorkers(catalog.db, TIMEOUT)).filter((worker) => worker.id === liveness.id).flatMap((worker) => worker.jobs.map((held) => held.path)));
        if (ran.length === (orphans ? 2 : 1)) stop.abort();
      });
      clearTimeout(safety);
      // Taken again within seconds (the expiry is 15 minutes), its stopped attempt counted.
      expect(ran.map((job) => [job.path, job.attempt]).sort()).toEqual([[STUCK, 2], ...(orphans ? [[ORPHAN, 2]] : [])].sort());
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(seenWhileRunning.sort()).toEqual(ran.map((job) => job.path).sort());
      expect(await catalog.db.selectFrom('claims').select('owner').execute()).toEqual([]);

      const after = Object.fromEntries((await listWorkers(catalog.db, TIMEOUT)).map((worker) => [worker.id, worker.state]));
      expect(after).toEqual({ [DEAD_ID]: 'dead', [ALIVE_ID]: 'alive', [liveness.id]: 'stopped' });
      // The beating worker's job is still its own.
      expect((await queue.status()).active).toBe(1);
    });
  });
}
