import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { blobKeysOnDisk, documentShas, expectConsistentCatalogue, openCatalogDb, referencedBlobKeys, sha256Of } from '../support/catalogue-invariants.js';
import { seededRandom, writeMixedFiles } from '../support/mixed-files.js';
import { endsWithin, procStat } from '../support/process-state.js';
import { processTree } from '../support/process-tree-rss.mjs';

/**
 * kill -9 at random moments while 200 mixed files are ingested, twenty times over, then one run
 * to the end: nothing lost, nothing twice, no blob without its document, and no process left
 * behind by a killed run.
 */

const FILES = 200;
const KILLS = 20;

describe('kill -9 while ingesting', () => {
  it(`loses and duplicates nothing after ${KILLS} kills at random points`, async () => {
    const seed = Number(process.env.DOCCAT_RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const inputs = tempDir('doccat-kill-inputs-');
    const home = tempDir();
    const files = writeMixedFiles(inputs, FILES);
    const contents = new Set(files.map(sha256Of));
    const killedAt: number[] = [];
    const leftBehind: number[] = [];

    for (let kill = 0; kill < KILLS; kill += 1) {
      // From before the catalogue is open to well into the OCR of the scans.
      const delay = Math.round(150 + random() * 3500);
      let tree: { pid: number; started: string | undefined }[] = [];
      let timer: NodeJS.Timeout | undefined;
      await runDoccat(['ingest', inputs, '--json', '-j', '2'], {
        home,
        onSpawn: (child) => {
          timer = setTimeout(() => {
            tree = processTree(child.pid as number).map((pid: number) => ({ pid, started: procStat(pid)?.started }));
            child.kill('SIGKILL');
          }, delay);
        },
      });
      clearTimeout(timer);
      killedAt.push(delay);
      // Helpers of a killed run (extraction processes) must not live on, holding files and memory.
      // A tesseract already reading a page may finish it: seconds, more on a loaded machine.
      const gaveUpAt = Date.now() + 15_000;
      // No start time: the process was gone already when the tree was read.
      for (const entry of tree.slice(1)) if (entry.started !== undefined && !(await endsWithin(entry.pid, gaveUpAt - Date.now(), entry.started))) leftBehind.push(entry.pid);
      // Killed before it created the catalogue: nothing to check yet.
      if (fs.existsSync(path.join(home, 'catalog.db'))) expectConsistentCatalogue(home);
    }

    const last = await runDoccat(['ingest', inputs, '--json', '-j', '2'], { home });
    const report = parseIngestJson(last);
    process.stderr.write(`kill -9 while ingesting (seed ${seed}): killed after ${killedAt.join(', ')} ms; last run: ${JSON.stringify(report.summary)}\n`);
    expect(last.code, last.stderr).toBe(0);
    expect(leftBehind).toEqual([]);

    // Nothing lost, nothing twice.
    expect(documentShas(home)).toEqual(contents);
    const db = openCatalogDb(home);
    try {
      const sources = db.prepare('SELECT path, status, document_id FROM sources').all() as { path: string; status: string; document_id: number | null }[];
      expect(sources.map((source) => source.path).sort()).toEqual([...files].sort());
      expect(sources.filter((source) => source.status !== 'catalogued' && source.status !== 'duplicate')).toEqual([]);
      const withoutCatalogued = db.prepare("SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM sources WHERE status = 'catalogued')").all();
      expect(withoutCatalogued).toEqual([]);
    } finally {
      db.close();
    }

    // No orphan blob, no temp file left behind, every blob reads back with its checksum. The
    // scans' searchable PDFs are blobs too (the same bytes for copies of one scan: one blob).
    expect(blobKeysOnDisk(home).sort()).toEqual(referencedBlobKeys(home));
    const leftovers = fs.readdirSync(path.join(home, 'blobs', '.tmp'));
    expect(leftovers).toEqual([]);
    const verify = await runDoccat(['storage', 'verify', '--json'], { home });
    expect(verify.code, verify.stderr).toBe(0);
    const counting = openCatalogDb(home);
    const searchable = (counting.prepare('SELECT count(searchable_key) AS n FROM documents').get() as { n: number }).n;
    counting.close();
    expect(searchable).toBeGreaterThan(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: contents.size + searchable, problems: [], orphans: [] });
  }, 900_000);
});
