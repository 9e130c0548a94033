import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';
import { startS3, type TestS3 } from '../support/s3.mjs';

/**
 * Several machines on one Postgres and one S3 bucket, played by processes with their own host
 * names (DOCCAT_HOST_ID) and their own DOCCAT_HOME: two workers on host-a, one on host-b, the
 * files enqueued from host-c. One worker of host-a is killed with -9 while it holds files, and so
 * is the only worker of host-b. pg-boss's expiry is left at 15 minutes, longer than this test may
 * run: the surviving worker can finish only because the heartbeats show the others dead.
 */

const FILES = 200;
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat']);
});
afterAll(async () => {
  await s3.close();
});

/** The content blobs s3rver holds (not the catalogue's registration note beside them). */
function blobsIn(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() && entry.name.endsWith('._S3rver_object') && entry.parentPath.split(path.sep).includes('sha256'))
    .map((entry) => entry.name);
}

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const jobEvents = (result: RunResult) =>
  result.stdout
    .split('\n')
    .filter((line) => line.includes('"event":"job"'))
    .map((line) => JSON.parse(line) as { path: string; status: string });

describe('workers on several machines sharing Postgres and S3', () => {
  it('catalogues every file once when one worker and a whole host are killed, and shows them dead', async () => {
    const databaseUrl = await createDatabase(inject('pgUrl'));
    // The shared inputs (an NFS mount on real machines).
    const inputs = tempDir('doccat-shared-inputs-');
    for (let index = 0; index < FILES; index += 1) fs.writeFileSync(path.join(inputs, `shared-${index}.txt`), `Shared note ${index}\n${'Text every machine can read. '.repeat(20 + (index % 13))}`);
    const settings = {
      storage: { backend: 'team', backends: { team: s3.backend('doccat', { prefix: 'team/' }) } },
      queue: { expireInSeconds: 900, maintenanceIntervalSeconds: 60, retryDelaySeconds: 1, maxAttempts: 3, workerTimeoutSeconds: 3 },
    };
    const machine = (host: string) => {
      const home = tempDir(`doccat-${host}-`);
      const config = path.join(home, 'doccat.config.json');
      fs.writeFileSync(config, JSON.stringify(settings));
      const env = { ...s3.env, DOCCAT_DATABASE_URL: databaseUrl, DOCCAT_HOST_ID: host };
      return { home, run: (args: string[], onLine?: (line: string, child: { kill(signal: NodeJS.Signals): boolean; pid?: number }) => void) => runDoccat([...args, '--config', config], { home, env, ...(onLine ? { onLine } : {}) }) };
    };
    const hostA = machine('host-a');
    const hostB = machine('host-b');
    const hostC = machine('host-c');

    const enqueued = await hostC.run(['ingest', inputs, '--enqueue', '--json']);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    expect(JSON.parse(enqueued.stdout)).toMatchObject({ enqueued: FILES });

    // Each victim is killed after its 15th file, at a moment its heartbeat row says it holds one.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const holds = async (pid: number) => (await client.query("SELECT 1 FROM workers WHERE pid = $1 AND jobs <> '[]'", [pid])).rowCount === 1;
    const killed: { host: string; pid: number | undefined; at: number }[] = [];
    const killAfter = (host: string, count: number) => {
      let seen = 0;
      return (line: string, child: { kill(signal: NodeJS.Signals): boolean; pid?: number }) => {
        if (!line.includes('"event":"job"') || ++seen !== count) return;
        void (async () => {
          while (!(await holds(child.pid as number))) await new Promise((resolve) => setTimeout(resolve, 10));
          child.kill('SIGKILL');
          killed.push({ host, pid: child.pid, at: Date.now() });
        })();
      };
    };
    const worker = ['worker', '--drain', '--ndjson', '--concurrency', '2'];
    let survivorDone = 0;
    const [a1, a2, b1] = await Promise.all([hostA.run(worker, killAfter('host-a', 15)), hostA.run(worker).finally(() => (survivorDone = Date.now())), hostB.run(worker, killAfter('host-b', 15))]);
    expect(a1?.signal).toBe('SIGKILL');
    expect(b1?.signal).toBe('SIGKILL');
    expect(a2?.code, a2?.stderr).toBe(0);
    expect(killed.map((kill) => kill.host).sort()).toEqual(['host-a', 'host-b']);
    await client.end();
    // For the record, not asserted (machines differ): from the last kill to the queue drained.
    console.info(`many machines: queue drained ${((survivorDone - Math.max(...killed.map((kill) => kill.at))) / 1000).toFixed(1)} s after the last kill`);

    // Every file is the source of one document, once.
    const all = JSON.parse((await hostC.run(['list', '--json', '--limit', String(FILES * 2)])).stdout) as { total: number; results: { paths: string[] }[] };
    expect(all.total).toBe(FILES);
    expect(all.results.flatMap((document) => document.paths).sort()).toEqual(fs.readdirSync(inputs).map((name) => path.join(inputs, name)).sort());
    const done = [a1, a2, b1].flatMap((result) => jobEvents(result as RunResult));
    expect(done.every((job) => ['catalogued', 'unchanged'].includes(job.status))).toBe(true);

    // The queue: nothing left, nothing failed; the killed workers are dead, the survivor stopped.
    const status = JSON.parse((await hostC.run(['queue', 'status', '--json'])).stdout) as { pending: number; active: number; failed: number; workers: { host: string; pid: number; state: string; jobs: unknown[] }[] };
    expect(status).toMatchObject({ pending: 0, active: 0, failed: 0 });
    const states = Object.fromEntries(status.workers.map((row) => [`${row.host}:${row.pid}`, row.state]));
    expect(states).toEqual({ ...Object.fromEntries(killed.map((kill) => [`${kill.host}:${kill.pid}`, 'dead'])), ...Object.fromEntries(status.workers.filter((row) => row.state === 'stopped').map((row) => [`${row.host}:${row.pid}`, 'stopped'])) });
    expect(status.workers.filter((row) => row.state === 'stopped').map((row) => row.host)).toEqual(['host-a']);
    const table = await hostC.run(['queue', 'status']);
    expect(table.stdout).toMatch(/dead/);

    // Blobs only in S3, one per document, none orphaned; nothing stored on any machine's disk.
    expect(blobsIn(path.join(s3.directory, 'doccat'))).toHaveLength(FILES);
    const verify = await hostA.run(['storage', 'verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: FILES, problems: [], orphans: [] });
    for (const home of [hostA.home, hostB.home, hostC.home]) expect(filesUnder(home).filter((file) => /sha256/.test(file))).toEqual([]);
  });
});
