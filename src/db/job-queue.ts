import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import { isProcessAlive, sleep } from '../system/process.js';
import { writeTransaction } from './dialect.js';
import type { Database } from './schema.js';

const POLL_MS = 250;

export interface IngestJob {
  id: string;
  path: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface QueueStatus {
  /** Waiting, including those waiting for a retry. */
  pending: number;
  active: number;
  completed: number;
  /** Out of attempts (dead-lettered); `doccat queue retry` puts them back. */
  failed: number;
  /** Jobs completed in the last hour. */
  completedLastHour: number;
}

export interface QueueSettings {
  /** Attempts per file before it is left as failed. */
  maxAttempts: number;
  /** First retry delay; doubles with each attempt. */
  retryDelaySeconds: number;
  /** A job still active after this long belongs to a worker that died: it is run again. */
  expireInSeconds: number;
}


/**
 * The job queue as a table in the catalogue, for SQLite catalogues. A job is taken by one
 * statement inside BEGIN IMMEDIATE, leased until `expireInSeconds` from now; a lease that runs out
 * (its worker was killed) makes the job available again.
 */
export class TableJobQueue {
  private readonly owner = `${os.hostname()}:${process.pid}`;
  /** Idle workers of this process, woken when this process enqueues (others poll). */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: QueueSettings,
  ) {}

  async enqueue(paths: readonly string[]): Promise<number> {
    return writeTransaction(this.db, async (trx) => {
      const waiting = new Set((await trx.selectFrom('jobs').select('path').where('state', 'in', ['created', 'active']).execute()).map((row) => row.path));
      const now = new Date().toISOString();
      const fresh = [...new Set(paths)].filter((path) => !waiting.has(path));
      for (let start = 0; start < fresh.length; start += 200) {
        await trx.insertInto('jobs').values(fresh.slice(start, start + 200).map((path) => ({ path, state: 'created' as const, run_after: now, created_at: now }))).execute();
      }
      return fresh.length;
    }).finally(() => {
      for (const wake of this.sleepers) wake();
    });
  }

  async work(options: { concurrency: number; signal: AbortSignal; drain: boolean }, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    await this.releaseDeadOwners();
    const worker = async () => {
      while (!options.signal.aborted) {
        const job = await this.take();
        if (!job) {
          if (options.drain && (await this.idle())) return;
          await this.idleWait(options.signal);
          continue;
        }
        const renewal = setInterval(() => void this.renew(job.id).catch(() => undefined), (this.settings.expireInSeconds * 1000) / 3);
        try {
          await handler(job);
          await this.db.updateTable('jobs').set({ state: 'completed', finished_at: new Date().toISOString(), owner: null, lease_until: null }).where('id', '=', Number(job.id)).execute();
        } catch (error) {
          if (options.signal.aborted) {
            // Interrupted, not failed: back in the queue as it was.
            await this.db.updateTable('jobs').set({ state: 'created', owner: null, lease_until: null, attempts: job.attempt - 1 }).where('id', '=', Number(job.id)).execute();
            return;
          }
          await this.fail(job, error);
        } finally {
          clearInterval(renewal);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }

  private async idleWait(signal: AbortSignal): Promise<void> {
    let wake = () => undefined as void;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
      this.sleepers.add(resolve);
    });
    await Promise.race([sleep(POLL_MS, signal).catch(() => undefined), woken]);
    this.sleepers.delete(wake);
  }

  async status(): Promise<QueueStatus> {
    const rows = await this.db.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    const count = (state: string) => Number(rows.find((row) => row.state === state)?.n ?? 0);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const recent = await this.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'completed').where('finished_at', '>=', hourAgo).executeTakeFirstOrThrow();
    return { pending: count('created'), active: count('active'), completed: count('completed'), failed: count('failed'), completedLastHour: Number(recent.n) };
  }

  async retryFailed(): Promise<number> {
    const result = await this.db.updateTable('jobs').set({ state: 'created', attempts: 0, run_after: new Date().toISOString(), error: null }).where('state', '=', 'failed').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async close(): Promise<void> {
    // The catalogue connection belongs to the caller.
  }

  /**
   * Jobs held by a process on this machine that no longer exists (kill -9, a crash) go back to
   * the queue at once, rather than when their lease runs out.
   */
  private async releaseDeadOwners(): Promise<void> {
    const owners = await this.db.selectFrom('jobs').select('owner').distinct().where('state', '=', 'active').where('owner', 'is not', null).execute();
    const host = os.hostname();
    for (const { owner } of owners) {
      const [ownerHost, pid] = (owner as string).split(':');
      if (ownerHost !== host || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
      await this.db.updateTable('jobs').set({ state: 'created', owner: null, lease_until: null }).where('state', '=', 'active').where('owner', '=', owner).execute();
    }
  }

  /** The oldest job that is due, or whose worker's lease ran out. */
  private async take(): Promise<IngestJob | undefined> {
    return writeTransaction(this.db, async (trx) => {
      const now = new Date().toISOString();
      const row = await trx
        .selectFrom('jobs')
        .select(['id', 'path', 'attempts'])
        .where((eb) => eb.or([eb.and([eb('state', '=', 'created'), eb('run_after', '<=', now)]), eb.and([eb('state', '=', 'active'), eb('lease_until', '<', now)])]))
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      const lease = new Date(Date.now() + this.settings.expireInSeconds * 1000).toISOString();
      await trx.updateTable('jobs').set({ state: 'active', owner: this.owner, lease_until: lease, attempts: sql`attempts + 1` }).where('id', '=', row.id).execute();
      return { id: String(row.id), path: row.path, attempt: row.attempts + 1 };
    });
  }

  private async renew(id: string): Promise<void> {
    await this.db.updateTable('jobs').set({ lease_until: new Date(Date.now() + this.settings.expireInSeconds * 1000).toISOString() }).where('id', '=', Number(id)).where('owner', '=', this.owner).execute();
  }

  private async fail(job: IngestJob, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const last = job.attempt >= this.settings.maxAttempts;
    const delay = this.settings.retryDelaySeconds * 2 ** (job.attempt - 1) * 1000;
    await this.db
      .updateTable('jobs')
      .set({ state: last ? 'failed' : 'created', error: message, owner: null, lease_until: null, run_after: new Date(Date.now() + delay).toISOString(), ...(last ? { finished_at: new Date().toISOString() } : {}) })
      .where('id', '=', Number(job.id))
      .execute();
  }

  private async idle(): Promise<boolean> {
    const open = await this.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['created', 'active']).executeTakeFirstOrThrow();
    return Number(open.n) === 0;
  }
}
