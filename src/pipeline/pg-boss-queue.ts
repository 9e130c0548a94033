import PgBoss from 'pg-boss';
import { DoccatError, ExitCode } from '../errors.js';
import type { IngestJob, JobQueue, QueueSettings, QueueStatus } from './queue.js';

const SCHEMA = 'doccat_queue';
const QUEUE = 'doccat-ingest';
const DEAD = 'doccat-ingest-failed';

interface JobData {
  path: string;
}

/**
 * The job queue on Postgres through pg-boss (v10, the line that runs on Node 20), in its own
 * schema of the catalogue database: any number of `doccat worker` processes on any machines.
 * Retries with backoff, expiry of jobs whose worker died, and a dead-letter queue come from
 * pg-boss; doccat only reads its job table for `queue status`.
 */
export class PgBossJobQueue implements JobQueue {
  private constructor(private readonly boss: PgBoss) {}

  static async open(url: string, settings: QueueSettings, maintenanceIntervalSeconds: number, onError: (error: Error) => void): Promise<PgBossJobQueue> {
    const boss = new PgBoss({ connectionString: url, schema: SCHEMA, maintenanceIntervalSeconds, max: 4 });
    boss.on('error', onError);
    try {
      await boss.start();
      await ensureQueue(boss, DEAD, {});
      await ensureQueue(boss, QUEUE, {
        // One waiting job per file; pg-boss counts retries after the first try.
        policy: 'short',
        retryLimit: settings.maxAttempts - 1,
        retryDelay: settings.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: settings.expireInSeconds,
        deadLetter: DEAD,
      });
    } catch (error) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw new DoccatError('E_QUEUE_UNAVAILABLE', `cannot start the job queue: ${(error as Error).message}`, { hint: 'check database.url and that this user may create a schema in the database', exitCode: ExitCode.backendUnavailable, cause: error });
    }
    return new PgBossJobQueue(boss);
  }

  async enqueue(paths: readonly string[]): Promise<number> {
    const unique = [...new Set(paths)];
    const before = await this.count(QUEUE, ['created', 'retry', 'active']);
    for (let start = 0; start < unique.length; start += 500) {
      await this.boss.insert(unique.slice(start, start + 500).map((path) => ({ name: QUEUE, data: { path }, singletonKey: path })));
    }
    return (await this.count(QUEUE, ['created', 'retry', 'active'])) - before;
  }

  async work(options: { concurrency: number; signal: AbortSignal; drain: boolean }, handler: (job: IngestJob) => Promise<void>): Promise<void> {
    let running = 0;
    const workers: string[] = [];
    for (let index = 0; index < options.concurrency; index += 1) {
      workers.push(
        await this.boss.work<JobData>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
          if (!job) return;
          running += 1;
          try {
            // A throw here fails the job: pg-boss retries it with backoff, then dead-letters it.
            await handler({ id: job.id, path: job.data.path, attempt: job.retryCount + 1 });
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

  private async count(name: string, states: string[]): Promise<number> {
    const result = await this.boss.getDb().executeSql(`SELECT count(*)::int AS n FROM ${SCHEMA}.job WHERE name = $1 AND state::text = ANY($2)`, [name, states]);
    return Number((result.rows[0] as { n: number } | undefined)?.n ?? 0);
  }
}

async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...options });
  else await boss.createQueue(name, { name, ...options });
}
