import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchForMissedFiles } from '../../../src/pipeline/missed-files.js';
import { tempDir } from '../../support/cli.js';

/**
 * The second look at a new folder (pipeline/missed-files.ts), on real folders, with chokidar's
 * list played by a plain object so that the test decides what chokidar "missed".
 */

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setUp(known: Record<string, string[]>, stableMs = 50) {
  const taken: string[] = [];
  const watched: string[] = [];
  const errors: Error[] = [];
  const missed = watchForMissedFiles({
    known: () => known,
    watch: (folder) => watched.push(folder),
    ignored: (candidate) => path.basename(candidate).endsWith('.part'),
    stableMs,
    take: (file) => taken.push(file),
    onError: (error) => errors.push(error),
    rechecksMs: [30, 200],
  });
  closers.push(missed.close);
  return { missed, taken, watched, errors };
}

describe('files chokidar missed in a new folder', () => {
  it('takes a file chokidar does not know, once, and leaves known and ignored names alone', async () => {
    const folder = fs.realpathSync(tempDir('doccat-missed-'));
    for (const name of ['known.pdf', 'missed.pdf', 'upload.pdf.part']) fs.writeFileSync(path.join(folder, name), name);
    const { missed, taken, watched, errors } = setUp({ [folder]: ['known.pdf'] });
    missed.folderAdded(folder);
    await vi.waitFor(() => expect(taken).toEqual([path.join(folder, 'missed.pdf')]), { timeout: 5000 });
    // Read twice (30 ms and 230 ms), taken once.
    await wait(500);
    expect(taken).toEqual([path.join(folder, 'missed.pdf')]);
    expect(watched).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('hands a missed subfolder to the watcher instead of reading into it', async () => {
    const folder = fs.realpathSync(tempDir('doccat-missed-'));
    fs.mkdirSync(path.join(folder, 'scans'));
    fs.writeFileSync(path.join(folder, 'scans', 'letter.pdf'), 'x');
    const { missed, taken, watched } = setUp({ [folder]: [] });
    missed.folderAdded(folder);
    await vi.waitFor(() => expect(watched).toEqual([path.join(folder, 'scans')]), { timeout: 5000 });
    expect(taken).toEqual([]);
  });

  it('waits until a missed file holds still before taking it', async () => {
    const folder = fs.realpathSync(tempDir('doccat-missed-'));
    const file = path.join(folder, 'growing.pdf');
    fs.writeFileSync(file, 'a');
    // The stability time is ten times the growth interval, so a loaded machine's late timer does
    // not make the file look still.
    const { missed, taken } = setUp({ [folder]: [] }, 500);
    missed.folderAdded(folder);
    for (let index = 0; index < 12; index += 1) {
      await wait(50);
      fs.appendFileSync(file, 'more bytes');
      expect(taken).toEqual([]);
    }
    await vi.waitFor(() => expect(taken).toEqual([file]), { timeout: 5000 });
  });

  it('does not take a file chokidar learned about while it settled, nor one that went away', async () => {
    const folder = fs.realpathSync(tempDir('doccat-missed-'));
    fs.writeFileSync(path.join(folder, 'late.pdf'), 'x');
    fs.writeFileSync(path.join(folder, 'gone.pdf'), 'x');
    const known: Record<string, string[]> = { [folder]: [] };
    const { missed, taken } = setUp(known, 500);
    missed.folderAdded(folder);
    await wait(80);
    known[folder] = ['late.pdf'];
    fs.rmSync(path.join(folder, 'gone.pdf'));
    // Past both reads (30 and 230 ms) and their stability time.
    await wait(1500);
    expect(taken).toEqual([]);
  });

  it('reads nothing after close', async () => {
    const folder = fs.realpathSync(tempDir('doccat-missed-'));
    fs.writeFileSync(path.join(folder, 'missed.pdf'), 'x');
    const { missed, taken } = setUp({ [folder]: [] });
    missed.folderAdded(folder);
    missed.close();
    await wait(400);
    expect(taken).toEqual([]);
  });
});
