import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PNG } from 'pngjs';
import { describe, expect, inject, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/**
 * Several `doccat ingest` processes on one catalogue and one blob store, given the same 200
 * files: each file is catalogued once, its content extracted (and OCRed) by one process only.
 */

const TEXTS = 190;
const IMAGES = 10;

/** 190 text files and 10 distinct PNG scans (each a different pattern of bars) to OCR. */
function inputs(): string {
  const dir = tempDir('doccat-concurrent-');
  for (let index = 0; index < TEXTS; index += 1) fs.writeFileSync(path.join(dir, `note-${index}.txt`), `Note ${index}\n${'Shared folder text. '.repeat(10 + (index % 5))}`);
  for (let index = 0; index < IMAGES; index += 1) {
    const png = new PNG({ width: 200, height: 120 });
    for (let y = 0; y < png.height; y += 1) {
      for (let x = 0; x < png.width; x += 1) {
        const ink = y > 40 && y < 80 && Math.floor(x / (4 + index)) % 2 === 0;
        const offset = (y * png.width + x) * 4;
        png.data.fill(ink ? 0 : 255, offset, offset + 3);
        png.data[offset + 3] = 255;
      }
    }
    fs.writeFileSync(path.join(dir, `scan-${index}.png`), PNG.sync.write(png));
  }
  return dir;
}

interface Totals {
  catalogued: number;
  ocrPages: number;
}

function totals(results: RunResult[]): Totals {
  return results.reduce<Totals>(
    (sum, result) => {
      const report = parseIngestJson(result);
      return { catalogued: sum.catalogued + report.summary.catalogued, ocrPages: sum.ocrPages + report.summary.ocrPages };
    },
    { catalogued: 0, ocrPages: 0 },
  );
}

/** Documents none of whose sources is `catalogued` (only duplicates of themselves, or none). */
async function documentsWithoutCataloguedSource(home: string, env: NodeJS.ProcessEnv): Promise<{ id: number; statuses: string | null }[]> {
  const query = `SELECT d.id AS id, (SELECT string_agg(s.status, ',') FROM sources s WHERE s.document_id = d.id) AS statuses FROM documents d
    WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.document_id = d.id AND s.status = 'catalogued') ORDER BY d.id`;
  if (env.DOCCAT_DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DOCCAT_DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<{ id: number; statuses: string | null }>(query)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
  try {
    return db.prepare(query.replace("string_agg(s.status, ',')", "group_concat(s.status, ',')")).all() as { id: number; statuses: string | null }[];
  } finally {
    db.close();
  }
}

async function checkCatalogue(home: string, env: NodeJS.ProcessEnv, documents = TEXTS + IMAGES): Promise<void> {
  const listed = JSON.parse((await runDoccat(['list', '--json', '--limit', '1'], { home, env })).stdout) as { total: number };
  expect(listed.total).toBe(documents);
  const verify = await runDoccat(['storage', 'verify', '--json'], { home, env });
  expect(verify.code, verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ checked: documents, problems: [], orphans: [] });
  expect(await documentsWithoutCataloguedSource(home, env)).toEqual([]);
}

const cases = [
  { dialect: 'postgres', processes: 4 },
  { dialect: 'sqlite', processes: 2 },
] as const;

for (const { dialect, processes } of cases) {
  describe(`${processes} processes ingesting the same files (${dialect})`, () => {
    const catalogueEnv = async (): Promise<NodeJS.ProcessEnv> => (dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {});

    it('catalogues each file once and extracts each content once', async () => {
      const home = tempDir();
      const env = await catalogueEnv();
      const dir = inputs();
      const results = await Promise.all(Array.from({ length: processes }, () => runDoccat(['ingest', dir, '--json', '--jobs', '2'], { home, env })));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const sum = totals(results);
      expect(sum.catalogued).toBe(TEXTS + IMAGES);
      // Every scan is one page, OCRed by exactly one of the processes.
      expect(sum.ocrPages).toBe(IMAGES);
      await checkCatalogue(home, env);
    });

    it('leaves every document a catalogued source when the folders given overlap', async () => {
      const home = tempDir();
      const env = await catalogueEnv();
      const dir = tempDir('doccat-overlap-');
      const count = 120;
      // Half the notes in a sub-folder: one process walks it alone, the others walk it as part of
      // the whole, so the same paths reach several processes at different moments.
      for (let index = 0; index < count; index += 1) fs.mkdirSync(path.join(dir, index % 2 ? 'sub' : '.'), { recursive: true });
      for (let index = 0; index < count; index += 1) fs.writeFileSync(path.join(dir, index % 2 ? 'sub' : '.', `note-${index}.txt`), `Overlap note ${index}\n${'Shared folder text. '.repeat(5 + (index % 3))}`);
      const folders = [dir, path.join(dir, 'sub'), dir, path.join(dir, 'sub')].slice(0, Math.max(2, processes));
      const results = await Promise.all(folders.map((folder) => runDoccat(['ingest', folder, '--json', '--jobs', '2'], { home, env })));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      await checkCatalogue(home, env, count);
    });

    if (dialect === 'postgres') {
      it('ends with the same catalogue when one process is killed with SIGKILL and the run repeated', async () => {
        const home = tempDir();
        const env = await catalogueEnv();
        const dir = inputs();
        let lines = 0;
        const runs = Array.from({ length: processes }, (_, index) =>
          runDoccat(['ingest', dir, '--ndjson', '--jobs', '2'], {
            home,
            env,
            ...(index === 0 ? { onLine: (_line: string, child: { kill(signal: NodeJS.Signals): boolean }) => void (++lines === 40 && child.kill('SIGKILL')) } : {}),
          }),
        );
        const results = await Promise.all(runs);
        expect(results[0]?.signal).toBe('SIGKILL');
        for (const result of results.slice(1)) expect(result.code, result.stderr).toBe(0);
        const rerun = await runDoccat(['ingest', dir, '--json'], { home, env });
        expect(rerun.code, rerun.stderr).toBe(0);
        await checkCatalogue(home, env);
      });
    }
  });
}
