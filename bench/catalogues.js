// @ts-check
// The synthetic catalogues the database benchmarks fill (`npm run bench -- search`, `db`, `scale`):
// the same paperwork from a fixed seed, loaded into SQLite and Postgres as doccat would write it,
// and the search query mix measured on them.
import { createHash } from 'node:crypto';

/**
 * The same synthetic paperwork for every catalogue a benchmark fills, generated from a fixed seed.
 * Documents before `from` are generated and dropped, so a catalogue grown in steps holds the
 * same documents as one loaded at once.
 */
export function* syntheticDocuments(count, from = 0) {
  // mulberry32: a linear congruential generator here (seed * 1103515245 + 12345 mod 2^31) put its
  // consecutive draws on a few planes, so a document's date followed from the draw before it: 85
  // distinct dates in all, and a word such as w1a2 on two dates only, which made date order a
  // benchmark of ties and of those words' places in it rather than of a catalogue.
  let seed = 7;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Zipf-distributed general vocabulary (stop words first), plus words that belong to a type:
  // "invoice" is frequent in invoices and rare elsewhere, as in real paperwork.
  const stopWords = 'the of and to in for on with your this that from by is are be at as we you it not or have will an'.split(' ');
  const vocabulary = [...stopWords, ...Array.from({ length: 30_000 }, (_, index) => `w${index.toString(36)}`)];
  const zipfTotal = vocabulary.reduce((sum, _, rank) => sum + 1 / (rank + 1), 0);
  const cumulative = [];
  vocabulary.reduce((sum, _, rank) => {
    cumulative.push((sum + 1 / (rank + 1)) / zipfTotal);
    return sum + 1 / (rank + 1);
  }, 0);
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
    if (index < from) continue;
    yield { index, length, type, text, title, tags, date, correspondent, sha, added, source: `/archive/${2015 + (index % 10)}/doc-${index}.pdf` };
  }
}

/** Creates the schema through doccat, then bulk-loads the synthetic rows in one transaction. */
export async function loadSqlite(file, count, from = 0) {
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { default: Database } = await import('better-sqlite3');
  const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 5000 });
  await catalog.close();
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  const insertDocument = sqlite.prepare(`INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, language, ocr_confidence, type, title, tags, document_date, correspondent, class_confidence, class_rule, classifier, fields, warnings, text, added_at, updated_at)
    VALUES (?, 1000, 'application/pdf', ?, 'local', ?, 'text-layer', 1, ?, 'en', NULL, ?, ?, ?, ?, ?, 0.8, 'bench', 'local', '{}', '[]', ?, ?, ?)`);
  const insertFts = sqlite.prepare('INSERT INTO documents_fts (rowid, title, tags, correspondent, body) VALUES (?, ?, ?, ?, ?)');
  const insertHead = sqlite.prepare('INSERT INTO documents_fts_head (rowid, title, tags, correspondent) VALUES (?, ?, ?, ?)');
  const insertTag = sqlite.prepare('INSERT INTO document_tags (document_id, tag) VALUES (?, ?)');
  const insertSource = sqlite.prepare(`INSERT INTO sources (path, document_id, sha256, size, mtime_ms, status, run_id, first_seen, last_seen) VALUES (?, ?, ?, 1000, 0, 'catalogued', 'bench', ?, ?)`);
  const started = performance.now();
  sqlite.transaction(() => {
    for (const doc of syntheticDocuments(count, from)) {
      const { lastInsertRowid } = insertDocument.run(doc.sha, `doc-${doc.index}.pdf`, `sha256/${doc.sha}`, doc.length, doc.type, doc.title, JSON.stringify(doc.tags), doc.date, doc.correspondent, doc.text, doc.added, doc.added);
      insertFts.run(lastInsertRowid, doc.title, doc.tags.join(' '), doc.correspondent ?? '', doc.text);
      insertHead.run(lastInsertRowid, doc.title, doc.tags.join(' '), doc.correspondent ?? '');
      for (const tag of doc.tags) insertTag.run(lastInsertRowid, tag);
      insertSource.run(doc.source, lastInsertRowid, doc.sha, doc.added, doc.added);
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  return (performance.now() - started) / 1000;
}

/** The same rows into a Postgres catalogue, in batches, with the tsvector doccat would write. */
export async function loadPostgres(url, count, from = 0) {
  const { openPostgresDatabase } = await import('../dist/db/database.js');
  const { searchTokens } = await import('../dist/text/fold.js');
  const { pairsVector } = await import('../dist/db/search/word-pairs.js');
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
      const base = row * 6;
      ftsValues.push(ids[row], words(doc.title), words(doc.tags.join(' ')), words(doc.correspondent ?? ''), words(doc.text), pairsVector({ title: doc.title, tags: doc.tags, correspondent: doc.correspondent, body: doc.text }));
      fts.push(`($${base + 1}::bigint, setweight(to_tsvector('simple', $${base + 2}), 'A') || setweight(to_tsvector('simple', $${base + 3}), 'B') || setweight(to_tsvector('simple', $${base + 4}), 'C') || setweight(to_tsvector('simple', $${base + 5}), 'D'), $${base + 6}::tsvector)`);
    });
    await client.query(`INSERT INTO documents_fts (document_id, tsv, pairs) VALUES ${fts.join(', ')}`, ftsValues);
    const tagRows = batch.flatMap((doc, row) => doc.tags.map((tag) => [ids[row], tag]));
    if (tagRows.length > 0) await client.query(`INSERT INTO document_tags (document_id, tag) VALUES ${tagRows.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2})`).join(', ')}`, tagRows.flat());
    await client.query(`INSERT INTO sources (path, document_id, sha256, size, mtime_ms, status, run_id, first_seen, last_seen) VALUES ${batch.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, 1000, 0, 'catalogued', 'bench', $${i * 4 + 4}, $${i * 4 + 4})`).join(', ')}`, batch.flatMap((doc, row) => [doc.source, ids[row], doc.sha, doc.added]));
    await client.query('COMMIT');
    batch = [];
  };
  for (const doc of syntheticDocuments(count, from)) {
    batch.push(doc);
    if (batch.length === 500) await flush();
  }
  await flush();
  // As autovacuum leaves a catalogue between ingests: statistics and the visibility map (without
  // it every index-only scan visits the table, which no settled catalogue does).
  await client.query('VACUUM ANALYZE');
  const elapsed = (performance.now() - started) / 1000;
  // And the load's pages on disk, outside the load's time as before: a durable server otherwise
  // writes a bulk load back over the next minutes (a checkpoint spread over 90 % of
  // checkpoint_timeout), and queries measured then wait on that disk, which a settled catalogue's do not.
  await client.query('CHECKPOINT');
  await client.end();
  return elapsed;
}

export const QUERY_MIX = ['invoice', 'payment due', '"total due"', 'insur*', 'tax OR premium', 'invoice -renewal', 'type:invoice', 'tag:tax date:2020', 'correspondent:acme invoice', 'after:2023-01-01 before:2023-07-01 receipt', 'w1a2', 'w3fa OR w9ke', 'muller', 'path:*/2019/* statement'];

export const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

/**
 * The query mix, 20 timed rounds after a warm-up of every form in both orders, four in five by
 * relevance and one by date. The warm-up ran the relevance forms only until 30 November 2026, so
 * each date form's first timed run read its pages from a cold cache: at a million documents, after
 * the other engine's 40-minute load, those 14 runs (5 % of the samples) were the p95 (SQLite 27.6
 * ms, the same forms warm 7-24).
 */
export async function measureQueries(db) {
  const { parseQuery } = await import('../dist/db/search/query-parser.js');
  const { searchDocuments } = await import('../dist/db/search/search.js');
  const run = async (query, sort) => {
    const begin = performance.now();
    await searchDocuments(db, { tree: parseQuery(query), limit: 20, offset: 0, sort });
    return performance.now() - begin;
  };
  const latencies = [];
  const perForm = new Map();
  for (const query of QUERY_MIX) for (const sort of ['relevance', 'date']) await run(query, sort);
  for (let round = 1; round < 21; round += 1) {
    for (const query of QUERY_MIX) {
      const sort = round % 5 === 4 ? 'date' : 'relevance';
      const elapsed = await run(query, sort);
      latencies.push(elapsed);
      const key = `${query} [${sort}]`;
      perForm.set(key, [...(perForm.get(key) ?? []), elapsed]);
    }
  }
  const worst = [];
  for (let round = 0; round < 7; round += 1) worst.push(await run('the', 'relevance'));
  const slowest = [...perForm.entries()].map(([key, values]) => [key, percentile(values, 50)]).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return { latencies, slowest, worst: percentile(worst, 50), perForm };
}

/** Server settings for a catalogue of up to a million documents (docs/scaling.md, "Postgres"). */
export const POSTGRES_SIZING = { shared_buffers: '2GB', max_wal_size: '8GB', checkpoint_timeout: '30min' };

/** What the server promises about a commit, read from the server itself. */
export async function postgresDurability(url) {
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
