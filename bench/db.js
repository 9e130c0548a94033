// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPostgres, loadSqlite, measureQueries, percentile, postgresDurability } from './catalogues.js';
import { execFileAsync, root, line } from './common.js';

export async function benchDb() {
  const count = Number(process.env.DOCCAT_BENCH_DOCS ?? 100_000);
  const { startPostgres, createDatabase } = await import('../test/support/postgres.mjs');
  const { openSqliteDatabase, openPostgresDatabase } = await import('../dist/db/database.js');
  // Durable settings, as a user's server would run: the tests' server has fsync off.
  const server = await startPostgres({ durable: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-db-'));
  try {
    const durability = await postgresDurability(server.url);
    console.log(`\nDatabases: ${count} synthetic documents in each, the search query mix in process, and doccat ingest of 300 text files`);
    console.log(`  Postgres: fsync=${durability.fsync}, synchronous_commit=${durability.synchronousCommit}${durability.fsync === 'on' && durability.synchronousCommit === 'on' ? ' (durable: a commit survives power loss)' : ' (NOT durable: figures flatter Postgres)'}`);
    console.log('  SQLite as doccat opens it: WAL, synchronous=FULL (durable: a commit survives power loss)');
    const sqliteLoad = await loadSqlite(path.join(dir, 'catalog.db'), count);
    const url = await createDatabase(server.url, 'doccat_bench');
    const postgresLoad = await loadPostgres(url, count);
    line('bulk load', `SQLite ${sqliteLoad.toFixed(1)} s · Postgres ${postgresLoad.toFixed(1)} s`);
    const results = {};
    for (const [name, open] of /** @type {const} */ ([['SQLite', () => openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000, readonly: true })], ['Postgres', () => openPostgresDatabase({ url, poolSize: 2, statementTimeoutMs: 0 })]])) {
      const catalog = await open();
      results[name] = await measureQueries(catalog.db);
      await catalog.close();
      const { latencies, slowest, worst } = results[name];
      line(`${name}: query mix`, `p50 ${percentile(latencies, 50).toFixed(1)} ms · p95 ${percentile(latencies, 95).toFixed(1)} ms · "the" ${worst.toFixed(1)} ms`);
      line(`${name}: slowest forms (median)`, slowest.map(([key, value]) => `${key} ${value.toFixed(1)} ms`).join(' · '));
    }
    line('ratio Postgres / SQLite, p50 and p95', `${(percentile(results.Postgres.latencies, 50) / percentile(results.SQLite.latencies, 50)).toFixed(2)}x · ${(percentile(results.Postgres.latencies, 95) / percentile(results.SQLite.latencies, 95)).toFixed(2)}x`);

    const inputs = path.join(dir, 'inputs');
    fs.mkdirSync(inputs);
    for (let index = 0; index < 300; index += 1) fs.writeFileSync(path.join(inputs, `note-${index}.txt`), `Invoice ${index}: printer paper, toner and delivery. ${'Line of text. '.repeat(30 + (index % 20))}`);
    const rate = {};
    for (const [name, extra] of /** @type {const} */ ([['SQLite', { DOCCAT_HOME: path.join(dir, 'home-sqlite') }], ['Postgres', { DOCCAT_HOME: path.join(dir, 'home-pg'), DOCCAT_DATABASE_URL: await createDatabase(server.url, 'doccat_bench_ingest') }]])) {
      const started = performance.now();
      await execFileAsync(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--json', '--quiet'], { env: { ...process.env, ...extra }, maxBuffer: 64 * 1024 * 1024 });
      rate[name] = 300 / ((performance.now() - started) / 1000);
      line(`${name}: ingest 300 text files`, `${rate[name].toFixed(1)} docs/s`);
    }
    line('ratio Postgres / SQLite, ingest', `${(rate.Postgres / rate.SQLite).toFixed(2)}x (both durable)`);
    // A weaker promise than either above: the last commits may be lost on power loss, never corrupted.
    const relaxed = new URL(await createDatabase(server.url, 'doccat_bench_relaxed'));
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${relaxed.pathname.slice(1)} SET synchronous_commit = off`);
    await admin.end();
    const started = performance.now();
    await execFileAsync(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--json', '--quiet'], { env: { ...process.env, DOCCAT_HOME: path.join(dir, 'home-pg-relaxed'), DOCCAT_DATABASE_URL: relaxed.toString() }, maxBuffer: 64 * 1024 * 1024 });
    const relaxedRate = 300 / ((performance.now() - started) / 1000);
    line('Postgres: ingest, synchronous_commit=off', `${relaxedRate.toFixed(1)} docs/s (the last commits may be lost on power loss; ratio to durable SQLite ${(relaxedRate / rate.SQLite).toFixed(2)}x)`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
