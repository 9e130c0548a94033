import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoccat, tempDir } from '../support/cli.js';
import { documentShas } from '../support/catalogue-invariants.js';
import { seededRandom } from '../support/mixed-files.js';

/**
 * kill -9 while `doccat export` writes: no file under a final name is ever partial or foreign to
 * the catalogue, the manifest is always whole, and the next run copies only what is missing.
 */

const DOCUMENTS = 200;
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
    for (let index = 0; index < DOCUMENTS; index += 1) {
      const number = String(index).padStart(3, '0');
      fs.writeFileSync(path.join(inputs, `doc-${number}.txt`), `Document ${number}\n${`line ${number} ${random().toString(36)}\n`.repeat(8000)}`);
    }
    expect((await runDoccat(['ingest', inputs, '--quiet', '-j', '2'], { home })).code).toBe(0);
    const shas = documentShas(home);
    expect(shas.size).toBe(DOCUMENTS);
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
      const run = await runDoccat(['export', out, '--ndjson', '-j', '4'], {
        home,
        onLine: (line, child) => {
          const event = JSON.parse(line) as { event: string; status?: string };
          if (event.event === 'document' && event.status === 'copied' && ++reported === after) child.kill('SIGKILL');
        },
      });
      killedAt.push(after);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      // Under a final name: only whole originals of the catalogue's documents.
      const files = exportedFiles(out);
      for (const file of files) expect(shas.has(sha(fs.readFileSync(path.join(out, file)))), file).toBe(true);
      // What was reported copied is in place, besides what earlier runs wrote.
      expect(files.length).toBeGreaterThanOrEqual(already + after);
      present.push(files.length);
      // The manifest, when there is one, is whole and names only files that are there and match.
      if (fs.existsSync(path.join(out, 'manifest.json'))) {
        const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { documents: { sha256: string; files: { original: { path: string } } }[]; documentCount: number };
        expect(manifest.documentCount).toBe(manifest.documents.length);
        for (const entry of manifest.documents) expect(sha(fs.readFileSync(path.join(out, entry.files.original.path)))).toBe(entry.sha256);
      }
    }

    const before = exportedFiles(out).length;
    const last = await runDoccat(['export', out, '--json', '-j', '4'], { home });
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout) as ExportJson;
    process.stderr.write(`kill -9 while exporting (seed ${seed}): killed after ${killedAt.join(', ')} documents reported copied; originals in place after each kill: ${present.join(', ')}; the last run copied ${report.copied}\n`);
    // Resumed: what the killed runs wrote is not copied again.
    expect(report).toMatchObject({ documents: DOCUMENTS, failed: 0, copied: DOCUMENTS - before, unchanged: before });
    const files = exportedFiles(out);
    expect(files).toHaveLength(DOCUMENTS);
    expect(new Set(files.map((file) => sha(fs.readFileSync(path.join(out, file)))))).toEqual(shas);
    expect(fs.readdirSync(path.join(out, '.doccat', 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(out, '.doccat', 'lock'))).toBe(false);
    const again = JSON.parse((await runDoccat(['export', out, '--json'], { home })).stdout) as ExportJson;
    expect(again).toMatchObject({ copied: 0, unchanged: DOCUMENTS });
  });
});
