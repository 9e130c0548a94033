import { sql, type Kysely } from 'kysely';
import { writeTransaction } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { SilentWorker } from '../db/workers.js';
import type { ErrorInfo } from '../errors.js';
import { hostId } from '../system/host.js';
import { isProcessAlive, sleep } from '../system/process.js';
import { type IngestJob, type JobQueue, type QueueSettings, type QueueStatus, type WorkOptions, WORKER_STOPPED, workerStoppedError } from './contract.js';

const POLL_MS = 250;

/**
 * The job queue as a table in the catalogue, for SQLite catalogues. A job is taken by one
 * statement inside BEGIN IMMEDIATE, leased until `expireInSeconds` from now; a lease that runs out
 * (its worker was killed) makes the job available again.
 */
export class TableJobQueue implements JobQueue {
  /** The worker's id while it works with a heartbeat (db/workers.ts), so its jobs can be given back. */
  private owner = `${hostId()}:${process.pid}`;
  /** Idle workers of this process, woken when this process enqueues (others poll). */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: QueueSettings,
  ) {}

  async enqueue(paths: readonly string[], options: { traceParent?: string | undefined } = {}): Promise<number> {
    return writeTransaction(this.db, async (trx) => {
      const waiting = new Set((await trx.selectFrom('jobs').select('path').where('state', 'in', ['created', 'active']).execute()).map((row) => row.path));
      const now = new Date().toISOString();
      const fresh = [...new Set(paths)].filter((path) => !waiting.has(path));
      for (let start = 0; start < fresh.length; start += 200) {
        await trx.insertInto('jobs').values(fresh.slice(start, start + 200).map((path) => ({ path, state: 'created' as const, run_after: now, created_at: now, ...(options.traceParent ? { trace_parent: options.traceParent } : {}) }))).execute();
      }
      return fresh.length;
    }).finally(() => {
      for (const wake of this.sleepers) wake();
    });
  }

  async work(options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    if (options.liveness) this.owner = options.liveness.id;
    await this.releaseDeadOwners();
    await options.liveness?.start();
    try {
      await this.workers(options, handler);
    } finally {
      await options.liveness?.stop();
    }
  }

  /**
   * The jobs of workers that stopped beating, back in the queue at once (their attempt counted).
   * A job's owner is written in the statement that takes it, so there are no orphans to sweep.
   */
  async giveBack(workers: SilentWorker[]): Promise<number> {
    if (workers.length === 0) return 0;
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'created', owner: null, lease_until: null, run_after: new Date().toISOString() })
      .where('state', '=', 'active')
      .where('owner', 'in', workers.map((worker) => worker.id))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  private async workers(options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    const worker = async () => {
      while (!options.signal.aborted) {
        const taken = await this.take();
        if (!taken) {
          if (options.drain && (await this.idle())) return;
          await this.idleWait(options.signal);
          continue;
        }
        const { job, stopped } = taken;
        if (stopped) {
          await this.deadLetter(job, stopped, options.onDeadLetter);
          continue;
        }
        const renewal = setInterval(() => void this.renew(job.id).catch(() => undefined), (this.settings.expireInSeconds * 1000) / 3);
        try {
          await options.liveness?.holding(job.id, job.path);
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
          await options.liveness?.released(job.id);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }

  private async idleWait(signal: AbortSignal): Promise<void> {
    let wake: () => void = () => undefined;
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
    const host = hostId();
    for (const { owner } of owners) {
      const [ownerHost, pid] = (owner as string).split(':');
      if (ownerHost !== host || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
      await this.db.updateTable('jobs').set({ state: 'created', owner: null, lease_until: null }).where('state', '=', 'active').where('owner', '=', owner).execute();
    }
  }

  /**
   * The oldest job that is due, or whose worker's lease ran out. The attempt is counted here, when
   * it starts, so that one that never ends (the process died) still counts. A job whose attempts
   * are all used up comes back only when the last one never ended (an ended last attempt marks
   * it failed): it is leased without a new attempt and returned as `stopped`, to be dead-lettered.
   */
  private async take(): Promise<{ job: IngestJob; stopped?: ErrorInfo } | undefined> {
    return writeTransaction(this.db, async (trx) => {
      const now = new Date().toISOString();
      const row = await trx
        .selectFrom('jobs')
        .select(['id', 'path', 'attempts', 'error', 'trace_parent'])
        .where((eb) => eb.or([eb.and([eb('state', '=', 'created'), eb('run_after', '<=', now)]), eb.and([eb('state', '=', 'active'), eb('lease_until', '<', now)])]))
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      const lease = new Date(Date.now() + this.settings.expireInSeconds * 1000).toISOString();
      if (row.attempts >= this.settings.maxAttempts) {
        await trx.updateTable('jobs').set({ state: 'active', owner: this.owner, lease_until: lease }).where('id', '=', row.id).execute();
        // error is set only by an attempt that ended in failure: without one, every attempt stopped.
        const stopped = workerStoppedError(row.attempts, row.error === null ? row.attempts : undefined, row.error ?? undefined);
        return { job: { id: String(row.id), path: row.path, attempt: row.attempts }, stopped };
      }
      await trx.updateTable('jobs').set({ state: 'active', owner: this.owner, lease_until: lease, attempts: sql`attempts + 1` }).where('id', '=', row.id).execute();
      return { job: { id: String(row.id), path: row.path, attempt: row.attempts + 1, ...(row.trace_parent ? { traceParent: row.trace_parent } : {}) } };
    });
  }

  /** The caller's part first (moving the file aside), then failed: a crash between retakes it. */
  private async deadLetter(job: IngestJob, error: ErrorInfo, onDeadLetter: WorkOptions['onDeadLetter']): Promise<void> {
    await onDeadLetter?.(job, error).catch(() => undefined);
    const now = new Date().toISOString();
    // Prefixed with the code, which deadLetteredAt() looks for; other failures keep the bare message.
    await this.db.updateTable('jobs').set({ state: 'failed', error: `${error.code}: ${error.message}`, owner: null, lease_until: null, finished_at: now }).where('id', '=', Number(job.id)).execute();
  }

  async deadLetteredAt(paths: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const unique = [...new Set(paths)];
    for (let start = 0; start < unique.length; start += 500) {
      const rows = await this.db
        .selectFrom('jobs')
        .select(['path', 'finished_at'])
        .where('state', '=', 'failed')
        .where('error', 'like', `${WORKER_STOPPED}:%`)
        .where('path', 'in', unique.slice(start, start + 500))
        .execute();
      for (const row of rows) {
        const at = row.finished_at ? Date.parse(row.finished_at) : 0;
        found.set(row.path, Math.max(found.get(row.path) ?? 0, at));
      }
    }
    return found;
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
