#!/usr/bin/env node
// @ts-check
// Benchmarks (not tests): `npm run bench -- startup`, `-- search`, `-- stats`, `-- db`, `-- classify`, `-- classify-quality`, `-- storage`, `-- watch`, `-- ocr`, `-- ocr-memory`, `-- ingest`, `-- hooks`, `-- artifacts`, or all of them; `-- scale` (with `--1m`) only when named.
// Each prints doccat's figure next to a baseline measured in the same run, and their ratio.
import { execFile, spawnSync } from 'node:child_process';
import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTextPdf } from '../test/support/pdf-writer.mjs';
import { benchOcr, benchOcrMemory, mapLimit } from './ocr.js';
import { loadPostgres, loadSqlite, measureQueries, percentile, postgresDurability, QUERY_MIX } from './catalogues.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus');
const cores = os.availableParallelism();
const which = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const wanted = which.length > 0 ? which : ['startup', 'search', 'stats', 'db', 'classify', 'classify-quality', 'storage', 'watch', 'ocr', 'ingest', 'hooks', 'artifacts'];

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

function line(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

/** Wall-clock seconds of a whole process, from spawn to exit. */
async function timeProcess(file, args, options = {}) {
  const started = performance.now();
  const result = await execFileAsync(file, args, { maxBuffer: 256 * 1024 * 1024, ...options }).catch((error) => {
    // doccat exits 3 when some files failed; the run still counts.
    if (error.code !== 3) throw error;
    return error;
  });
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

/**
 * Ingest against the least any cataloguer must do for the same files, each side a whole process:
 * new files against reading and hashing every file; the unchanged second pass against a stat of
 * every file, which is all doccat does for a file whose path, size and mtime it already knows.
 */
async function benchIngest() {
  const count = 300;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-'));
  const inputs = path.join(dir, 'pdfs');
  fs.mkdirSync(inputs);
  for (let index = 0; index < count; index += 1) {
    const lines = Array.from({ length: 40 }, (_, row) => `Invoice ${index} line ${row}: printer paper, toner and delivery, total due ${(index * 3.7 + row).toFixed(2)} EUR`);
    fs.writeFileSync(path.join(inputs, `doc-${String(index).padStart(4, '0')}.pdf`), makeTextPdf([lines, lines.slice(0, 20)]));
  }
  console.log(`\nIngest: ${count} born-digital PDFs (2 pages each), every figure a whole Node process from start to exit`);
  const env = { ...process.env, DOCCAT_HOME: path.join(dir, 'catalogue'), DOCCAT_FEATURES_AI: 'false' };
  const doccat = async (args) => (await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), ...args], { env })).seconds;
  const baseline = async (body) => (await timeProcess(process.execPath, ['--input-type=module', '-e', `import fs from 'node:fs'; import path from 'node:path'; import { createHash } from 'node:crypto'; const dir = ${JSON.stringify(inputs)}; for (const name of fs.readdirSync(dir)) { ${body} }`])).seconds;
  const hashSeconds = await baseline("createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');");
  const statSeconds = await baseline('fs.statSync(path.join(dir, name));');
  const first = await doccat(['ingest', inputs, '--json', '--quiet']);
  const again = await doccat(['ingest', inputs, '--json', '--quiet']);
  const rate = (seconds) => `${(count / seconds).toFixed(1)} docs/s (${seconds.toFixed(2)} s)`;
  line('doccat ingest, new files', `${rate(first)}: read, sniff, hash, extract, classify, store, commit`);
  line('baseline: read and sha256 every file', rate(hashSeconds));
  line('ratio new / hash baseline', `${(hashSeconds / first).toFixed(3)}x`);
  line('doccat ingest, same folder again', `${rate(again)}: open the catalogue, stat every file, look its path up`);
  line('baseline: stat every file', rate(statSeconds));
  line('ratio again / stat baseline', `${(statSeconds / again).toFixed(3)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Start-up, the issue's yardstick: whole processes on a catalogue of 1,000 documents, each the
 * median of 11 runs, next to `node -e 0` measured in the same run (so a loaded machine shows as
 * a slower baseline, not as a slower doccat). Targets: --version <= node + 40 ms, search <= node + 150 ms.
 */
async function benchStartup() {
  const count = Number(process.env.DOCCAT_BENCH_STARTUP_DOCS ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-startup-'));
  const env = { ...process.env, DOCCAT_HOME: dir, NO_COLOR: '1' };
  await loadSqlite(path.join(dir, 'catalog.db'), count);
  const bin = path.join(root, 'bin/doccat.js');
  const once = async (args) => {
    const begin = performance.now();
    await execFileAsync(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return performance.now() - begin;
  };
  const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  // Each doccat run is paired with a `node -e 0` run just before it: on a shared, loaded machine
  // the baseline drifts, and a pair sees the same load.
  const paired = async (args) => {
    const pairs = [];
    for (let run = 0; run < 11; run += 1) {
      const bare = await once(['-e', '0']);
      pairs.push({ bare, ms: await once(args) });
    }
    return { bare: middle(pairs.map((pair) => pair.bare)), ms: middle(pairs.map((pair) => pair.ms)), over: middle(pairs.map((pair) => pair.ms - pair.bare)), ratio: middle(pairs.map((pair) => pair.ms / pair.bare)) };
  };
  console.log(`\nStart-up: ${count} documents, 11 runs each, every run paired with a node -e 0 run just before it (medians), ${cores} cores`);
  const figures = [
    ['doccat --version', [bin, '--version'], 40],
    ['doccat search invoice', [bin, 'search', 'invoice'], 150],
    ['doccat search invoice --json', [bin, 'search', 'invoice', '--json'], 150],
    ['doccat __complete bash search --type ""', [bin, '__complete', 'bash', 'search', '--type', ''], undefined],
    ['doccat --help', [bin, '--help'], undefined],
  ];
  for (const [label, args, target] of figures) {
    const { bare, ms, over, ratio } = await paired(args);
    line(label, `${ms.toFixed(0)} ms, node -e 0 ${bare.toFixed(0)} ms: node +${over.toFixed(0)} ms, ${ratio.toFixed(2)}x${target ? ` (target node +${target} ms: ${over <= target ? 'met' : 'NOT met'})` : ''}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}


async function benchSearch() {
  const count = Number(process.env.DOCCAT_BENCH_DOCS ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-search-'));
  const env = { ...process.env, DOCCAT_HOME: dir };
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const seconds = await loadSqlite(path.join(dir, 'catalog.db'), count);
  console.log(`\nSearch: ${count} synthetic documents (40-1100 words, Zipf vocabulary), loaded in ${seconds.toFixed(1)} s`);
  const reader = await openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000, readonly: true });
  const { latencies, slowest, worst } = await measureQueries(reader.db);
  await reader.close();
  line(`query mix (${QUERY_MIX.length} forms, in process)`, `p50 ${percentile(latencies, 50).toFixed(1)} ms · p95 ${percentile(latencies, 95).toFixed(1)} ms · p99 ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length} queries)`);
  line('slowest forms (median)', slowest.map(([key, value]) => `${key} ${value.toFixed(1)} ms`).join(' · '));
  line('worst case: "the" (in every document)', `median ${worst.toFixed(1)} ms`);

  const time = async (file, args, extraEnv = {}) => {
    const samples = [];
    for (let run = 0; run < 7; run += 1) {
      const begin = performance.now();
      await execFileAsync(file, args, { env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
      samples.push(performance.now() - begin);
    }
    samples.sort((a, b) => a - b);
    return samples[3];
  };
  const bare = await time(process.execPath, ['-e', '0']);
  const version = await time(process.execPath, [path.join(root, 'bin/doccat.js'), '--version']);
  const cold = await time(process.execPath, [path.join(root, 'bin/doccat.js'), 'search', 'invoice payment', '--json']);
  line('node -e 0 (baseline)', `${bare.toFixed(0)} ms`);
  line('doccat --version', `${version.toFixed(0)} ms (+${(version - bare).toFixed(0)} ms, ${(version / bare).toFixed(2)}x)`);
  line('doccat search "invoice payment" --json', `${cold.toFixed(0)} ms (+${(cold - bare).toFixed(0)} ms, ${(cold / bare).toFixed(2)}x)`);
  if (process.env.DOCCAT_BENCH_KEEP) console.log(`kept ${dir}`); else fs.rmSync(dir, { recursive: true, force: true });
}

async function benchClassify() {
  const count = 500;
  const concurrency = 8;
  const latencyMs = 200;
  const { startFakeProviders } = await import('../test/support/fake-providers.mjs');
  const { AiClassificationService } = await import('../dist/classify/service.js');
  const { LocalClassifier } = await import('../dist/classify/providers/local.js');
  const { classificationRecords } = await import('../dist/cli/classifier.js');
  const { AiRecordRepository } = await import('../dist/db/ai-records.js');
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { configSchema } = await import('../dist/config/schema.js');
  const { default: OpenAI } = await import('openai');
  const { pino } = await import('pino');
  const fake = await startFakeProviders();
  fake.setDefault('openai', { kind: 'stall', ms: latencyMs });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-classify-'));
  const catalog = await openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000 });
  const texts = Array.from({ length: count }, (_, index) => `INVOICE ${index}\nACME Corporation\nTotal due: ${(index * 3.1).toFixed(2)} EUR\n${'Line item with a description of the goods delivered. '.repeat(40)}`);
  console.log(`\nClassify: ${count} documents, one OpenAI-compatible provider answering in ${latencyMs} ms, ${concurrency} at a time`);

  // Baseline: the same requests straight through the SDK, no service around it.
  const client = new OpenAI({ apiKey: 'bench', baseURL: `${fake.url}/v1`, maxRetries: 0 });
  let started = performance.now();
  await mapLimit(texts, concurrency, (text) => client.chat.completions.create({ model: 'gpt-5.6-luna', messages: [{ role: 'user', content: text }], response_format: { type: 'json_object' } }));
  const directSeconds = (performance.now() - started) / 1000;

  const config = configSchema.parse({ ai: { providers: [{ name: 'bench', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, maxConcurrency: concurrency }] } });
  const service = new AiClassificationService({
    ai: config.ai,
    taxonomy: { types: ['invoice', 'receipt', 'letter', 'other'], tags: ['finance'], correspondents: [] },
    local: new LocalClassifier(config.classify),
    records: classificationRecords(new AiRecordRepository(catalog.db)),
    logger: pino({ level: 'silent' }),
    env: {},
  });
  const input = (text) => ({ text, mime: 'text/plain', fileName: 'bench.txt', metadata: {} });
  started = performance.now();
  const results = await mapLimit(texts, concurrency, (text) => service.classify(input(text)));
  const serviceSeconds = (performance.now() - started) / 1000;
  const byProvider = results.filter((result) => result.classifier === 'bench').length;
  started = performance.now();
  await mapLimit(texts, concurrency, (text) => service.classify(input(text)));
  const cachedSeconds = (performance.now() - started) / 1000;
  await catalog.close();
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });

  line('ideal at this concurrency', `${(concurrency / (latencyMs / 1000)).toFixed(1)} docs/s`);
  line('baseline: SDK calls alone', `${(count / directSeconds).toFixed(1)} docs/s (${directSeconds.toFixed(2)} s)`);
  line('doccat AI service', `${(count / serviceSeconds).toFixed(1)} docs/s (${serviceSeconds.toFixed(2)} s, ${byProvider}/${count} answered by the provider)`);
  line('ratio service / baseline', `${(directSeconds / serviceSeconds).toFixed(3)}x`);
  line('service overhead per call', `${(((serviceSeconds - directSeconds) * 1000 * concurrency) / count).toFixed(1)} ms (prompt, parse, validate, cache and call record in SQLite, local facts)`);
  line('same 500 again (answers cached)', `${(count / cachedSeconds).toFixed(0)} docs/s, 0 calls`);
}

async function benchStorage() {
  const { startS3 } = await import('../test/support/s3.mjs');
  const { createBlobStore } = await import('../dist/storage/registry.js');
  const { configSchema } = await import('../dist/config/schema.js');
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await startS3(['bench']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-storage-'));
  const { storage } = configSchema.parse({ storage: { backends: { disk: { type: 'local', path: path.join(dir, 'store') }, cloud: s3.backend('bench') } } });
  const setup = { storage, blobDir: path.join(dir, 'blobs'), catalogDir: dir, env: s3.env };
  // Typed from src: what the checker infers from dist's JavaScript misses that every backend returns a store.
  const local = /** @type {import('../src/storage/blob-store.js').BlobStore} */ (await createBlobStore('disk', setup));
  const cloud = /** @type {import('../src/storage/blob-store.js').BlobStore} */ (await createBlobStore('cloud', setup));
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  console.log('\nStorage: put of one file, median of 5, each against a plain baseline measured in the same run (s3rver on 127.0.0.1)');
  const median = async (runs, fn) => {
    const samples = [];
    for (let run = 0; run < runs; run += 1) {
      const begin = performance.now();
      await fn(run);
      samples.push(performance.now() - begin);
    }
    return samples.sort((a, b) => a - b)[Math.floor(runs / 2)] / 1000;
  };
  for (const megabytes of [1, 50]) {
    // Distinct content per run: a blob already stored would be skipped, not written.
    const files = Array.from({ length: 5 }, (_, run) => {
      const file = path.join(dir, `in-${megabytes}-${run}.bin`);
      fs.writeFileSync(file, crypto.randomBytes(megabytes * 1024 * 1024));
      return { file, sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
    });
    const rate = (seconds) => `${(megabytes / seconds).toFixed(0)} MB/s`;
    const copy = await median(5, (run) => fs.promises.copyFile(files[run].file, path.join(dir, `copy-${megabytes}-${run}.bin`)));
    const putLocal = await median(5, (run) => local.putFile(files[run].file, files[run].sha));
    line(`${megabytes} MB, baseline fs.copyFile`, rate(copy));
    line(`${megabytes} MB, doccat local put`, `${rate(putLocal)} (overhead ${(putLocal / copy).toFixed(2)}x: sha256, fsync, rename)`);
    const bare = await median(5, (run) => client.send(new PutObjectCommand({ Bucket: 'bench', Key: `bare/${megabytes}-${run}`, Body: fs.readFileSync(files[run].file) })));
    const putCloud = await median(5, (run) => cloud.putFile(files[run].file, files[run].sha));
    line(`${megabytes} MB, baseline bare SDK PutObject`, rate(bare));
    line(`${megabytes} MB, doccat s3 put`, `${rate(putCloud)} (overhead ${(putCloud / bare).toFixed(2)}x: streamed multipart, sha256, head first)`);
  }
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchDb() {
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
    console.log('  SQLite as doccat opens it: WAL, synchronous=NORMAL (a commit survives a crash of doccat; the last ones may be lost on power loss)');
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
    line('ratio Postgres / SQLite, ingest', `${(rate.Postgres / rate.SQLite).toFixed(2)}x (Postgres durable, SQLite WAL NORMAL)`);
    // The same promise as SQLite's WAL NORMAL: commits may be lost on power loss, never corrupted.
    const relaxed = new URL(await createDatabase(server.url, 'doccat_bench_relaxed'));
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${relaxed.pathname.slice(1)} SET synchronous_commit = off`);
    await admin.end();
    const started = performance.now();
    await execFileAsync(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--json', '--quiet'], { env: { ...process.env, DOCCAT_HOME: path.join(dir, 'home-pg-relaxed'), DOCCAT_DATABASE_URL: relaxed.toString() }, maxBuffer: 64 * 1024 * 1024 });
    const relaxedRate = 300 / ((performance.now() - started) / 1000);
    line('Postgres: ingest, synchronous_commit=off', `${relaxedRate.toFixed(1)} docs/s (SQLite's guarantee; ratio to SQLite ${(relaxedRate / rate.SQLite).toFixed(2)}x)`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function benchWatch() {
  const { spawn } = await import('node:child_process');
  const stableMs = 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-watch-'));
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  const child = spawn(process.execPath, [path.join(root, 'bin/doccat.js'), 'watch', inbox, '--ndjson', '--stable', String(stableMs)], { env: { ...process.env, DOCCAT_HOME: path.join(dir, 'home') }, stdio: ['ignore', 'pipe', 'ignore'] });
  const done = new Map();
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (event.event === 'done') done.set(path.basename(event.path), Date.parse(event.at));
    }
  });
  const waitFor = async (names) => {
    while (!names.every((name) => done.has(name))) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await new Promise((resolve) => setTimeout(resolve, 1500));
  console.log(`\nWatch: one doccat watch process, --stable ${stableMs} ms, small text files`);
  // Paced drops: the time from a file's last write to its committed row, minus the stability wait.
  const written = new Map();
  for (let index = 0; index < 200; index += 1) {
    const name = `paced-${index}.txt`;
    fs.writeFileSync(path.join(inbox, name), `Paced document ${index}. ${'Some words to index. '.repeat(20)}`);
    written.set(name, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await waitFor([...written.keys()]);
  const latencies = [...written.entries()].map(([name, at]) => done.get(name) - at - stableMs);
  line('write to committed row (minus stability wait)', `p50 ${percentile(latencies, 50)} ms · p95 ${percentile(latencies, 95)} ms (200 files, one every 25 ms)`);
  // A burst: 500 files at once.
  const burst = Array.from({ length: 500 }, (_, index) => `burst-${index}.txt`);
  const started = Date.now();
  for (const name of burst) fs.writeFileSync(path.join(inbox, name), `Burst document ${name}. ${'Some words to index. '.repeat(20)}`);
  await waitFor(burst);
  const seconds = (Math.max(...burst.map((name) => done.get(name))) - started) / 1000;
  line('burst of 500 files', `${(500 / seconds).toFixed(1)} files/s (${seconds.toFixed(1)} s, including the ${stableMs} ms stability wait)`);
  child.kill('SIGINT');
  await new Promise((resolve) => child.on('close', resolve));
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * `doccat stats` on a year of busy use: 200k ingest events and 50k provider calls in SQLite. The
 * baseline is the least any report needs: one pass reading every event row into memory.
 */
async function benchStats() {
  const events = 200_000;
  const calls = 50_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-stats-'));
  const file = path.join(dir, 'catalog.db');
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { catalogueStats } = await import('../dist/db/stats.js');
  const { default: Database } = await import('better-sqlite3');
  (await openSqliteDatabase({ path: file, busyTimeoutMs: 5000 })).close();
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  const insertEvent = sqlite.prepare(`INSERT INTO ingest_events (at, started_at, run_id, correlation_id, status, document_id, error_code, mime, method, bytes, pages, ocr_pages, total_ms, sniff_ms, hash_ms, extract_ms, ocr_ms, classify_ms, store_ms, commit_ms)
    VALUES (?, ?, ?, ?, ?, NULL, ?, 'application/pdf', 'text-layer', 50000, 2, ?, ?, 1.2, 0.8, ?, ?, 3.1, 4.2, 1.1)`);
  const insertCall = sqlite.prepare(`INSERT INTO ai_calls (at, provider, model, key_id, latency_ms, input_tokens, output_tokens, cost_usd, outcome, error_code, correlation_id) VALUES (?, ?, 'm', 'env:K#abcdef', ?, 900, 120, 0.0004, ?, NULL, ?)`);
  const start = Date.parse('2026-01-01T00:00:00Z');
  sqlite.transaction(() => {
    for (let index = 0; index < events; index += 1) {
      const begin = start + index * 150_000;
      const ocr = index % 5 === 0;
      insertEvent.run(new Date(begin + 900).toISOString(), new Date(begin).toISOString(), `run-${Math.floor(index / 500)}`, `c-${index}`, index % 50 === 0 ? 'failed' : 'catalogued', index % 50 === 0 ? 'E_PDF_CORRUPT' : null, ocr ? 2 : 0, 900, 40 + (index % 97), ocr ? 700 + (index % 311) : null);
    }
    for (let index = 0; index < calls; index += 1) insertCall.run(new Date(start + index * 600_000).toISOString(), index % 3 === 0 ? 'gpt' : 'claude', 200 + (index % 400), index % 40 === 0 ? 'error' : 'ok', `c-${index}`);
  })();
  sqlite.close();
  console.log(`\nStats: ${events} ingest events and ${calls} provider calls (SQLite), median of 5`);
  const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 5000, readonly: true });
  const median = async (fn) => {
    const times = [];
    for (let run = 0; run < 5; run += 1) {
      const begin = performance.now();
      await fn();
      times.push(performance.now() - begin);
    }
    return times.sort((a, b) => a - b)[2];
  };
  const reader = new Database(file, { readonly: true });
  const baseline = await median(async () => reader.prepare('SELECT * FROM ingest_events').all().length);
  const all = await median(() => catalogueStats(catalog.db, { budgets: { gpt: 1_000_000 } }));
  const month = await median(() => catalogueStats(catalog.db, { since: '2026-06-01T00:00:00.000Z', budgets: { gpt: 1_000_000 } }));
  reader.close();
  await catalog.close();
  line('doccat stats, all time', `${all.toFixed(0)} ms`);
  line('doccat stats --since 2026-06-01 (56% of events)', `${month.toFixed(0)} ms`);
  line('baseline: read every event row once', `${baseline.toFixed(0)} ms`);
  line('ratio all time / baseline', `${(all / baseline).toFixed(2)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * What an onDocument hook costs per document: the same ingest of small text files with no hook,
 * with a webhook to a receiver on 127.0.0.1 and with a shell command, each a whole process from
 * start to exit (hooks still queued at the end are waited for), the median of three runs on new
 * catalogues. Also each delivery's own time, from `doccat stats`.
 */
async function benchHooks() {
  const http = await import('node:http');
  const count = 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-hooks-'));
  const inputs = path.join(dir, 'inputs');
  fs.mkdirSync(inputs);
  for (let index = 0; index < count; index += 1) fs.writeFileSync(path.join(inputs, `note-${index}.txt`), `Note ${index}. ${'Some words to index for the hook benchmark. '.repeat(20)}`);
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.end('ok');
    });
  });
  await /** @type {Promise<void>} */ (new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/doccat`;
  const variants = { 'no hook': [], webhook: [url], 'command (cat > /dev/null)': ['cat > /dev/null'] };
  console.log(`\nHooks: ingest of ${count} small text files (-j 2), with one onDocument hook or none; whole processes, median of 3`);
  const results = {};
  for (const [name, onDocument] of Object.entries(variants)) {
    const times = [];
    let delivery = '';
    for (let round = 0; round < 3; round += 1) {
      const home = path.join(dir, `home-${Object.keys(results).length}-${round}`);
      fs.mkdirSync(home);
      const config = path.join(home, 'doccat.config.json');
      fs.writeFileSync(config, JSON.stringify({ hooks: { onDocument } }));
      const env = { ...process.env, DOCCAT_HOME: home, DOCCAT_FEATURES_AI: 'false' };
      times.push((await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--quiet', '--jobs', '2', '--config', config], { env })).seconds);
      if (onDocument.length > 0) {
        const stats = JSON.parse((await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), 'stats', '--json', '--config', config], { env })).stdout);
        const hook = stats.hooks[0];
        delivery = `each delivery p50 ${hook.p50Ms} ms, p95 ${hook.p95Ms} ms (${hook.delivered} delivered, ${hook.failed} failed)`;
      }
    }
    results[name] = times.sort((a, b) => a - b)[1];
    line(`ingest, ${name}`, `${results[name].toFixed(2)} s${delivery ? `; ${delivery}` : ''}`);
  }
  const base = results['no hook'];
  for (const name of ['webhook', 'command (cat > /dev/null)']) line(`added per document, ${name}`, `${(((results[name] - base) / count) * 1000).toFixed(2)} ms (${((results[name] / base - 1) * 100).toFixed(1)}% of the run)`);
  line('webhook requests received', `${received} (expected ${count * 3})`);
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A CI artifact folder: 1,000 files, about 2 GB, mostly binary (random payloads, which neither
 * side can compress or skip), with executables, tar.gz and zip archives, wheels, npm tarballs,
 * SBOMs and JUnit reports among them. doccat catalogues it in CI mode (GitHub Actions
 * provenance) against `sha256sum` of every file plus `cp -r` of the folder, the least a
 * pipeline step that checksums and stores its artifacts does; both read the same files from the
 * page cache in the same run.
 */
async function benchArtifacts() {
  const { zipSync, strToU8 } = await import('fflate');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-artifacts-'));
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(dist);
  let bytes = 0;
  const write = (name, content) => {
    fs.writeFileSync(path.join(dist, name), content);
    bytes += content.length;
  };
  const systemBinaries = ['/usr/bin/ls', '/usr/bin/grep', '/usr/bin/tar', '/usr/bin/find', '/usr/bin/sort'].filter((file) => fs.existsSync(file));
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  let count = 0;
  for (let index = 0; count < 1000; index += 1) {
    const kind = index % 50;
    if (kind < 44) {
      // 0.5 to 3.5 MB of random bytes: builds, images, blobs.
      write(`blob-${index}.bin`, crypto.randomBytes(512 * 1024 + ((index * 7919) % 3072) * 1024));
    } else if (kind === 44 && systemBinaries.length > 0) {
      write(`tool-${index}`, Buffer.concat([fs.readFileSync(systemBinaries[index % systemBinaries.length]), crypto.randomBytes(64)]));
    } else if (kind === 45) {
      const folder = path.join(work, `pkg-${index}`);
      fs.mkdirSync(folder);
      for (let file = 0; file < 20; file += 1) fs.writeFileSync(path.join(folder, `part-${file}.dat`), crypto.randomBytes(150 * 1024));
      spawnSync('tar', ['-czf', path.join(dist, `bundle-${index}.tar.gz`), '-C', work, `pkg-${index}`], { env: { ...process.env, GZIP: '-1' } });
      bytes += fs.statSync(path.join(dist, `bundle-${index}.tar.gz`)).size;
    } else if (kind === 46) {
      const files = {};
      for (let file = 0; file < 30; file += 1) files[`assets/${file}.png`] = new Uint8Array(crypto.randomBytes(100 * 1024));
      write(`site-${index}.zip`, Buffer.from(zipSync(files, { level: 0 })));
    } else if (kind === 47) {
      write(`pkg${index}-1.0.0-py3-none-any.whl`, Buffer.from(zipSync({ [`pkg${index}/__init__.py`]: strToU8('x = 1\n'), [`pkg${index}/data.bin`]: new Uint8Array(crypto.randomBytes(400 * 1024)), [`pkg${index}-1.0.0.dist-info/METADATA`]: strToU8(`Metadata-Version: 2.1\nName: pkg${index}\nVersion: 1.0.0\n`) }, { level: 0 })));
    } else if (kind === 48) {
      write(`sbom-${index}.cdx.json`, Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { name: `app-${index}`, version: '1.0.0' } }, components: Array.from({ length: 500 }, (_, item) => ({ name: `lib${item}`, version: `1.${item}.0`, purl: `pkg:npm/lib${item}@1.${item}.0` })) })));
    } else {
      write(`junit-${index}.xml`, Buffer.from(`<?xml version="1.0"?>\n<testsuites>${Array.from({ length: 20 }, (_, suite) => `<testsuite name="s${suite}" tests="50" failures="${suite % 3}" errors="0" skipped="1">${Array.from({ length: 50 }, (_, test) => `<testcase classname="s${suite}" name="t${test}"/>`).join('')}</testsuite>`).join('')}</testsuites>\n`));
    }
    count += 1;
  }
  const megabytes = bytes / 1024 / 1024;
  console.log(`\nArtifacts: ${count} files, ${megabytes.toFixed(0)} MB, ${cores} cores; page cache warm for both sides`);
  // The baseline: checksums of every file, then a copy of the folder.
  const copy = path.join(dir, 'copy');
  const baselineStarted = performance.now();
  const sums = spawnSync('sh', ['-c', `cd '${dist}' && find . -type f -print0 | xargs -0 -P ${cores} -n 100 sha256sum > '${path.join(dir, 'SUMS')}' && cp -r '${dist}' '${copy}'`]);
  if (sums.status !== 0) throw new Error(`baseline failed: ${sums.stderr}`);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const home = path.join(dir, 'home');
  const env = { ...process.env, DOCCAT_HOME: home, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'a'.repeat(40), GITHUB_REF: 'refs/heads/main', GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1' };
  const doccat = await timeProcess(process.execPath, [path.join(root, 'bin', 'doccat.js'), 'ingest', dist, '--json', '--quiet'], { env, cwd: dir });
  const report = JSON.parse(doccat.stdout);
  line('doccat ingest (CI mode)', `${doccat.seconds.toFixed(1)} s, ${(megabytes / doccat.seconds).toFixed(0)} MB/s (${report.summary.catalogued} catalogued, ${report.summary.failed} failed)`);
  line('baseline: sha256sum -P cores + cp -r', `${baselineSeconds.toFixed(1)} s, ${(megabytes / baselineSeconds).toFixed(0)} MB/s`);
  line('ratio doccat / baseline throughput', `${(baselineSeconds / doccat.seconds).toFixed(2)}x (goal >= 0.5x)`);
  const again = await timeProcess(process.execPath, [path.join(root, 'bin', 'doccat.js'), 'ingest', dist, '--json', '--quiet'], { env: { ...env, GITHUB_RUN_ID: '2', GITHUB_SHA: 'b'.repeat(40) }, cwd: dir });
  line('doccat ingest again, next run (all unchanged)', `${again.seconds.toFixed(1)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * The scale curve: one SQLite and one Postgres catalogue grown in steps (10k, 100k and, with
 * --1m, 1M synthetic documents), measured at each: load rate, the query mix per form, size on
 * disk per document, and `doccat stats` / `doccat list` as a user runs them (the whole process).
 */
async function benchScale() {
  const sizes = (process.env.DOCCAT_BENCH_SCALE ?? '10000,100000').split(',').map(Number);
  if (process.argv.includes('--1m') && !sizes.includes(1_000_000)) sizes.push(1_000_000);
  const { startPostgres, createDatabase } = await import('../test/support/postgres.mjs');
  const { openSqliteDatabase, openPostgresDatabase } = await import('../dist/db/database.js');
  const server = await startPostgres({ durable: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-scale-'));
  const file = path.join(dir, 'catalog.db');
  const rows = [];
  try {
    const url = await createDatabase(server.url, 'doccat_scale');
    const durability = await postgresDurability(url);
    console.log(`\nScale: ${sizes.join(', ')} synthetic documents; Postgres fsync=${durability.fsync}, synchronous_commit=${durability.synchronousCommit}; SQLite WAL`);
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

if (wanted.includes('startup')) await benchStartup();
if (wanted.includes('search')) await benchSearch();
if (wanted.includes('stats')) await benchStats();
if (wanted.includes('watch')) await benchWatch();
if (wanted.includes('db')) await benchDb();
if (wanted.includes('scale')) await benchScale();
if (wanted.includes('storage')) await benchStorage();
if (wanted.includes('classify')) await benchClassify();
if (wanted.includes('classify-quality')) await (await import('./classify-quality.mjs')).benchClassifyQuality(root);
if (wanted.includes('ocr')) await benchOcr({ root, corpus, cores });
if (wanted.includes('ocr-memory')) await benchOcrMemory({ root });
if (wanted.includes('ingest')) await benchIngest();
if (wanted.includes('hooks')) await benchHooks();
if (wanted.includes('artifacts')) await benchArtifacts();
