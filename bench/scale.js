// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPostgres, loadSqlite, measureQueries, percentile, POSTGRES_SIZING, postgresDurability } from './catalogues.js';
import { execFileAsync, root, line } from './common.js';

/**
 * The scale curve: one SQLite and one Postgres catalogue grown in steps (10k, 100k and, with
 * --1m, 1M synthetic documents), measured at each: load rate, the query mix per form, size on
 * disk per document, and `doccat stats` / `doccat list` as a user runs them (the whole process).
 */
export async function benchScale() {
  const sizes = (process.env.DOCCAT_BENCH_SCALE ?? '10000,100000').split(',').map(Number);
  if (process.argv.includes('--1m') && !sizes.includes(1_000_000)) sizes.push(1_000_000);
  const { startPostgres, createDatabase } = await import('../test/support/postgres.mjs');
  const { openSqliteDatabase, openPostgresDatabase } = await import('../dist/db/database.js');
  // Sized for a catalogue of a million documents as docs/scaling.md recommends (the default 128 MB
  // of shared buffers and 1 GB of WAL between checkpoints hold a tenth of its indexes, and loading
  // slows to a crawl writing the same GIN pages out again and again).
  const server = await startPostgres({ durable: true, settings: POSTGRES_SIZING });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-scale-'));
  const file = path.join(dir, 'catalog.db');
  const rows = [];
  try {
    const url = await createDatabase(server.url, 'doccat_scale');
    const durability = await postgresDurability(url);
    console.log(`\nScale: ${sizes.join(', ')} synthetic documents; Postgres fsync=${durability.fsync}, synchronous_commit=${durability.synchronousCommit}, ${Object.entries(POSTGRES_SIZING).map(([name, value]) => `${name}=${value}`).join(', ')}; SQLite WAL`);
    const { default: pg } = await import('pg');
    const cli = async (env, args) => {
      const samples = [];
      for (let run = 0; run < 3; run += 1) {
        const begin = performance.now();
        await execFileAsync(process.execPath, [path.join(root, 'bin/doccat.js'), ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
        samples.push(performance.now() - begin);
      }
      return samples.sort((a, b) => a - b)[1];
    };
    let loaded = 0;
    for (const size of sizes.sort((a, b) => a - b)) {
      const sqliteSeconds = await loadSqlite(file, size, loaded);
      const postgresSeconds = await loadPostgres(url, size, loaded);
      const added = size - loaded;
      loaded = size;
      for (const [name, seconds] of /** @type {const} */ ([['SQLite', sqliteSeconds], ['Postgres', postgresSeconds]])) {
        const catalog = name === 'SQLite' ? await openSqliteDatabase({ path: file, busyTimeoutMs: 5000, readonly: true }) : await openPostgresDatabase({ url, poolSize: 2, statementTimeoutMs: 0 });
        const measured = await measureQueries(catalog.db);
        await catalog.close();
        let bytes;
        if (name === 'SQLite') bytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
        else {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          bytes = Number((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0].size);
          await client.end();
        }
        const env = name === 'SQLite' ? { DOCCAT_HOME: dir } : { DOCCAT_HOME: path.join(dir, 'home-pg'), DOCCAT_DATABASE_URL: url };
        const stats = await cli(env, ['stats', '--json']);
        const list = await cli(env, ['list', '--json', '--limit', '20']);
        const row = { size, name, rate: added / seconds, bytesPerDoc: bytes / size, p50: percentile(measured.latencies, 50), p95: percentile(measured.latencies, 95), worst: measured.worst, stats, list, perForm: measured.perForm };
        rows.push(row);
        line(`${size} ${name}`, `load ${row.rate.toFixed(0)} docs/s · ${(row.bytesPerDoc / 1024).toFixed(1)} KiB/doc · query mix p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms · "the" ${row.worst.toFixed(1)} ms · stats ${stats.toFixed(0)} ms · list ${list.toFixed(0)} ms`);
      }
    }
    // Per form, p50/p95 at each size, then the growth of p95 as the issue measures it.
    console.log('\nPer query form, p50 / p95 ms (in process, limit 20):');
    const forms = [...rows[0].perForm.keys()];
    console.log(`| form | ${rows.map((row) => `${row.name} ${row.size}`).join(' | ')} |`);
    console.log(`|---|${rows.map(() => '---').join('|')}|`);
    for (const form of forms) console.log(`| ${form} | ${rows.map((row) => `${percentile(row.perForm.get(form), 50).toFixed(1)} / ${percentile(row.perForm.get(form), 95).toFixed(1)}`).join(' | ')} |`);
    console.log('\nSummary:');
    console.log('| documents | engine | load docs/s | KiB/doc | p50 ms | p95 ms | "the" ms | stats ms | list ms |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.size} | ${row.name} | ${row.rate.toFixed(0)} | ${(row.bytesPerDoc / 1024).toFixed(1)} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.worst.toFixed(1)} | ${row.stats.toFixed(0)} | ${row.list.toFixed(0)} |`);
    const largest = Math.max(...sizes);
    if (largest > 100_000 && sizes.includes(100_000)) {
      for (const name of ['SQLite', 'Postgres']) {
        const at = (size) => rows.find((row) => row.size === size && row.name === name).p95;
        line(`${name}: p95 at ${largest} / p95 at 100000`, `${(at(largest) / at(100_000)).toFixed(2)}x (target <= 3x)`);
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
