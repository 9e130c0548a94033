import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/**
 * `ingest --enqueue` and `doccat worker`: pg-boss on Postgres, the jobs table on SQLite. Workers
 * are real processes; one is killed with SIGKILL while it holds jobs.
 */

const FILES = 200;

function folder(): string {
  const dir = tempDir('doccat-queued-');
  for (let index = 0; index < FILES; index += 1) fs.writeFileSync(path.join(dir, `queued-${index}.txt`), `Queued note ${index}\n${'Text for the worker. '.repeat(5 + (index % 9))}`);
  return dir;
}

/** Short expiry so that a killed worker's jobs come back within seconds. */
function config(home: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(home, 'doccat.config.json');
  fs.writeFileSync(file, JSON.stringify({ queue: { expireInSeconds: 5, maintenanceIntervalSeconds: 1, retryDelaySeconds: 1, maxAttempts: 3 }, ...extra }));
  return file;
}

const jobs = (result: RunResult) =>
  result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; path: string; status: string })
    .filter((line) => line.event === 'job');

for (const dialect of ['postgres', 'sqlite'] as const) {
  describe(`workers draining a queue (${dialect})`, () => {
    const env = async (): Promise<NodeJS.ProcessEnv> => (dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {});

    it('catalogues every queued file once, also when a worker is killed midway', async () => {
      const home = tempDir();
      const settings = config(home);
      const catalogueEnv = await env();
      const run = (args: string[], onLine?: (line: string, child: { kill(signal: NodeJS.Signals): boolean }) => void) => runDoccat([...args, '--config', settings], { home, env: catalogueEnv, ...(onLine ? { onLine } : {}) });
      const dir = folder();
      const enqueued = await run(['ingest', dir, '--enqueue', '--json']);
      expect(enqueued.code, enqueued.stderr).toBe(0);
      expect(JSON.parse(enqueued.stdout)).toMatchObject({ files: FILES, enqueued: FILES });
      expect(JSON.parse((await run(['ingest', dir, '--enqueue', '--json'])).stdout)).toMatchObject({ enqueued: 0, alreadyQueued: FILES });

      let seen = 0;
      const workers = await Promise.all([
        // Killed at its 10th job: a worker that started last still gets that many of the 200.
        run(['worker', '--drain', '--ndjson', '--concurrency', '2'], (line, child) => {
          if (line.includes('"event":"job"') && ++seen === 10) child.kill('SIGKILL');
        }),
        run(['worker', '--drain', '--ndjson', '--concurrency', '2']),
        run(['worker', '--drain', '--ndjson', '--concurrency', '2']),
      ]);
      expect(workers[0]?.signal).toBe('SIGKILL');
      for (const worker of workers.slice(1)) expect(worker.code, worker.stderr).toBe(0);
      const survivors = workers.slice(1).flatMap(jobs);
      expect(survivors.length).toBeGreaterThan(0);
      const status = JSON.parse((await run(['queue', 'status', '--json'])).stdout) as { pending: number; active: number; failed: number; completed: number };
      expect(status).toMatchObject({ pending: 0, active: 0, failed: 0 });
      const listed = JSON.parse((await run(['list', '--json', '--limit', '1'])).stdout) as { total: number };
      expect(listed.total).toBe(FILES);
      // Each file is one document's source exactly once. (A job the killed worker had committed
      // but not yet reported comes back and is then found unchanged.)
      const all = JSON.parse((await run(['list', '--json', '--limit', String(FILES * 2)])).stdout) as { results: { paths: string[] }[] };
      const sources = all.results.flatMap((document) => document.paths);
      expect(sources.sort()).toEqual(fs.readdirSync(dir).map((name) => path.join(dir, name)).sort());
      const done = [...jobs(workers[0] as RunResult), ...survivors];
      expect(done.every((job) => ['catalogued', 'unchanged'].includes(job.status))).toBe(true);
      const verify = await run(['storage', 'verify', '--json']);
      expect(JSON.parse(verify.stdout)).toMatchObject({ checked: FILES, problems: [], orphans: [] });
    });

    it('retries a job whose backend is down, leaves it as failed, and queues it again on request', async () => {
      const home = tempDir();
      const settings = config(home, { storage: { backend: 'gone', backends: { gone: { type: 's3', bucket: 'x', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, accessKeyId: 'env:K', secretAccessKey: 'env:K', maxAttempts: 1 } } }, queue: { expireInSeconds: 5, maintenanceIntervalSeconds: 1, retryDelaySeconds: 1, maxAttempts: 2 } });
      const catalogueEnv = { ...(await env()), K: 'key' };
      const run = (args: string[]) => runDoccat([...args, '--config', settings], { home, env: catalogueEnv });
      const dir = tempDir('doccat-queued-');
      fs.writeFileSync(path.join(dir, 'one.txt'), 'A file that cannot be stored yet.');
      expect((await run(['ingest', dir, '--enqueue'])).code).toBe(0);
      const worker = await run(['worker', '--drain', '--ndjson']);
      expect(worker.code, worker.stderr).toBe(0);
      expect(JSON.parse((await run(['queue', 'status', '--json'])).stdout)).toMatchObject({ pending: 0, active: 0, failed: 1 });
      expect(JSON.parse((await run(['queue', 'retry', '--json'])).stdout)).toMatchObject({ retried: 1 });
      expect(JSON.parse((await run(['queue', 'status', '--json'])).stdout)).toMatchObject({ pending: 1, failed: 0 });
    });
  });
}
