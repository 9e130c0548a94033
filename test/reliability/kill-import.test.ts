import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoccat, tempDir } from '../support/cli.js';
import { blobKeysOnDisk, documentShas, expectConsistentCatalogue, openCatalogDb } from '../support/catalogue-invariants.js';
import { seededRandom } from '../support/mixed-files.js';

/**
 * kill -9 while `doccat import` restores an export: the catalogue stays consistent (every
 * document whole, with its blob and search entry), and the next run imports only the rest, with
 * the ids of the export.
 */

const DOCUMENTS = 120;
const KILLS = 4;

interface ImportJson {
  documents: number;
  imported: number;
  present: number;
  failed: number;
}

function ids(home: string): number[] {
  const db = openCatalogDb(home);
  try {
    return (db.prepare('SELECT id FROM documents ORDER BY id').all() as { id: number }[]).map((row) => row.id);
  } finally {
    db.close();
  }
}

describe('kill -9 while importing', () => {
  it('leaves a consistent catalogue, and the next run imports only what is missing', async () => {
    const seed = Number(process.env.DOCCAT_RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const source = tempDir();
    const inputs = tempDir('doccat-kill-import-inputs-');
    for (let index = 0; index < DOCUMENTS; index += 1) {
      const number = String(index).padStart(3, '0');
      fs.writeFileSync(path.join(inputs, `doc-${number}.txt`), `Document ${number}\n${`line ${number} ${random().toString(36)}\n`.repeat(2000)}`);
    }
    expect((await runDoccat(['ingest', inputs, '--quiet', '-j', '2'], { home: source })).code).toBe(0);
    const out = path.join(tempDir(), 'export');
    expect((await runDoccat(['export', out, '--quiet'], { home: source })).code).toBe(0);

    const home = tempDir();
    const killedAt: number[] = [];
    const present: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      // Killed after a random number of documents were reported imported: every run makes
      // progress, and other documents are being stored when it dies.
      const already = fs.existsSync(path.join(home, 'catalog.db')) ? ids(home).length : 0;
      const after = 1 + Math.floor(random() * Math.floor((DOCUMENTS - already) / (KILLS - kill + 1)));
      let reported = 0;
      const run = await runDoccat(['import', out, '--ndjson', '-j', '4'], {
        home,
        onLine: (line, child) => {
          const event = JSON.parse(line) as { event: string; status?: string };
          if (event.event === 'document' && event.status === 'imported' && ++reported === after) child.kill('SIGKILL');
        },
      });
      expect(run.signal, run.stderr).toBe('SIGKILL');
      killedAt.push(after);
      expectConsistentCatalogue(home);
      const count = ids(home).length;
      // What was reported imported is committed, besides what earlier runs imported.
      expect(count).toBeGreaterThanOrEqual(already + after);
      present.push(count);
    }

    const before = ids(home).length;
    const last = await runDoccat(['import', out, '--json', '-j', '4'], { home });
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout) as ImportJson;
    process.stderr.write(`kill -9 while importing (seed ${seed}): killed after ${killedAt.join(', ')} documents reported imported; documents in the catalogue after each kill: ${present.join(', ')}; the last run imported ${report.imported}\n`);
    expect(report).toMatchObject({ documents: DOCUMENTS, failed: 0, present: before, imported: DOCUMENTS - before });
    expectConsistentCatalogue(home);
    // The same documents, under the export's ids.
    expect(documentShas(home)).toEqual(documentShas(source));
    expect(ids(home)).toEqual(ids(source));
    // No blob stored by a killed run is left without its document.
    expect(blobKeysOnDisk(home)).toHaveLength(DOCUMENTS);
    expect(fs.readdirSync(path.join(home, '.staging'))).toEqual([]);
    const again = JSON.parse((await runDoccat(['import', out, '--json'], { home })).stdout) as ImportJson;
    expect(again).toMatchObject({ imported: 0, present: DOCUMENTS, failed: 0 });
  });
});
