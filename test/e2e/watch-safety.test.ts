import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';
import { killWatchers, startWatch, type WatchEvent } from '../support/watch.js';

/**
 * `doccat watch` on a drop folder that someone else writes into (issue 14, problems 1 and 4): links
 * out of it, planted links in the failed folder, a FIFO. Real folders, the built binary.
 */

const finished = (events: WatchEvent[], name: string) => events.some((event) => ['done', 'duplicate', 'unchanged'].includes(event.event) && path.basename(event.path) === name);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A folder outside the drop folder with files the user cares about. */
function precious(): { dir: string; files: Record<string, string> } {
  const dir = tempDir('doccat-precious-');
  const files = { 'thesis.txt': 'My thesis, chapter one.', 'taxes.txt': 'Tax return 2024.' };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, files };
}

function expectUntouched(outside: { dir: string; files: Record<string, string> }): void {
  expect(fs.readdirSync(outside.dir).sort()).toEqual(Object.keys(outside.files).sort());
  for (const [name, text] of Object.entries(outside.files)) expect(fs.readFileSync(path.join(outside.dir, name), 'utf8')).toBe(text);
}

function queueConfig(home: string, queue: Record<string, number>): string {
  const file = path.join(home, 'doccat.config.json');
  fs.writeFileSync(file, JSON.stringify({ queue }));
  return file;
}

afterEach(killWatchers);

describe('watch touches nothing outside its folders', () => {
  for (const mode of ['--delete-after-ingest', '--archive'] as const) {
    it(`does not follow a linked folder or file out of the drop folder (${mode})`, async () => {
      const home = tempDir();
      const inbox = tempDir('doccat-inbox-');
      const outside = precious();
      fs.symlinkSync(outside.dir, path.join(inbox, 'linked-folder'));
      fs.symlinkSync(path.join(outside.dir, 'taxes.txt'), path.join(inbox, 'linked-file.txt'));
      fs.writeFileSync(path.join(inbox, 'own.txt'), 'A note that was dropped into the inbox.');
      const archive = tempDir('doccat-archive-');
      const watch = startWatch(home, [inbox, ...(mode === '--archive' ? ['--archive', archive] : [mode]), '--stable', '300']);
      await watch.until((events) => finished(events, 'own.txt'));
      await settle(2500);
      expect(await watch.stop()).toEqual({ code: 0, signal: null });
      expectUntouched(outside);
      expect(fs.readlinkSync(path.join(inbox, 'linked-folder'))).toBe(outside.dir);
      expect(fs.readlinkSync(path.join(inbox, 'linked-file.txt'))).toBe(path.join(outside.dir, 'taxes.txt'));
      expect(watch.events.filter((event) => event.event === 'queued').map((event) => path.basename(event.path))).toEqual(['own.txt']);
      // Each link is reported once, as a link, and never walked into.
      const skipped = watch.events.filter((event) => event.event === 'skipped').sort((a, b) => a.path.localeCompare(b.path));
      expect(skipped).toEqual([path.join(inbox, 'linked-file.txt'), path.join(inbox, 'linked-folder')].map((file) => expect.objectContaining({ path: file, code: 'W_NOT_REGULAR_FILE' })));
      // The inbox's own file went where it should.
      expect(fs.existsSync(path.join(inbox, 'own.txt'))).toBe(false);
      if (mode === '--archive') expect(fs.readFileSync(path.join(archive, 'own.txt'), 'utf8')).toBe('A note that was dropped into the inbox.');
      const listed = JSON.parse((await runDoccat(['list', '--json'], { home })).stdout) as { total: number };
      expect(listed.total).toBe(1);
    });
  }

  it('writes the error note as a new 0600 file, never through a link planted in the failed folder', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const failed = tempDir('doccat-failed-');
    const outside = precious();
    fs.symlinkSync(path.join(outside.dir, 'thesis.txt'), path.join(failed, 'broken.pdf.error.txt'));
    const watch = startWatch(home, [inbox, '--failed', failed, '--stable', '300'], queueConfig(home, { maxAttempts: 1, retryDelaySeconds: 1 }));
    fs.writeFileSync(path.join(inbox, 'broken.pdf'), '%PDF-1.7\nthis is not really a PDF');
    await watch.until((events) => events.some((event) => event.event === 'failed' && event.final === true), 30_000);
    await watch.stop();
    expectUntouched(outside);
    expect(fs.readFileSync(path.join(failed, 'broken.pdf'), 'utf8')).toContain('not really a PDF');
    const note = path.join(failed, 'broken.pdf.error (1).txt');
    expect(fs.readFileSync(note, 'utf8')).toMatch(/^E_PDF_CORRUPT\n.+\nattempts: 1\n/s);
    expect(fs.statSync(note).mode & 0o777).toBe(0o600);
  });

  it('does not move a file through a folder link planted in the failed folder', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const failed = tempDir('doccat-failed-');
    const outside = precious();
    fs.symlinkSync(outside.dir, path.join(failed, 'scans'));
    const watch = startWatch(home, [inbox, '--failed', failed, '--stable', '300'], queueConfig(home, { maxAttempts: 1, retryDelaySeconds: 1 }));
    fs.mkdirSync(path.join(inbox, 'scans'));
    fs.writeFileSync(path.join(inbox, 'scans', 'broken.pdf'), '%PDF-1.7\nthis is not really a PDF');
    await watch.until((events) => events.some((event) => event.event === 'kept'), 30_000);
    await watch.stop();
    expectUntouched(outside);
    expect(watch.events.find((event) => event.event === 'kept')).toMatchObject({ code: 'W_UNSAFE_DESTINATION', action: 'failed' });
    expect(fs.existsSync(path.join(inbox, 'scans', 'broken.pdf'))).toBe(true);
  });
});

describe('watch and a FIFO in the drop folder', () => {
  it('catalogues the other files, warns once, and stops on SIGTERM within seconds', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    execFileSync('mkfifo', [path.join(inbox, 'x.pdf')]);
    fs.writeFileSync(path.join(inbox, 'a.txt'), 'First ordinary note.');
    fs.writeFileSync(path.join(inbox, 'b.txt'), 'Second ordinary note.');
    const watch = startWatch(home, [inbox, '--stable', '300']);
    await watch.until((events) => finished(events, 'a.txt') && finished(events, 'b.txt'), 60_000);
    await watch.until((events) => events.some((event) => event.event === 'skipped'));
    // Touched again: still one warning.
    fs.utimesSync(path.join(inbox, 'x.pdf'), new Date(), new Date());
    await settle(1500);
    expect(watch.events.filter((event) => event.event === 'skipped')).toEqual([expect.objectContaining({ path: path.join(inbox, 'x.pdf'), code: 'W_NOT_REGULAR_FILE' })]);
    expect(watch.events.some((event) => event.event === 'queued' && event.path.endsWith('x.pdf'))).toBe(false);
    const signalled = Date.now();
    watch.child.kill('SIGTERM');
    // An idle watch stops at once; the bound leaves room for a loaded machine.
    const outcome = await Promise.race([watch.exited, settle(5000).then(() => 'still running' as const)]);
    if (outcome === 'still running') watch.child.kill('SIGKILL');
    expect(outcome).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(5000);
  });
});

/** The one job's state and attempts so far, read from the queue's own table. */
type JobProbe = () => Promise<{ state: string; attempts: number } | undefined>;

function sqliteProbe(home: string): JobProbe {
  return async () => {
    const file = path.join(home, 'catalog.db');
    if (!fs.existsSync(file)) return undefined;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT state, attempts FROM jobs ORDER BY id DESC LIMIT 1').get() as { state: string; attempts: number } | undefined;
      return row;
    } catch {
      return undefined; // not migrated yet
    } finally {
      db.close();
    }
  };
}

function postgresProbe(url: string): JobProbe {
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // pg-boss counts retries: attempts so far = retry_count + 1 once the job has started.
      const result = await client.query<{ state: string; attempts: number }>("SELECT state::text AS state, retry_count + 1 AS attempts FROM doccat_queue.job WHERE name = 'doccat-ingest' ORDER BY created_on DESC LIMIT 1");
      return result.rows[0];
    } catch {
      return undefined; // the queue's schema is not there yet
    } finally {
      await client.end();
    }
  };
}

async function waitFor(probe: JobProbe, predicate: (job: { state: string; attempts: number }) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await probe();
    if (job && predicate(job)) return;
    if (Date.now() > deadline) throw new Error(`the job never got there; last seen: ${JSON.stringify(job)}`);
    await settle(50);
  }
}

describe('watch and a file that crashes the process', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`dead-letters it after queue.maxAttempts kill -9s and moves it to --failed instead of running it again (${dialect})`, async () => {
      const home = tempDir();
      const inbox = tempDir('doccat-inbox-');
      const failed = tempDir('doccat-failed-');
      const env: NodeJS.ProcessEnv = dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {};
      const probe = dialect === 'postgres' ? postgresProbe(env.DOCCAT_DATABASE_URL as string) : sqliteProbe(home);
      const config = queueConfig(home, { maxAttempts: 2, retryDelaySeconds: 1, expireInSeconds: 5, maintenanceIntervalSeconds: 1 });
      // A two-page scan: seconds of OCR, time enough to be killed while it is being processed.
      fs.copyFileSync(path.join(FIXTURES, 'scans', 'contract.tiff'), path.join(inbox, 'contract.tiff'));
      const args = [inbox, '--failed', failed, '--stable', '300'];
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        const watch = startWatch(home, args, config, env);
        await waitFor(probe, (job) => job.state === 'active' && job.attempts === attempt, 90_000);
        expect((await watch.kill()).signal).toBe('SIGKILL');
      }
      const last = startWatch(home, args, config, env);
      await last.until((events) => events.some((event) => event.event === 'failed' && event.final === true), 90_000);
      await settle(1500);
      expect(await last.stop()).toEqual({ code: 0, signal: null });
      const failure = last.events.find((event) => event.event === 'failed');
      expect(failure).toMatchObject({ path: path.join(inbox, 'contract.tiff'), movedTo: path.join(failed, 'contract.tiff'), error: { code: 'E_WORKER_STOPPED', message: 'the worker stopped 2 times while processing it' } });
      expect(last.events.some((event) => ['done', 'duplicate', 'unchanged'].includes(event.event))).toBe(false);
      expect(fs.existsSync(path.join(inbox, 'contract.tiff'))).toBe(false);
      expect(fs.readFileSync(path.join(failed, 'contract.tiff.error.txt'), 'utf8')).toMatch(/^E_WORKER_STOPPED\nthe worker stopped 2 times while processing it\nhint: .*queue retry.*\nattempts: 2\n$/s);
      const run = (command: string[]) => runDoccat([...command, '--config', config], { home, env });
      expect(JSON.parse((await run(['list', '--json'])).stdout)).toMatchObject({ total: 0 });
      expect(JSON.parse((await run(['queue', 'status', '--json'])).stdout)).toMatchObject({ pending: 0, active: 0, failed: 1 });
      expect(JSON.parse((await run(['queue', 'retry', '--json'])).stdout)).toMatchObject({ retried: 1 });
      expect(JSON.parse((await run(['queue', 'status', '--json'])).stdout)).toMatchObject({ pending: 1, failed: 0 });
    });
  }

  it('without --failed leaves it in place and does not queue it again at the next start until it changes', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const probe = sqliteProbe(home);
    const config = queueConfig(home, { maxAttempts: 1, retryDelaySeconds: 1 });
    const file = path.join(inbox, 'contract.tiff');
    fs.copyFileSync(path.join(FIXTURES, 'scans', 'contract.tiff'), file);
    const first = startWatch(home, [inbox, '--stable', '300'], config);
    await waitFor(probe, (job) => job.state === 'active' && job.attempts === 1, 90_000);
    await first.kill();
    const second = startWatch(home, [inbox, '--stable', '300'], config);
    await second.until((events) => events.some((event) => event.event === 'failed' && event.final === true), 60_000);
    await second.stop();
    expect(second.events.find((event) => event.event === 'failed')).toMatchObject({ error: { code: 'E_WORKER_STOPPED', message: 'the worker stopped 1 time while processing it' } });
    expect(second.events.find((event) => event.event === 'failed')?.movedTo).toBeUndefined();
    expect(fs.existsSync(file)).toBe(true);
    // The next start finds it still there: not queued again, one warning.
    const third = startWatch(home, [inbox, '--stable', '300'], config);
    await third.until((events) => events.some((event) => event.event === 'skipped'), 30_000);
    expect(third.events.find((event) => event.event === 'skipped')).toMatchObject({ path: file, code: 'W_DEAD_LETTERED' });
    expect(await probe()).toMatchObject({ state: 'failed' });
    // Changed (a new version dropped in): it gets a new turn.
    fs.appendFileSync(file, Buffer.alloc(0));
    fs.utimesSync(file, new Date(), new Date());
    await third.until((events) => events.some((event) => event.event === 'queued'), 30_000);
    await third.kill();
  });
});

describe('watch reloading its configuration', () => {
  it('refuses a reloaded config that others can write and that names a cmd: secret, and keeps the running one', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const marker = path.join(home, 'MARKER');
    const configFile = path.join(home, 'doccat.config.json');
    fs.writeFileSync(configFile, JSON.stringify({}));
    const watch = startWatch(home, [inbox, '--stable', '300'], configFile);
    fs.writeFileSync(path.join(inbox, 'ready.txt'), 'The watcher is running.');
    await watch.until((events) => finished(events, 'ready.txt'));
    // Made world-writable before it takes the config's name: the watch reloads on a change of the
    // file too, and must never see the new text with the old, safe mode.
    const next = `${configFile}.next`;
    fs.writeFileSync(next, JSON.stringify({ ai: { providers: [{ name: 'x', type: 'openai', model: 'm', apiKey: `cmd:touch ${marker}` }] } }));
    fs.chmodSync(next, 0o666);
    fs.renameSync(next, configFile);
    watch.child.kill('SIGHUP');
    await watch.until((events) => events.some((event) => event.event === 'reload-failed'));
    expect(watch.events.filter((event) => event.event === 'reload-failed').every((event) => event.error?.code === 'E_CONFIG_UNSAFE')).toBe(true);
    expect(watch.events.some((event) => event.event === 'reloaded')).toBe(false);
    fs.writeFileSync(path.join(inbox, 'after.txt'), 'Still catalogued with the running configuration.');
    await watch.until((events) => finished(events, 'after.txt'));
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(marker)).toBe(false);
  });
});
