import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { NO_CI, githubActions } from '../support/artifacts.js';
import { DIALECTS } from '../support/catalogs.js';
import { parseIngestJson, runDoccat, tempDir, type RunOptions } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/**
 * prune is safe with several processes on one catalogue: two prunes and an ingest that builds the
 * oldest folder again, all at once. Whatever order they meet in, no document loses its blob or
 * keeps a source of a pruned one, and the folder built again is wholly in the catalogue after.
 */

function build(count: number): string {
  const dir = tempDir('doccat-prune-');
  for (let index = 0; index < count; index += 1) fs.writeFileSync(path.join(dir, `part-${index}.bin`), randomBytes(2048 + index));
  return dir;
}

interface Row {
  id: number;
}

for (const dialect of DIALECTS) describe(`prune beside other processes (${dialect})`, () => {
  it('two prunes and an ingest at once leave a consistent catalogue, and nothing built again is lost', async () => {
    const home = tempDir();
    const catalogue: NodeJS.ProcessEnv = dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {};
    const run = (args: string[], options: RunOptions = {}) => runDoccat(args, { home, ...options, env: { ...NO_CI, ...catalogue, ...options.env } });
    const folders = [build(12), build(12), build(12)];
    for (const [index, folder] of folders.entries()) {
      const result = await run(['ingest', folder, '--json'], { env: githubActions({ id: String(index + 1), sha: `${index + 1}`.repeat(40), branch: 'main' }) });
      expect(result.code, result.stderr).toBe(0);
    }
    const [first, second, third] = await Promise.all([
      run(['prune', '--keep-last', '1', '--per', 'branch', '--json']),
      run(['prune', '--keep-last', '1', '--per', 'branch', '--json']),
      // On another branch: a build of main started now would itself be the last one to keep, and
      // whether the prunes plan before or after its first sighting would decide what they prune.
      run(['ingest', folders[0] as string, '--json'], { env: githubActions({ id: '4', sha: '4'.repeat(40), branch: 'release' }) }),
    ]);
    for (const result of [first, second, third]) expect(result.code, result.stderr).toBe(0);
    const pruned = [first, second].map((result) => JSON.parse(result.stdout) as { pruned: number; failed: number; changed: number; gone: number });
    expect(pruned.every((report) => report.failed === 0)).toBe(true);
    // The second build is pruned exactly once between the two; the first at most once (build 4 may save it).
    const total = pruned.reduce((sum, report) => sum + report.pruned, 0);
    expect(total).toBeGreaterThanOrEqual(12);
    expect(total).toBeLessThanOrEqual(24);

    // Build the oldest folder again: every file of it is in the catalogue afterwards, with its blob.
    const again = await run(['ingest', folders[0] as string, '--json'], { env: githubActions({ id: '5', sha: '5'.repeat(40), branch: 'main' }) });
    expect(again.code, again.stderr).toBe(0);
    expect(parseIngestJson(again).summary.failed).toBe(0);
    const listed = JSON.parse((await run(['list', 'run:5', '--json', '--limit', '100'])).stdout) as { results: Row[] };
    expect(listed.results).toHaveLength(12);
    const third3 = JSON.parse((await run(['list', 'run:3', '--json', '--limit', '100'])).stdout) as { results: Row[] };
    expect(third3.results).toHaveLength(12);
    const second2 = JSON.parse((await run(['list', 'run:2', '--json', '--limit', '100'])).stdout) as { results: Row[] };
    expect(second2.results).toHaveLength(0);

    // No row of a pruned document is left behind, and every document has its blob.
    const orphans = `SELECT
      (SELECT count(*) FROM sources s WHERE s.document_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = s.document_id)) AS sources,
      (SELECT count(*) FROM source_provenance x WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = x.document_id)) AS sightings`;
    let counts: { sources: number; sightings: number };
    let keys: string[];
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: catalogue.DOCCAT_DATABASE_URL });
      await client.connect();
      counts = (await client.query<{ sources: string; sightings: string }>(orphans)).rows.map((row) => ({ sources: Number(row.sources), sightings: Number(row.sightings) }))[0] as typeof counts;
      keys = (await client.query<{ blob_key: string }>('SELECT blob_key FROM documents')).rows.map((row) => row.blob_key);
      await client.end();
    } else {
      const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
      counts = db.prepare(orphans).get() as typeof counts;
      keys = (db.prepare('SELECT blob_key FROM documents').all() as { blob_key: string }[]).map((row) => row.blob_key);
      db.close();
    }
    expect(counts).toEqual({ sources: 0, sightings: 0 });
    for (const key of keys) expect(fs.existsSync(path.join(home, 'blobs', key)), key).toBe(true);
    const verify = await run(['storage', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
