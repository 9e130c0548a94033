import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';
import { killWatchers, startWatch } from '../support/watch.js';

/**
 * `doccat watch` on a Postgres catalogue, on two machines (DOCCAT_HOST_ID) sharing a drop folder:
 * the first is killed with -9 while it holds files; the second, started on the other machine,
 * takes them over within seconds although pg-boss's expiry is 15 minutes.
 */

afterEach(() => killWatchers());

describe('watch on a Postgres catalogue', () => {
  it('takes over the files of a watcher killed on another machine without waiting for their expiry', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const inbox = tempDir('doccat-shared-inbox-');
    const settings = { queue: { expireInSeconds: 900, maintenanceIntervalSeconds: 60, retryDelaySeconds: 1, maxAttempts: 3, workerTimeoutSeconds: 3 } };
    const machine = (host: string) => {
      const home = tempDir(`doccat-${host}-`);
      const config = path.join(home, 'doccat.config.json');
      fs.writeFileSync(config, JSON.stringify(settings));
      return { home, config, env: { DOCCAT_DATABASE_URL: url, DOCCAT_HOST_ID: host } };
    };
    const a = machine('host-a');
    const b = machine('host-b');
    const first = startWatch(a.home, [inbox, '--stable', '300', '--jobs', '2'], a.config, a.env);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (let index = 0; index < 20; index += 1) fs.writeFileSync(path.join(inbox, `drop-${index}.txt`), `Dropped note ${index}. ${'Words to read. '.repeat(30)}`);
    await first.until((events) => events.filter((event) => event.event === 'done').length >= 3, 120_000);
    // Killed while it holds a scan, which takes seconds to OCR: a note is done in milliseconds, so
    // one seen active could be finished by the time the kill lands. Bytes after the image's end
    // make each scan a different file with the same picture.
    const scan = fs.readFileSync(path.join(FIXTURES, 'scans', 'letter.png'));
    for (let index = 0; index < 4; index += 1) fs.writeFileSync(path.join(inbox, `scan-${index}.png`), Buffer.concat([scan, Buffer.from(`copy ${index}`)]));
    const FILES = 24;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const holdingScan = async () =>
      Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM doccat_queue.job WHERE name = 'doccat-ingest' AND state = 'active' AND data->>'path' LIKE '%/scan-%'")).rows[0]?.n ?? 0);
    const waitUntil = Date.now() + 120_000;
    while ((await holdingScan()) === 0) {
      if (Date.now() > waitUntil) throw new Error(`no scan became active; events so far:\n${first.events.map((event) => JSON.stringify(event)).join('\n')}\n${first.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await first.kill();
    await client.end();
    // What the killed watcher left active (its jobs in pg-boss) is what the other must take over.
    const left = JSON.parse((await runDoccat(['queue', 'status', '--json', '--config', b.config], { home: b.home, env: b.env })).stdout) as { pending: number; active: number };
    const second = startWatch(b.home, [inbox, '--stable', '300', '--jobs', '2'], b.config, b.env);
    const list = async () => JSON.parse((await runDoccat(['list', '--json', '--limit', String(FILES * 2), '--config', b.config], { home: b.home, env: b.env })).stdout) as { total: number; results: { paths: string[] }[] };
    const deadline = Date.now() + 150_000;
    while ((await list()).total < FILES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
    const status = JSON.parse((await runDoccat(['queue', 'status', '--json', '--config', b.config], { home: b.home, env: b.env })).stdout) as { active: number; workers: { host: string; command: string; state: string }[] };
    await second.stop();
    const all = await list();
    expect(all.total).toBe(FILES);
    expect(all.results.flatMap((document) => document.paths).sort()).toEqual(fs.readdirSync(inbox).map((name) => path.join(inbox, name)).sort());
    expect(left.active).toBeGreaterThan(0);
    expect(status.workers.map((worker) => [worker.host, worker.command, worker.state]).sort()).toEqual([
      ['host-a', 'watch', 'dead'],
      ['host-b', 'watch', 'alive'],
    ]);
  });
});
