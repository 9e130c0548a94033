import PgBoss from 'pg-boss';
import type { OrphanSweep, SilentWorker } from '../db/workers.js';
import { DoccatError, ExitCode } from '../errors.js';
import { type IngestJob, type JobQueue, type QueueSettings, type QueueStatus, type WorkOptions, WORKER_STOPPED, workerStoppedError } from './contract.js';

const SCHEMA = 'doccat_queue';
const QUEUE = 'doccat-ingest';
const DEAD = 'doccat-ingest-failed';

interface JobData {
  path: string;
  /** Attempts that ended with their worker gone (pg-boss expired them), counted by doccat. */
  stops?: number;
  /** W3C trace context of the `ingest --enqueue` run that queued it. */
  traceParent?: string;
}

/** The output pg-boss (v10) gives a job it fails because it stayed active past its expiry. */
const EXPIRED = 'job failed by timeout in active state';

/**
 * The job queue on Postgres through pg-boss (v10, the line that runs on Node 20), in its own
 * schema of the catalogue database: any number of `doccat worker` processes on any machines.
 * Retries with backoff, expiry of jobs whose worker died, and a dead-letter queue come from
 * pg-boss; doccat reads its job table for `queue status`, and touches single job rows in three
 * places so that both engines count attempts alike (see work()).
 */
export class PgBossJobQueue implements JobQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly settings: QueueSettings,
  ) {}

  static async open(url: string, settings: QueueSettings, maintenanceIntervalSeconds: number, onError: (error: Error) => void): Promise<PgBossJobQueue> {
    const boss = new PgBoss({ connectionString: url, schema: SCHEMA, maintenanceIntervalSeconds, max: 4 });
    boss.on('error', onError);
    try {
      await boss.start();
      await ensureQueue(boss, DEAD, {});
      await ensureQueue(boss, QUEUE, {
        // One waiting job per file. pg-boss counts retries after the first try; one take more than
        // maxAttempts lets a job whose last attempt expired be dead-lettered by doccat (work()).
        policy: 'short',
        retryLimit: settings.maxAttempts,
        retryDelay: settings.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: settings.expireInSeconds,
        deadLetter: DEAD,
      });
    } catch (error) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw new DoccatError('E_QUEUE_UNAVAILABLE', `cannot start the job queue: ${(error as Error).message}`, { hint: 'check database.url and that this user may create a schema in the database', exitCode: ExitCode.backendUnavailable, cause: error });
    }
    return new PgBossJobQueue(boss, settings);
  }

  async enqueue(paths: readonly string[], options: { traceParent?: string | undefined } = {}): Promise<number> {
    const unique = [...new Set(paths)];
    const before = await this.count(QUEUE, ['created', 'retry', 'active']);
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      // The 'short' policy keeps one *created* job per path only: a path whose job is running or
      // waiting for a retry would get a second job (a watch restarted after a crash would add one
      // each time, and run the file again beside the retried job).
      const busy = await this.boss.getDb().executeSql(`SELECT DISTINCT singleton_key AS path FROM ${SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active') AND singleton_key = ANY($2)`, [QUEUE, chunk]);
      const waiting = new Set((busy.rows as { path: string }[]).map((row) => row.path));
      const fresh = chunk.filter((path) => !waiting.has(path));
      if (fresh.length > 0) await this.boss.insert(fresh.map((path) => ({ name: QUEUE, data: { path, ...(options.traceParent ? { traceParent: options.traceParent } : {}) }, singletonKey: path })));
    }
    return (await this.count(QUEUE, ['created', 'retry', 'active'])) - before;
  }

  /**
   * pg-boss counts a try when it hands the job out and fails a job whose worker died once it
   * expires, so a crash loop ends; doccat adds what the table engine does: the take after the
   * last attempt, when that attempt expired, dead-letters the job without running it (and calls
   * onDeadLetter); a last attempt that failed is dead-lettered at once; an interrupted attempt
   * goes back uncounted.
   */
  async work(options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    await options.liveness?.start();
    try {
      await this.workers(options, handler);
    } finally {
      await options.liveness?.stop();
    }
  }

  /**
   * Jobs whose worker is gone, failed now as pg-boss fails an expired job (its own expiry, so the
   * attempt counts as a stop and a crash loop still ends), and due at once rather than after the
   * retry delay. pg-boss does not record who took a job, so the jobs given back are those active
   * for longer than the worker timeout that no living worker's row lists: the silent workers' and
   * any taken by a worker killed before it could write it down. Marking them expired is one
   * statement on active rows only, so a job another worker has since taken is never touched.
   */
  async giveBack(_workers: SilentWorker[], orphans: OrphanSweep): Promise<number> {
    const db = this.boss.getDb();
    const marked = await db.executeSql(
      `UPDATE ${SCHEMA}.job SET expire_in = interval '0' WHERE name = $1 AND state = 'active' AND started_on < now() - make_interval(secs => $2) AND NOT (id = ANY($3::uuid[])) RETURNING id`,
      [QUEUE, orphans.startedBeforeSeconds, orphans.living],
    );
    const ids = (marked.rows as { id: string }[]).map((row) => row.id);
    if (ids.length === 0) return 0;
    await this.boss.expire();
    await db.executeSql(`UPDATE ${SCHEMA}.job SET start_after = now(), expire_in = make_interval(secs => $3) WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'retry'`, [QUEUE, ids, this.settings.expireInSeconds]);
    return ids.length;
  }

  private async workers(options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    let running = 0;
    const workers: string[] = [];
    for (let index = 0; index < options.concurrency; index += 1) {
      workers.push(
        await this.boss.work<JobData>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
          if (!job) return;
          // Counted from the moment the job is taken, so that work() cannot return while a job is
          // between being taken and given back.
          running += 1;
          try {
            await this.runJob(job, options, handler);
          } finally {
            running -= 1;
          }
        }),
      );
    }
    await new Promise<void>((resolve) => {
      const check = async () => {
        if (options.signal.aborted || (options.drain && running === 0 && (await this.count(QUEUE, ['created', 'retry', 'active'])) === 0)) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(() => void check().catch(() => undefined), 500);
    });
    for (const id of workers) await this.boss.offWork({ id, wait: true } as PgBoss.OffWorkOptions);
    // offWork can return while a handler still gives its job back after an interrupt (CI: the job
    // was still active when work() had returned): wait for them, so that every job taken is done,
    // failed or back in the queue when work() returns.
    while (running > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private async runJob(job: PgBoss.JobWithMetadata<JobData>, options: WorkOptions, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    const ingestJob: IngestJob = { id: job.id, path: job.data.path, attempt: job.retryCount + 1, ...(job.data.traceParent ? { traceParent: job.data.traceParent } : {}) };
    const stops = await this.countStop(job);
    if (job.retryCount >= this.settings.maxAttempts) {
      // pg-boss gave up on the last attempt's handler (it ran past expireInSeconds) and retried
      // it: that attempt failed rather than stopped, so the job fails for good as it is.
      if (!isExpiredOutput(job.output)) throw new DoccatError('E_JOB_FAILED', outputMessage(job.output) ?? 'the last attempt failed', { hint: '`doccat queue retry` puts it back in the queue' });
      const error = workerStoppedError(job.retryCount, stops, undefined);
      await options.onDeadLetter?.({ ...ingestJob, attempt: job.retryCount }, error).catch(() => undefined);
      // retryCount = retryLimit: pg-boss fails it for good and copies it to the dead letters.
      throw new DoccatError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}) });
    }
    try {
      await options.liveness?.holding(job.id, job.data.path);
      // A throw here fails the job: pg-boss retries it with backoff, then dead-letters it.
      await handler(ingestJob);
    } catch (error) {
      if (options.signal.aborted) {
        await this.putBack(job.id);
        return;
      }
      if (ingestJob.attempt >= this.settings.maxAttempts) await this.lastAttempt(job.id);
      throw error;
    } finally {
      await options.liveness?.released(job.id);
    }
  }

  async deadLetteredAt(paths: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const unique = [...new Set(paths)];
    for (let start = 0; start < unique.length; start += 500) {
      // The dead-letter copy keeps the error doccat failed the job with as its output.
      const result = await this.boss
        .getDb()
        .executeSql(`SELECT data->>'path' AS path, max(created_on) AS at FROM ${SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry') AND output->>'code' = $2 AND data->>'path' = ANY($3) GROUP BY 1`, [DEAD, WORKER_STOPPED, unique.slice(start, start + 500)]);
      for (const row of result.rows as { path: string; at: Date }[]) found.set(row.path, new Date(row.at).getTime());
    }
    return found;
  }

  async status(): Promise<QueueStatus> {
    const hour = await this.boss.getDb().executeSql(`SELECT count(*)::int AS n FROM ${SCHEMA}.job WHERE name = $1 AND state = 'completed' AND completed_on > now() - interval '1 hour'`, [QUEUE]);
    return {
      pending: await this.count(QUEUE, ['created', 'retry']),
      active: await this.count(QUEUE, ['active']),
      completed: await this.count(QUEUE, ['completed']),
      failed: await this.count(DEAD, ['created', 'retry', 'active']),
      completedLastHour: Number((hour.rows[0] as { n: number } | undefined)?.n ?? 0),
    };
  }

  async retryFailed(): Promise<number> {
    const dead = await this.boss.getDb().executeSql(`SELECT id, data FROM ${SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry')`, [DEAD]);
    const rows = dead.rows as { id: string; data: JobData }[];
    if (rows.length === 0) return 0;
    await this.boss.insert(rows.map((row) => ({ name: QUEUE, data: { path: row.data.path }, singletonKey: row.data.path })));
    await this.boss.deleteJob(DEAD, rows.map((row) => row.id));
    return rows.length;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  /** The attempt before this one expired (its worker stopped): one more stop, kept in the job. */
  private async countStop(job: PgBoss.JobWithMetadata<JobData>): Promise<number> {
    const stops = job.data.stops ?? 0;
    if (!isExpiredOutput(job.output)) return stops;
    await this.boss.getDb().executeSql(`UPDATE ${SCHEMA}.job SET data = data || jsonb_build_object('stops', $3::int) WHERE name = $1 AND id = $2`, [QUEUE, job.id, stops + 1]);
    return stops + 1;
  }

  /** Failing now is final: pg-boss dead-letters a job whose retry count reached its limit. */
  private async lastAttempt(id: string): Promise<void> {
    await this.boss.getDb().executeSql(`UPDATE ${SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`, [QUEUE, id]);
  }

  /**
   * Back in the queue as if never taken: pg-boss adds a retry at the next take of a job that has
   * started before, so the count is taken back here (a first try becomes "created" again).
   * Completing the job afterwards (pg-boss does, as the handler returns) finds it no longer active.
   * The output goes too: an expiry it shows was counted as a stop when this attempt was taken.
   */
  private async putBack(id: string): Promise<void> {
    await this.boss.getDb().executeSql(
      `UPDATE ${SCHEMA}.job SET
         state = (CASE WHEN retry_count = 0 THEN 'created' ELSE 'retry' END)::${SCHEMA}.job_state,
         started_on = CASE WHEN retry_count = 0 THEN NULL ELSE started_on END,
         retry_count = GREATEST(retry_count - 1, 0),
         start_after = now(),
         output = NULL
       WHERE name = $1 AND id = $2 AND state = 'active'`,
      [QUEUE, id],
    );
  }

  private async count(name: string, states: string[]): Promise<number> {
    const result = await this.boss.getDb().executeSql(`SELECT count(*)::int AS n FROM ${SCHEMA}.job WHERE name = $1 AND state::text = ANY($2)`, [name, states]);
    return Number((result.rows[0] as { n: number } | undefined)?.n ?? 0);
  }
}

function isExpiredOutput(output: unknown): boolean {
  const value = (output as { value?: { message?: unknown } } | null | undefined)?.value;
  return value?.message === EXPIRED;
}

/** The message of a failure pg-boss recorded (a serialized error). */
function outputMessage(output: unknown): string | undefined {
  const message = (output as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...options });
  else await boss.createQueue(name, { name, ...options });
}
