import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { killWatchers, startWatch } from '../support/watch.js';

/**
 * The paths a user gives: folders to ingest or watch, which may hold doccat's own catalogue (a
 * cron job's `doccat --catalog ./cat ingest .`), which may not exist (a typo, a share that is not
 * mounted), and a catalogue folder doccat cannot create.
 */

const TEXT = path.join(FIXTURES, 'text');
const count = async (args: string[], cwd: string) => (JSON.parse((await runDoccat([...args, 'list', '--json'], { cwd })).stdout) as { total: number }).total;

afterEach(() => killWatchers());

describe('a catalogue inside the folder ingested', () => {
  it('is never catalogued itself: the same documents after every run', async () => {
    const folder = tempDir();
    for (const name of fs.readdirSync(TEXT)) fs.copyFileSync(path.join(TEXT, name), path.join(folder, name));
    const files = fs.readdirSync(folder).length;
    for (let run = 0; run < 3; run += 1) {
      const result = await runDoccat(['--catalog', './cat', 'ingest', '.', '--json'], { cwd: folder });
      expect(result.code, result.stderr).toBe(0);
      const { summary } = JSON.parse(result.stdout) as { summary: { total: number; catalogued: number } };
      expect(summary).toMatchObject({ total: files, catalogued: run === 0 ? files : 0 });
    }
    expect(await count(['--catalog', './cat'], folder)).toBe(files);
    // --enqueue walks the same way.
    const queued = await runDoccat(['--catalog', './cat', 'ingest', '.', '--enqueue', '--json'], { cwd: folder });
    expect(JSON.parse(queued.stdout)).toMatchObject({ files });
  });

  it('is not taken by watch either, while the documents beside it are', async () => {
    const inbox = tempDir();
    const home = path.join(inbox, 'catalogue');
    const watch = startWatch(home, [inbox, '--stable', '300']);
    fs.writeFileSync(path.join(inbox, 'note.txt'), 'A note dropped beside the catalogue.');
    await watch.until((events) => events.some((event) => event.event === 'done' && event.path.endsWith('note.txt')));
    // Long enough for the database's writes to settle and be reported, were they watched.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    expect(watch.events.filter((event) => event.path.startsWith(home))).toEqual([]);
  });
});

describe('a path that is not there', () => {
  it('is a usage error for ingest, and nothing is recorded as failed', async () => {
    const cwd = tempDir();
    const result = await runDoccat(['--catalog', './cat', 'ingest', TEXT, path.join(cwd, 'no-such-folder')], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_INPUT_NOT_FOUND .*no-such-folder: no such file or folder/);
    const failed = await runDoccat(['--catalog', './cat', 'list', '--status', 'failed', '--json'], { cwd });
    // The run stopped before it opened the catalogue: there is none to hold a failure.
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/E_CATALOG_NOT_FOUND/);
  });

  it('is a usage error for watch, and so is a file', async () => {
    const home = tempDir();
    const missing = await runDoccat(['watch', path.join(home, 'no-such-folder')], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/E_INPUT_NOT_FOUND .*no-such-folder: no such folder/);
    const file = await runDoccat(['watch', path.join(TEXT, fs.readdirSync(TEXT)[0] as string)], { home });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/is not a folder/);
  });
});

describe('an output file that cannot be written', () => {
  it('is a usage error for get -o, said before any bytes move', async () => {
    const home = tempDir();
    const ingested = await runDoccat(['ingest', TEXT, '--json'], { home });
    const id = (JSON.parse(ingested.stdout) as { files: { documentId?: number }[] }).files.find((file) => file.documentId !== undefined)?.documentId as number;
    const result = await runDoccat(['get', String(id), '-o', path.join(home, 'no-such-folder', 'copy')], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_OUTPUT_UNWRITABLE cannot write .*copy: its folder does not exist/);
    expect(fs.existsSync(path.join(home, 'no-such-folder'))).toBe(false);
  });
});

describe('a catalogue folder that cannot be made', () => {
  it('says which level is in the way, with exit 2, not as a bug', async () => {
    const base = tempDir();
    fs.writeFileSync(path.join(base, 'file'), 'in the way');
    fs.symlinkSync(path.join(base, 'unmounted'), path.join(base, 'nas'));
    const cases: [string, RegExp][] = [
      [path.join(base, 'file', 'catalogue'), /E_CATALOG_FOLDER .*: .*file is not a folder/],
      [path.join(base, 'nas', 'catalogue'), /E_CATALOG_FOLDER .*: .*nas is a link to a folder that is not there/],
    ];
    // Node's own recursive mkdir goes round for ever under /proc.
    if (fs.existsSync('/proc/self')) cases.push(['/proc/doccat-no-such/catalogue', /E_CATALOG_FOLDER .*takes no new entries/]);
    for (const [catalogue, message] of cases) {
      const result = await runDoccat(['--catalog', catalogue, 'ingest', TEXT]);
      expect(result.code, catalogue).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/E_INTERNAL|at .*\.js:\d+/);
    }
  });

  it.skipIf(!fs.existsSync('/proc/self'))('says so too when only the staging folder lives there (database and blobs elsewhere)', async () => {
    const base = tempDir();
    const config = path.join(base, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ database: { sqlite: { path: path.join(base, 'db', 'catalog.db') } }, storage: { local: { path: path.join(base, 'blobs') } } }), { mode: 0o600 });
    const result = await runDoccat(['--config', config, '--catalog', '/proc/doccat-no-such', 'ingest', TEXT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_CATALOG_FOLDER cannot create the staging folder \/proc\/doccat-no-such\/\.staging/);
  });
});
