import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { documentShas, expectConsistentCatalogue, sha256Of } from '../support/catalogue-invariants.js';
import { seededRandom, writeMixedFiles } from '../support/mixed-files.js';

/**
 * `watch --delete-after-ingest` killed with SIGKILL at random moments: after every kill, each
 * file that is gone from the drop folder has its document committed; in the end every file is
 * catalogued and gone, once.
 */

const FILES = 60;
const KILLS = 6;

/** Watch runs until stopped; this starts it and hands back the child to stop it. */
function startWatch(home: string, drop: string): { done: Promise<RunResult>; child: Promise<import('node:child_process').ChildProcess> } {
  let resolveChild: (child: import('node:child_process').ChildProcess) => void = () => undefined;
  const child = new Promise<import('node:child_process').ChildProcess>((resolve) => (resolveChild = resolve));
  // A job interrupted by a kill counts as an attempt; these kills are the test's, not the file's fault.
  const done = runDoccat(['watch', drop, '--delete-after-ingest', '--stable', '200', '--ndjson', '-j', '2'], { home, env: { DOCCAT_QUEUE_MAX_ATTEMPTS: '50' }, onSpawn: resolveChild });
  return { done, child };
}

describe('kill -9 during watch --delete-after-ingest', () => {
  it('never deletes a source whose document is not committed', async () => {
    const seed = Number(process.env.DOCCAT_RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const home = tempDir();
    const drop = tempDir('doccat-drop-');
    const shaOf = new Map(writeMixedFiles(drop, FILES, { scans: 2, duplicates: 2 }).map((file) => [file, sha256Of(file)]));
    const delays: number[] = [];

    for (let kill = 0; kill < KILLS; kill += 1) {
      const delay = Math.round(800 + random() * 4000);
      delays.push(delay);
      const watch = startWatch(home, drop);
      const child = await watch.child;
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await watch.done;
      if (!fs.existsSync(path.join(home, 'catalog.db'))) continue;
      const committed = documentShas(home);
      const deletedWithoutDocument = [...shaOf].filter(([file, sha]) => !fs.existsSync(file) && !committed.has(sha)).map(([file]) => path.basename(file));
      expect(deletedWithoutDocument, `after kill ${kill + 1} at ${delay} ms`).toEqual([]);
      expectConsistentCatalogue(home);
    }

    // Once more without a kill, until the drop folder is empty; then a clean stop. The kills may
    // have emptied it already: one more file, taken only by a running watch, makes sure the stop
    // reaches a watch that is up rather than a process still starting, which SIGTERM just ends.
    const watch = startWatch(home, drop);
    const child = await watch.child;
    const lastFile = path.join(drop, 'after-the-kills.txt');
    fs.writeFileSync(lastFile, `written after ${KILLS} kills (seed ${seed})`);
    shaOf.set(lastFile, sha256Of(lastFile));
    const deadline = Date.now() + 240_000;
    while (fs.readdirSync(drop).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    child.kill('SIGTERM');
    const last = await watch.done;
    process.stderr.write(`kill -9 during watch (seed ${seed}): killed after ${delays.join(', ')} ms; ${fs.readdirSync(drop).length} files left\n`);
    expect(last.code, last.stderr).toBe(0);
    expect(fs.readdirSync(drop)).toEqual([]);
    expect(documentShas(home)).toEqual(new Set(shaOf.values()));
    expectConsistentCatalogue(home);
    const verify = await runDoccat(['storage', 'verify', '--json'], { home });
    expect(JSON.parse(verify.stdout)).toMatchObject({ problems: [], orphans: [] });
  }, 900_000);
});
