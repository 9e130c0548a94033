import { sql, type Kysely, type RawBuilder } from 'kysely';
import { hostId } from '../system/host.js';
import { dialectFor } from './dialect.js';
import type { Database } from './schema.js';

/** How long the rows of stopped and dead workers are kept. */
const HISTORY_SECONDS = 7 * 24 * 3600;

/** What a worker holds, as its row says (`queue status`). */
export interface HeldJob {
  job: string;
  path: string;
  since: string;
}

export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  command: string;
  startedAt: string;
  lastBeatAt: string;
  /** alive: beating; stopped: said goodbye; dead: silent past queue.workerTimeoutSeconds. */
  state: 'alive' | 'stopped' | 'dead';
  jobs: HeldJob[];
}

/**
 * Gives back to the queue the jobs of the workers just found silent, and any job no living worker
 * says it holds that started longer than `startedBeforeSeconds` ago (a worker killed between
 * taking a job and writing it to its row); returns how many.
 */
export type GiveBack = (workers: SilentWorker[], orphans: OrphanSweep) => Promise<number>;

export interface OrphanSweep {
  /** Job ids that living workers' rows list. */
  living: string[];
  startedBeforeSeconds: number;
}

export interface SilentWorker {
  id: string;
  lastBeatAt: string;
  /** What its row last said it held. */
  jobs: HeldJob[];
}

/**
 * The database's clock as ISO text, so that machines whose clocks differ agree on who is silent.
 * SQLite catalogues live on one machine: its clock is the only one.
 */
function now(db: Kysely<Database>): RawBuilder<string> {
  return dialectFor(db).isoNow();
}

function secondsAgo(db: Kysely<Database>, seconds: number): RawBuilder<string> {
  return dialectFor(db).isoNow(seconds);
}

/**
 * One `doccat worker` or `watch` process in the `workers` table (migration 0015). It beats every
 * third of the timeout; at each beat it also looks for workers on any machine that have been
 * silent for longer than the timeout, marks them dead (one update, so one finder wins), gives
 * their jobs back to the queue and drops their content claims. A job is then taken again within
 * about the timeout plus a beat of its worker's death, instead of when pg-boss's expiry or the
 * table queue's lease runs out (15 minutes by default). The id is the owner name that the
 * worker's content claims and table-queue jobs carry (host:pid:run).
 */
export class WorkerLiveness {
  readonly id: string;
  private readonly held = new Map<string, HeldJob>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    runId: string,
    private readonly command: string,
    private readonly timeoutSeconds: number,
    private readonly giveBack: GiveBack,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.id = `${hostId()}:${process.pid}:${runId}`;
  }

  async start(): Promise<void> {
    await this.db
      .insertInto('workers')
      .values({ id: this.id, host: hostId(), pid: process.pid, command: this.command, started_at: now(this.db), beat_at: now(this.db), jobs: '[]' })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ beat_at: now(this.db), stopped_at: null, dead_at: null }))
      .execute();
    await this.reap();
    const every = Math.max(500, (this.timeoutSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat()).catch((error: unknown) => this.onError(error as Error));
    }, every);
    this.timer.unref();
  }

  /** Written at once: until then the job is not known to be this worker's (see GiveBack). */
  async holding(job: string, path: string): Promise<void> {
    this.held.set(job, { job, path, since: new Date().toISOString() });
    await this.writeJobs();
  }

  async released(job: string): Promise<void> {
    if (!this.held.delete(job)) return;
    await this.writeJobs().catch((error: unknown) => this.onError(error as Error));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating.catch(() => undefined);
    this.held.clear();
    await this.db.updateTable('workers').set({ stopped_at: now(this.db), beat_at: now(this.db), jobs: '[]' }).where('id', '=', this.id).execute();
  }

  private async writeJobs(): Promise<void> {
    await this.db.updateTable('workers').set({ jobs: JSON.stringify([...this.held.values()]), beat_at: now(this.db) }).where('id', '=', this.id).execute();
  }

  private async beat(): Promise<void> {
    // A worker taken for dead (it was paused longer than the timeout) lives again; its jobs were
    // given back and may run twice, which content claims and the catalogue's dedupe make harmless.
    await this.db.updateTable('workers').set({ beat_at: now(this.db), dead_at: null, jobs: JSON.stringify([...this.held.values()]) }).where('id', '=', this.id).execute();
    await this.reap();
  }

  /** Marks silent workers dead, gives their jobs back and frees their claims. */
  async reap(): Promise<number> {
    // Rows of workers gone for a week are history nobody reads: `queue status` shows the rest.
    await this.db.deleteFrom('workers').where((eb) => eb.or([eb('stopped_at', 'is not', null), eb('dead_at', 'is not', null)])).where('beat_at', '<', secondsAgo(this.db, HISTORY_SECONDS)).execute();
    const silent = await this.db
      .selectFrom('workers')
      .select(['id', 'beat_at', 'jobs'])
      .where('stopped_at', 'is', null)
      .where('dead_at', 'is', null)
      .where('id', '!=', this.id)
      .where('beat_at', '<', secondsAgo(this.db, this.timeoutSeconds))
      .execute();
    const dead: SilentWorker[] = [];
    for (const row of silent) {
      const marked = await this.db.updateTable('workers').set({ dead_at: now(this.db) }).where('id', '=', row.id).where('dead_at', 'is', null).where('beat_at', '=', row.beat_at).executeTakeFirst();
      if (Number(marked.numUpdatedRows) === 1) dead.push({ id: row.id, lastBeatAt: row.beat_at, jobs: parseJobs(row.jobs) });
    }
    const living = await this.db.selectFrom('workers').select('jobs').where('stopped_at', 'is', null).where('dead_at', 'is', null).execute();
    const given = await this.giveBack(dead, { living: living.flatMap((row) => parseJobs(row.jobs).map((held) => held.job)), startedBeforeSeconds: this.timeoutSeconds });
    if (dead.length > 0) await this.db.deleteFrom('claims').where('owner', 'in', dead.map((worker) => worker.id)).execute();
    return given;
  }
}

/** Every worker row, newest first, with its state as of now (the database's clock). */
export async function listWorkers(db: Kysely<Database>, timeoutSeconds: number): Promise<WorkerView[]> {
  const rows = await db
    .selectFrom('workers')
    .selectAll()
    .select(sql<number>`CASE WHEN beat_at < ${secondsAgo(db, timeoutSeconds)} THEN 1 ELSE 0 END`.as('silent'))
    .orderBy('started_at', 'desc')
    .limit(1000)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    host: row.host,
    pid: Number(row.pid),
    command: row.command,
    startedAt: row.started_at,
    lastBeatAt: row.beat_at,
    state: row.stopped_at !== null ? 'stopped' : row.dead_at !== null || Number(row.silent) === 1 ? 'dead' : 'alive',
    jobs: row.stopped_at !== null || row.dead_at !== null ? [] : parseJobs(row.jobs),
  }));
}

function parseJobs(text: string): HeldJob[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as HeldJob[]) : [];
  } catch {
    return [];
  }
}
