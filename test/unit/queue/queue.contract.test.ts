import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../../src/errors.js';
import type { IngestJob, JobQueue, QueueSettings } from '../../../src/queue/contract.js';
import { QUEUE_ENGINES, type QueueEngine } from '../../support/queue-engines.js';

/**
 * One contract both queue engines keep, run against each, real: the jobs table in a SQLite
 * catalogue and pg-boss on Postgres, both opened through openQueue() as the CLI opens them. A
 * worker that died is made the way kill -9 leaves it (SQLite: an active row owned by a dead
 * process; pg-boss: an attempt that expired), by writing the engine's own table.
 */

const SETTINGS: QueueSettings = { maxAttempts: 2, retryDelaySeconds: 1, expireInSeconds: 30 };
const FILE = '/drop/scan.tiff';
const OTHER = '/drop/letter.pdf';
const THIRD = '/drop/invoice.pdf';
const FOURTH = '/drop/receipt.png';
const DEAD_ID = 'machine-a:4242:01DEAD';
const ALIVE_ID = 'machine-b:4343:01ALIVE';

let open: QueueEngine | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function drain(queue: JobQueue, handler: (job: IngestJob) => Promise<void>, onDeadLetter?: (job: IngestJob, error: ErrorInfo) => Promise<void>, signal = new AbortController().signal): Promise<void> {
  await queue.work({ concurrency: 1, signal, drain: true, ...(onDeadLetter ? { onDeadLetter } : {}) }, handler);
}

/** Works without draining until `done` holds (a job the test leaves active never drains), then stops. */
async function workUntil(queue: JobQueue, done: () => boolean, handler: (job: IngestJob) => Promise<void>, onDeadLetter?: (job: IngestJob, error: ErrorInfo) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const safety = setTimeout(() => stop.abort(), 30_000);
  const watcher = setInterval(() => {
    if (done()) stop.abort();
  }, 50);
  try {
    await queue.work({ concurrency: 1, signal: stop.signal, drain: false, ...(onDeadLetter ? { onDeadLetter } : {}) }, handler);
  } finally {
    clearInterval(watcher);
    clearTimeout(safety);
  }
}

for (const [name, openEngine] of Object.entries(QUEUE_ENGINES)) {
  const start = () => openEngine(SETTINGS);
  describe(`job queue contract (${name})`, () => {
    it('runs what was added, each once on its first attempt, and counts it completed', async () => {
      open = await start();
      const { queue } = open;
      expect(await queue.enqueue([FILE, OTHER, FILE], { traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toBe(2);
      const ran: IngestJob[] = [];
      await drain(queue, async (job) => void ran.push(job));
      expect(ran.map((job) => [job.path, job.attempt]).sort()).toEqual([
        [OTHER, 1],
        [FILE, 1],
      ]);
      expect(ran.every((job) => job.traceParent === '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(true);
      expect(new Set(ran.map((job) => job.id)).size).toBe(2);
      expect(await queue.status()).toEqual({ pending: 0, active: 0, completed: 2, failed: 0, completedLastHour: 2 });
    });

    it('adds a path only once while it waits or runs, and again once it is done', async () => {
      open = await start();
      const { queue } = open;
      expect(await queue.enqueue([FILE])).toBe(1);
      expect(await queue.enqueue([FILE])).toBe(0);
      const whileRunning: number[] = [];
      await drain(queue, async (job) => {
        if (job.path === FILE && whileRunning.length === 0) whileRunning.push(await queue.enqueue([FILE]), await queue.enqueue([OTHER]));
      });
      expect(whileRunning).toEqual([0, 1]);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 0, completed: 2 });
      expect(await queue.enqueue([FILE])).toBe(1);
      await open.stoppedAfter(1, FILE);
      // Waiting for a retry: a watch restarted now must not add a second job for it.
      expect(await queue.enqueue([FILE])).toBe(0);
      const status = await queue.status();
      expect(status.pending + status.active).toBe(1);
    });

    it('retries a failing job with its attempts counted, then leaves it failed until retried', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      const attempts: number[] = [];
      const dead: IngestJob[] = [];
      await drain(queue, async (job) => {
        attempts.push(job.attempt);
        throw new Error('the storage backend is gone');
      }, async (job) => void dead.push(job));
      expect(attempts).toEqual([1, 2]);
      // Failed, not stopped: no dead-letter callback, and watch may queue the file again.
      expect(dead).toEqual([]);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 0, completed: 0, failed: 1 });
      expect(await queue.deadLetteredAt([FILE])).toEqual(new Map());
      expect(await queue.retryFailed()).toBe(1);
      expect(await queue.retryFailed()).toBe(0);
      const again: number[] = [];
      await drain(queue, async (job) => void again.push(job.attempt));
      expect(again).toEqual([1]);
      expect(await queue.status()).toMatchObject({ pending: 0, completed: 1, failed: 0 });
    });

    it('dead-letters a job whose worker stopped on each of its attempts, instead of running it', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      await open.stoppedAfter(SETTINGS.maxAttempts, FILE);
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
      await open.stoppedAfter(1, FILE);
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
      expect(await queue.status()).toMatchObject({ pending: 1, active: 0, failed: 0 });
      const attempts: number[] = [];
      await drain(queue, async (job) => void attempts.push(job.attempt));
      expect(attempts).toEqual([1]);
    });

    it('fails a job at once when its last attempt fails, without the dead-letter callback', async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE]);
      await open.stoppedAfter(SETTINGS.maxAttempts - 1, FILE);
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

    it("gives a silent worker's job back at once, its attempt counted, and leaves a living worker's alone", async () => {
      open = await start();
      const { queue } = open;
      await queue.enqueue([FILE, OTHER]);
      const stuck = await open.hold(FILE, DEAD_ID, 11);
      // Started within the expiry (30 s here), past which pg-boss's own expiry would take it too.
      const busy = await open.hold(OTHER, ALIVE_ID, 0);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 2 });
      const silent = { id: DEAD_ID, lastBeatAt: new Date(Date.now() - 600_000).toISOString(), jobs: [{ job: stuck, path: FILE, since: new Date(Date.now() - 660_000).toISOString() }] };
      expect(await queue.giveBack([silent], { living: [busy], startedBeforeSeconds: 180 })).toBe(1);
      expect(await queue.giveBack([], { living: [busy], startedBeforeSeconds: 180 })).toBe(0);
      expect(await queue.status()).toMatchObject({ pending: 1, active: 1 });
      const ran: IngestJob[] = [];
      await workUntil(queue, () => ran.length === 1, async (job) => void ran.push(job));
      expect(ran.map((job) => [job.path, job.attempt])).toEqual([[FILE, 2]]);
      expect(await queue.status()).toMatchObject({ pending: 0, active: 1, completed: 1 });
    });

    it('counts waiting, running, completed and failed jobs', async () => {
      open = await start();
      const { queue } = open;
      expect(await queue.status()).toEqual({ pending: 0, active: 0, completed: 0, failed: 0, completedLastHour: 0 });
      await queue.enqueue([FILE, OTHER, THIRD]);
      await open.hold(OTHER, ALIVE_ID, 0);
      await open.stoppedAfter(SETTINGS.maxAttempts, THIRD);
      const ran: string[] = [];
      const dead: string[] = [];
      await workUntil(queue, () => ran.length === 1 && dead.length === 1, async (job) => void ran.push(job.path), async (job) => void dead.push(job.path));
      expect([ran, dead]).toEqual([[FILE], [THIRD]]);
      await queue.enqueue([FOURTH]);
      expect(await queue.status()).toEqual({ pending: 1, active: 1, completed: 1, failed: 1, completedLastHour: 1 });
    });
  });
}
