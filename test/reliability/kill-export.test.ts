import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';
import { documentShas } from '../support/catalogue-invariants.js';
import { seededRandom } from '../support/mixed-files.js';

/**
 * kill -9 while `doccat export --searchable` writes: no file under a final name is ever partial or
 * foreign to the catalogue, the manifest is always whole, and the next run copies only what is
 * missing, the scans' searchable PDFs included.
 */

const TEXTS = 200;
/** Scans among them, each with a searchable PDF written beside it. */
const SCANS = ['letter.png', 'contract.tiff'];
const DOCUMENTS = TEXTS + SCANS.length;
const KILLS = 6;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface ExportJson {
  documents: number;
  copied: number;
  unchanged: number;
  failed: number;
}

function exportedFiles(out: string): string[] {
  if (!fs.existsSync(out)) return [];
  return (fs.readdirSync(out, { recursive: true }) as string[])
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((entry) => !entry.startsWith('.doccat') && entry !== 'manifest.json' && fs.statSync(path.join(out, entry)).isFile());
}

describe('kill -9 while exporting', () => {
  it('never leaves a partial file or a broken manifest, and the next run finishes the rest', async () => {
    const seed = Number(process.env.DOCCAT_RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const home = tempDir();
    const inputs = tempDir('doccat-kill-export-inputs-');
    for (let index = 0; index < TEXTS; index += 1) {
      const number = String(index).padStart(3, '0');
      fs.writeFileSync(path.join(inputs, `doc-${number}.txt`), `Document ${number}\n${`line ${number} ${random().toString(36)}\n`.repeat(8000)}`);
    }
    for (const scan of SCANS) fs.copyFileSync(path.join(FIXTURES, 'scans', scan), path.join(inputs, scan));
    expect((await runDoccat(['ingest', inputs, '--quiet', '-j', '2'], { home })).code).toBe(0);
    const shas = documentShas(home);
    expect(shas.size).toBe(DOCUMENTS);
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    const searchable = new Set((db.prepare('SELECT searchable_sha256 FROM documents WHERE searchable_sha256 IS NOT NULL').all() as { searchable_sha256: string }[]).map((row) => row.searchable_sha256));
    db.close();
    expect(searchable.size).toBe(SCANS.length);
    /** Every file the export writes: the originals and the searchable PDFs. */
    const wanted = new Set([...shas, ...searchable]);
    const out = path.join(tempDir(), 'export');
    const killedAt: number[] = [];
    const present: number[] = [];

    for (let kill = 0; kill < KILLS; kill += 1) {
      // Killed after a random number of documents were reported done (not after a wall-clock
      // delay, which on a loaded machine may land before the first write or after the last):
      // every run makes progress, and other writes are in flight when it dies.
      const already = exportedFiles(out).length;
      const remaining = DOCUMENTS - already;
      const after = 1 + Math.floor(random() * Math.max(1, Math.floor(remaining / (KILLS - kill + 1))));
      let reported = 0;
      const run = await runDoccat(['export', out, '--searchable', '--ndjson', '-j', '4'], {
        home,
        onLine: (line, child) => {
          const event = JSON.parse(line) as { event: string; status?: string };
          if (event.event === 'document' && event.status === 'copied' && ++reported === after) child.kill('SIGKILL');
        },
      });
      killedAt.push(after);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      // Under a final name: only whole originals of the catalogue's documents and whole searchable PDFs.
      const files = exportedFiles(out);
      for (const file of files) expect(wanted.has(sha(fs.readFileSync(path.join(out, file)))), file).toBe(true);
      // What was reported copied is in place, besides what earlier runs wrote.
      expect(files.length).toBeGreaterThanOrEqual(already + after);
      present.push(files.length);
      // The manifest, when there is one, is whole and names only files that are there and match.
      if (fs.existsSync(path.join(out, 'manifest.json'))) {
        const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { documents: { sha256: string; files: { original: { path: string }; searchable?: { path: string; sha256: string } } }[]; documentCount: number };
        expect(manifest.documentCount).toBe(manifest.documents.length);
        for (const entry of manifest.documents) {
          expect(sha(fs.readFileSync(path.join(out, entry.files.original.path)))).toBe(entry.sha256);
          if (entry.files.searchable) expect(sha(fs.readFileSync(path.join(out, entry.files.searchable.path)))).toBe(entry.files.searchable.sha256);
        }
      }
    }

    const before = exportedFiles(out).filter((file) => !file.endsWith('.searchable.pdf')).length;
    const last = await runDoccat(['export', out, '--searchable', '--json', '-j', '4'], { home });
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout) as ExportJson;
    process.stderr.write(`kill -9 while exporting (seed ${seed}): killed after ${killedAt.join(', ')} documents reported copied; files in place after each kill (originals and searchable PDFs): ${present.join(', ')}; the last run copied ${report.copied}\n`);
    // Resumed: what the killed runs wrote is not copied again.
    expect(report).toMatchObject({ documents: DOCUMENTS, failed: 0, copied: DOCUMENTS - before, unchanged: before });
    const files = exportedFiles(out);
    expect(files).toHaveLength(DOCUMENTS + SCANS.length);
    expect(new Set(files.map((file) => sha(fs.readFileSync(path.join(out, file)))))).toEqual(wanted);
    expect(fs.readdirSync(path.join(out, '.doccat', 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(out, '.doccat', 'lock'))).toBe(false);
    const again = JSON.parse((await runDoccat(['export', out, '--searchable', '--json'], { home })).stdout) as ExportJson & { filesWritten: number };
    expect(again).toMatchObject({ copied: 0, unchanged: DOCUMENTS, filesWritten: 0 });
  });
});
