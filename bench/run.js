#!/usr/bin/env node
// Benchmarks (not tests): `npm run bench -- search`, `-- stats`, `-- db`, `-- classify`, `-- storage`, `-- watch`, `-- ocr`, `-- ocr-memory`, `-- ingest`, or all of them.
// Each prints doccat's figure next to a baseline measured in the same run, and their ratio.
import { execFile } from 'node:child_process';
import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTextPdf } from '../test/support/pdf-writer.mjs';
import { benchOcr, benchOcrMemory } from './ocr.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus');
const cores = os.availableParallelism();
const which = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const wanted = which.length > 0 ? which : ['search', 'stats', 'db', 'classify', 'storage', 'watch', 'ocr', 'ingest'];

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  const results = [];
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  }));
  return results;
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

/** The same synthetic paperwork for every catalogue a benchmark fills, generated from a fixed seed. */
function* syntheticDocuments(count) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  // Zipf-distributed general vocabulary (stop words first), plus words that belong to a type:
  // "invoice" is frequent in invoices and rare elsewhere, as in real paperwork.
  const stopWords = 'the of and to in for on with your this that from by is are be at as we you it not or have will an'.split(' ');
  const vocabulary = [...stopWords, ...Array.from({ length: 30_000 }, (_, index) => `w${index.toString(36)}`)];
  const zipfTotal = vocabulary.reduce((sum, _, rank) => sum + 1 / (rank + 1), 0);
  const cumulative = [];
  vocabulary.reduce((sum, _, rank) => (cumulative.push((sum + 1 / (rank + 1)) / zipfTotal), sum + 1 / (rank + 1)), 0);
  const zipfWord = () => {
    const target = random();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return vocabulary[low];
  };
  const domain = {
    invoice: 'invoice total due payment terms amount vat number customer order',
    receipt: 'receipt paid amount card thank purchase store total change',
    letter: 'dear sincerely regards letter reply request information meeting',
    contract: 'agreement contract parties terms termination effective clause signed',
    'bank-statement': 'statement balance account opening closing transfer payment bank',
    tax: 'tax return income deduction year office assessment refund',
    insurance: 'insurance policy premium insured claim coverage renewal',
    report: 'report summary findings analysis results quarter meeting',
    other: 'notes list information misc',
  };
  const types = Object.keys(domain);
  const domainWords = Object.fromEntries(Object.entries(domain).map(([type, words]) => [type, words.split(' ')]));
  const documentText = (type, length) => Array.from({ length }, () => (random() < 0.08 ? domainWords[type][Math.floor(random() * domainWords[type].length)] : zipfWord())).join(' ');
  const correspondents = ['ACME GmbH', 'Müller AG', 'Northwind Traders Ltd.', 'City Council', 'Safe Insurance Ltd', 'First Bank', null];
  for (let index = 0; index < count; index += 1) {
    const length = Math.floor(40 + Math.exp(random() * 7)); // 40 to ~1100 words, most short
    const type = types[index % types.length];
    const text = documentText(type, length);
    const title = `${type} ${zipfWord()} ${zipfWord()}`;
    const tags = random() < 0.3 ? ['tax'] : random() < 0.5 ? ['home', 'work'] : [];
    const date = `${2015 + Math.floor(random() * 10)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const correspondent = correspondents[index % correspondents.length];
    const sha = createHash('sha256').update(String(index)).digest('hex');
    const added = new Date(Date.now() - index * 60_000).toISOString();
    yield { index, length, type, text, title, tags, date, correspondent, sha, added, source: `/archive/${2015 + (index % 10)}/doc-${index}.pdf` };
  }
}

/** Creates the schema through doccat, then bulk-loads the synthetic rows in one transaction. */
async function loadSqlite(file, count) {
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { default: Database } = await import('better-sqlite3');
  const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 5000 });
  await catalog.close();
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  const insertDocument = sqlite.prepare(`INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, language, ocr_confidence, type, title, tags, document_date, correspondent, class_confidence, class_rule, classifier, fields, warnings, text, added_at, updated_at)
    VALUES (?, 1000, 'application/pdf', ?, 'local', ?, 'text-layer', 1, ?, 'en', NULL, ?, ?, ?, ?, ?, 0.8, 'bench', 'local', '{}', '[]', ?, ?, ?)`);
  const insertFts = sqlite.prepare('INSERT INTO documents_fts (rowid, title, tags, correspondent, body) VALUES (?, ?, ?, ?, ?)');
  const insertTag = sqlite.prepare('INSERT INTO document_tags (document_id, tag) VALUES (?, ?)');
  const insertSource = sqlite.prepare(`INSERT INTO sources (path, document_id, sha256, size, mtime_ms, status, run_id, first_seen, last_seen) VALUES (?, ?, ?, 1000, 0, 'catalogued', 'bench', ?, ?)`);
  const started = performance.now();
  sqlite.transaction(() => {
    for (const doc of syntheticDocuments(count)) {
      const { lastInsertRowid } = insertDocument.run(doc.sha, `doc-${doc.index}.pdf`, `sha256/${doc.sha}`, doc.length, doc.type, doc.title, JSON.stringify(doc.tags), doc.date, doc.correspondent, doc.text, doc.added, doc.added);
      insertFts.run(lastInsertRowid, doc.title, doc.tags.join(' '), doc.correspondent ?? '', doc.text);
      for (const tag of doc.tags) insertTag.run(lastInsertRowid, tag);
      insertSource.run(doc.source, lastInsertRowid, doc.sha, doc.added, doc.added);
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  return (performance.now() - started) / 1000;
}

/** The same rows into a Postgres catalogue, in batches, with the tsvector doccat would write. */
async function loadPostgres(url, count) {
  const { openPostgresDatabase } = await import('../dist/db/database.js');
  const { searchTokens } = await import('../dist/text/fold.js');
  const { default: pg } = await import('pg');
  const catalog = await openPostgresDatabase({ url, poolSize: 2, statementTimeoutMs: 0 });
  await catalog.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  const words = (text) => searchTokens(text).join(' ');
  let batch = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = [];
    const rows = batch.map((doc, row) => {
      const base = row * 9;
      values.push(doc.sha, `doc-${doc.index}.pdf`, doc.length, doc.type, doc.title, JSON.stringify(doc.tags), doc.date, doc.correspondent, doc.text);
      return `($${base + 1}, 1000, 'application/pdf', $${base + 2}, 'local', 'sha256/' || $${base + 1}, 'text-layer', 1, $${base + 3}, 'en', NULL, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}, 0.8, 'bench', 'local', '{}', '[]', $${base + 9}, '${doc.added}', '${doc.added}')`;
    });
    await client.query('BEGIN');
    const inserted = await client.query(`INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, language, ocr_confidence, type, title, tags, document_date, correspondent, class_confidence, class_rule, classifier, fields, warnings, text, added_at, updated_at) VALUES ${rows.join(', ')} RETURNING id`, values);
    const ids = inserted.rows.map((row) => Number(row.id));
    const fts = [];
    const ftsValues = [];
    batch.forEach((doc, row) => {
      const base = row * 5;
      ftsValues.push(ids[row], words(doc.title), words(doc.tags.join(' ')), words(doc.correspondent ?? ''), words(doc.text));
      fts.push(`($${base + 1}::bigint, setweight(to_tsvector('simple', $${base + 2}), 'A') || setweight(to_tsvector('simple', $${base + 3}), 'B') || setweight(to_tsvector('simple', $${base + 4}), 'C') || setweight(to_tsvector('simple', $${base + 5}), 'D'))`);
    });
    await client.query(`INSERT INTO documents_fts (document_id, tsv) VALUES ${fts.join(', ')}`, ftsValues);
    const tagRows = batch.flatMap((doc, row) => doc.tags.map((tag) => [ids[row], tag]));
    if (tagRows.length > 0) await client.query(`INSERT INTO document_tags (document_id, tag) VALUES ${tagRows.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2})`).join(', ')}`, tagRows.flat());
    await client.query(`INSERT INTO sources (path, document_id, sha256, size, mtime_ms, status, run_id, first_seen, last_seen) VALUES ${batch.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, 1000, 0, 'catalogued', 'bench', $${i * 4 + 4}, $${i * 4 + 4})`).join(', ')}`, batch.flatMap((doc, row) => [doc.source, ids[row], doc.sha, doc.added]));
    await client.query('COMMIT');
    batch = [];
  };
  for (const doc of syntheticDocuments(count)) {
    batch.push(doc);
    if (batch.length === 500) await flush();
  }
  await flush();
  await client.query('ANALYZE');
  await client.end();
  return (performance.now() - started) / 1000;
}

const QUERY_MIX = ['invoice', 'payment due', '"total due"', 'insur*', 'tax OR premium', 'invoice -renewal', 'type:invoice', 'tag:tax date:2020', 'correspondent:acme invoice', 'after:2023-01-01 before:2023-07-01 receipt', 'w1a2', 'w3fa OR w9ke', 'muller', 'path:*/2019/* statement'];

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

/** The query mix, 20 timed rounds after one warm-up, four in five by relevance and one by date. */
async function measureQueries(db) {
  const { parseQuery } = await import('../dist/db/query-parser.js');
  const { searchDocuments } = await import('../dist/db/search.js');
  const run = async (query, sort) => {
    const begin = performance.now();
    await searchDocuments(db, { tree: parseQuery(query), limit: 20, offset: 0, sort });
    return performance.now() - begin;
  };
  const latencies = [];
  const perForm = new Map();
  for (let round = 0; round < 21; round += 1) {
    for (const query of QUERY_MIX) {
      const sort = round % 5 === 4 ? 'date' : 'relevance';
      const elapsed = await run(query, sort);
      if (round === 0) continue;
      latencies.push(elapsed);
      const key = `${query} [${sort}]`;
      perForm.set(key, [...(perForm.get(key) ?? []), elapsed]);
    }
  }
  const worst = [];
  for (let round = 0; round < 7; round += 1) worst.push(await run('the', 'relevance'));
  const slowest = [...perForm.entries()].map(([key, values]) => [key, percentile(values, 50)]).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return { latencies, slowest, worst: percentile(worst, 50) };
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
  const local = await createBlobStore('disk', setup);
  const cloud = await createBlobStore('cloud', setup);
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

/** What the server promises about a commit, read from the server itself. */
async function postgresDurability(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const setting = async (name) => (await client.query(`SHOW ${name}`)).rows[0][name];
    return { fsync: await setting('fsync'), synchronousCommit: await setting('synchronous_commit') };
  } finally {
    await client.end();
  }
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
    for (const [name, open] of [['SQLite', () => openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000, readonly: true })], ['Postgres', () => openPostgresDatabase({ url, poolSize: 2, statementTimeoutMs: 0 })]]) {
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
    for (const [name, extra] of [['SQLite', { DOCCAT_HOME: path.join(dir, 'home-sqlite') }], ['Postgres', { DOCCAT_HOME: path.join(dir, 'home-pg'), DOCCAT_DATABASE_URL: await createDatabase(server.url, 'doccat_bench_ingest') }]]) {
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

if (wanted.includes('search')) await benchSearch();
if (wanted.includes('stats')) await benchStats();
if (wanted.includes('watch')) await benchWatch();
if (wanted.includes('db')) await benchDb();
if (wanted.includes('storage')) await benchStorage();
if (wanted.includes('classify')) await benchClassify();
if (wanted.includes('ocr')) await benchOcr({ root, corpus, cores });
if (wanted.includes('ocr-memory')) await benchOcrMemory({ root });
if (wanted.includes('ingest')) await benchIngest();
