import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openSqliteDatabase } from '../../../src/db/database.js';
import type { Database } from '../../../src/db/schema.js';
import { runDoccat, tempDir } from '../../support/cli.js';
import { parseQuery } from '../../../src/db/search/query-parser.js';
import { searchDocuments, type SortOrder } from '../../../src/db/search/search.js';

/**
 * SQLite, with more matches than it reads (db/search/sqlite-many.ts): relevance from bounded walks
 * newest first, the total estimated from the newest matches and said to be one, pages that never
 * overlap, date order as a plain sort gives it. 12,000 rows loaded in SQL as the bench does
 * (committing each through the repository would take minutes), in a real catalogue file.
 */
async function load(db: Kysely<Database>, count: number, row: { title: string; type: string; date: string; text: string }): Promise<void> {
  await sql`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, language, ocr_confidence, type, title, tags, document_date, correspondent, class_confidence, class_rule, classifier, fields, warnings, text, added_at, updated_at)
    SELECT printf('%064d', i), 100, 'application/pdf', 'doc-' || i || '.pdf', 'local', 'sha256/' || i, 'text-layer', 1, 10, 'en', NULL,
      ${sql.raw(row.type)}, ${sql.raw(row.title)}, '[]', ${sql.raw(row.date)}, NULL, 0.5, 'test', 'local', '{}', '[]', ${sql.raw(row.text)},
      strftime('%Y-%m-%dT%H:%M:%S.000Z', '2030-01-01', '+' || i || ' seconds'), '2030-01-01T00:00:00.000Z'
    FROM n`.execute(db);
  await sql`INSERT INTO documents_fts (rowid, title, tags, correspondent, body) SELECT id, title, '', '', text FROM documents`.execute(db);
  await sql`INSERT INTO documents_fts_head (rowid, title, tags, correspondent) SELECT id, title, '', '' FROM documents`.execute(db);
}

describe('SQLite search with very many matches', () => {
  it('ranks title matches first, pages without overlap, says when the total is an estimate, and sorts by date as SQL does', async () => {
    const home = tempDir();
    const file = path.join(home, 'catalog.db');
    const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 5_000 });
    const db = catalog.db;
    const count = 12_000;
    // Every document says "common"; every 100th also has it in its title; every 7th says
    // "sevenword"; every 50th is an invoice. Dates run back one day per document, shuffled in
    // blocks of 1,000 so that date order is not the order of the ids.
    await load(db, count, {
      type: `CASE WHEN i % 50 = 0 THEN 'invoice' ELSE 'other' END`,
      title: `CASE WHEN i % 100 = 0 THEN 'common title ' || i ELSE 'note ' || i END`,
      date: `date('2030-01-01', '-' || ((i * 7919) % 1000 + (i / 1000) * 1000) || ' days')`,
      text: `'common body text ' || CASE WHEN i % 7 = 0 THEN 'sevenword ' ELSE '' END || 'filler words ' || i`,
    });
    const search = (query: string, sort: SortOrder, offset = 0, limit = 20) => searchDocuments(db, { tree: parseQuery(query), limit, offset, sort });

    // Relevance: the 120 title matches come before every body-only match.
    const first = await search('common', 'relevance', 0, 100);
    expect(first.totalIsEstimate).toBe(true);
    expect(first.total).toBeGreaterThan(count * 0.8);
    expect(first.total).toBeLessThan(count * 1.2);
    expect(first.hits.every((hit) => hit.title.startsWith('common title'))).toBe(true);
    const second = await search('common', 'relevance', 100, 100);
    expect(second.hits.slice(0, 20).every((hit) => hit.title.startsWith('common title'))).toBe(true);
    expect(second.hits.slice(20).every((hit) => hit.title.startsWith('note'))).toBe(true);
    // Pages of any size agree on one order: never a hit twice, never one left out.
    const byTwenties = [];
    for (let offset = 0; offset < 200; offset += 20) byTwenties.push(...(await search('common', 'relevance', offset, 20)).hits.map((hit) => hit.id));
    const bySeventies = [];
    for (let offset = 0; offset < 210; offset += 70) bySeventies.push(...(await search('common', 'relevance', offset, 70)).hits.map((hit) => hit.id));
    expect(byTwenties).toEqual([...first.hits, ...second.hits].map((hit) => hit.id));
    expect(bySeventies.slice(0, 200)).toEqual(byTwenties);
    expect(new Set(bySeventies).size).toBe(210);
    expect(first.hits[0]?.snippet).toContain('common');
    expect(first.hits[0]?.score).toEqual(expect.any(Number));

    // Many matches by date (and by when added): as a plain sort gives them, on any page.
    const truth = async (order: string, offset: number) =>
      (await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%common%' ORDER BY ${sql.raw(order)} LIMIT 20 OFFSET ${offset}`.execute(db)).rows.map((row) => row.id);
    for (const offset of [0, 40, 5_000]) {
      expect((await search('common', 'date', offset)).hits.map((hit) => hit.id)).toEqual(await truth('document_date DESC, id DESC', offset));
      expect((await search('common', 'added', offset)).hits.map((hit) => hit.id)).toEqual(await truth('added_at DESC, id DESC', offset));
    }

    // Words and a filter: every hit passes the filter, in both orders, and the total is near the
    // 240 invoices there are (every 50th document).
    for (const sort of ['relevance', 'date'] as const) {
      const invoices = await search('common type:invoice', sort, 0, 20);
      expect(invoices.hits.length).toBe(20);
      expect(invoices.hits.every((hit) => hit.type === 'invoice')).toBe(true);
      expect(invoices.total).toBeGreaterThan((count / 50) * 0.7);
      expect(invoices.total).toBeLessThan((count / 50) * 1.3);
    }
    const invoicesByDate = (await search('common type:invoice', 'date', 0, 20)).hits.map((hit) => hit.id);
    expect(invoicesByDate).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE type = 'invoice' ORDER BY document_date DESC, id DESC LIMIT 20`.execute(db)).rows.map((row) => row.id));
    // A filter on a column without an index: the words are tested first along the date order,
    // the filter on their matches; the page is still the plain sort's.
    const titled = await search('common title:title', 'date', 20, 20);
    expect(titled.hits.map((hit) => hit.id)).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE title LIKE '%title%' ORDER BY document_date DESC, id DESC LIMIT 20 OFFSET 20`.execute(db)).rows.map((row) => row.id));
    // A filter the words never go with: nothing, and a total of 0, not an estimate.
    const none = await search('common type:receipt', 'relevance');
    expect(none).toMatchObject({ total: 0, hits: [] });
    expect(none.totalIsEstimate).toBeUndefined();

    // Filters alone that select many: estimated from the newest documents, and the page is the
    // one a plain sort gives (read along the order's index); one indexed column is counted.
    // The newest documents have the oldest dates here: a sample of the newest would say far too few.
    const others = count - count / 50;
    const since = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM documents WHERE type = 'other' AND document_date >= '2000-01-01'`.execute(db)).rows[0]?.n);
    for (const [sort, order] of [['date', 'document_date DESC, id DESC'], ['added', 'added_at DESC, id DESC'], ['relevance', 'added_at DESC, id DESC']] as const) {
      const filtered = await search('type:other after:2000-01-01', sort, 20, 20);
      expect(filtered.totalIsEstimate).toBe(true);
      expect(filtered.total).toBeGreaterThan(since * 0.8);
      expect(filtered.total).toBeLessThan(since * 1.2);
      expect(filtered.hits.map((hit) => hit.id)).toEqual(
        (await sql<{ id: number }>`SELECT id FROM documents WHERE type = 'other' AND document_date >= '2000-01-01' ORDER BY ${sql.raw(order)} LIMIT 20 OFFSET 20`.execute(db)).rows.map((row) => row.id),
      );
    }
    const typed = await search('type:other', 'date');
    expect(typed.total).toBe(others);
    expect(typed.totalIsEstimate).toBeUndefined();

    // A prefix longer than FTS5's prefix indexes, said as the words it expands to: the same hits
    // as the word itself, on either order; one that expands to nothing finds nothing.
    for (const sort of ['relevance', 'date'] as const) {
      expect((await search('commo*', sort)).hits.map((hit) => hit.id)).toEqual((await search('common', sort)).hits.map((hit) => hit.id));
      expect((await search('Sevenw* -commo*', sort)).total).toBe(0);
    }
    expect((await search('zzzzzz*', 'relevance')).total).toBe(0);

    // Few matches are counted exactly and say nothing of an estimate.
    const rare = await search('title', 'relevance');
    expect(rare.total).toBe(120);
    expect(rare.totalIsEstimate).toBeUndefined();
    const seven = await search('sevenword', 'relevance');
    expect(seven.total).toBe(Math.floor(count / 7));
    expect(seven.totalIsEstimate).toBeUndefined();
    await catalog.close();

    // The command says so too: in --json, and on screen as "of about".
    const json = JSON.parse((await runDoccat(['search', 'common', '--json', '--limit', '5'], { home })).stdout) as { total: number; totalIsEstimate?: boolean; results: unknown[] };
    expect(json).toMatchObject({ totalIsEstimate: true, results: expect.any(Array) });
    expect(json.results).toHaveLength(5);
    expect(JSON.parse((await runDoccat(['search', 'title', '--json'], { home })).stdout)).not.toHaveProperty('totalIsEstimate');
    const screen = await runDoccat(['search', 'common', '--limit', '5'], { home });
    expect(screen.stderr).toMatch(/showing 1-5 of about \d+/);
  });

  it('by date or when added, reads the page off the order however the matches lie along it, and says when the total is an estimate', async () => {
    const home = tempDir();
    const catalog = await openSqliteDatabase({ path: path.join(home, 'catalog.db'), busyTimeoutMs: 5_000 });
    const db = catalog.db;
    const count = 12_000;
    // Dates run back a day per document (the newest ids have the newest dates); added times run
    // forward a second per document. "common" is in every document, "lateword" in the 2,400 with
    // the oldest dates, "bandword" in every third document.
    await load(db, count, {
      type: `CASE WHEN i % 4 = 0 THEN 'invoice' ELSE 'other' END`,
      title: `'note ' || i`,
      date: `date('2030-01-01', '-' || (${count} - i) || ' days')`,
      text: `'common ' || CASE WHEN i <= 2400 THEN 'lateword ' ELSE '' END || CASE WHEN i % 3 = 0 THEN 'bandword ' ELSE '' END || 'filler ' || i`,
    });
    const search = (query: string, sort: SortOrder, offset = 0, limit = 20) => searchDocuments(db, { tree: parseQuery(query), limit, offset, sort });
    const truth = async (where: string, order: string, offset: number, limit = 20) =>
      (await sql<{ id: number }>`SELECT id FROM documents WHERE ${sql.raw(where)} ORDER BY ${sql.raw(order)} LIMIT ${limit} OFFSET ${offset}`.execute(db)).rows.map((row) => row.id);
    const byDate = 'document_date DESC, id DESC';
    const byAdded = 'added_at DESC, id DESC';

    // Matches of most documents by date: the total is the words' estimate, and says so.
    const common = await search('common', 'date');
    expect(common.totalIsEstimate).toBe(true);
    expect(common.total).toBeGreaterThan(count * 0.8);
    expect(common.total).toBeLessThan(count * 1.2);
    expect(common.hits.map((hit) => hit.id)).toEqual(await truth('1 = 1', byDate, 0));
    // Each hit has its snippet, made as its row was tested (a first page) or sought after (later ones).
    for (const page of [common, await search('common', 'date', 20)]) {
      expect(page.hits.every((hit) => hit.snippet?.includes('common') === true && hit.highlights.length > 0)).toBe(true);
    }

    // Matches far down the date order (the first rows of the order hold none of them), on any page;
    // a page past the last match is empty and its total counted.
    for (const offset of [0, 20, 2_390]) expect((await search('lateword', 'date', offset)).hits.map((hit) => hit.id)).toEqual(await truth(`text LIKE '%lateword%'`, byDate, offset));
    expect((await search('lateword', 'date', 2_390)).total).toBe(2_400);
    expect(await search('lateword', 'date', 2_400)).toMatchObject({ total: 2_400, hits: [] });
    expect((await search('lateword', 'added', 100)).hits.map((hit) => hit.id)).toEqual(await truth(`text LIKE '%lateword%'`, byAdded, 100));

    // A range on the order's own column, far down the order: the walk starts where the range does.
    const range = `document_date >= '2000-01-01' AND document_date < date('2030-01-01', '-9000 days') AND text LIKE '%bandword%'`;
    for (const offset of [0, 40]) {
      const ranged = await search(`bandword after:2000-01-01 before:${(await sql<{ day: string }>`SELECT date('2030-01-01', '-9000 days') AS day`.execute(db)).rows[0]?.day}`, 'date', offset);
      expect(ranged.hits.map((hit) => hit.id)).toEqual(await truth(range, byDate, offset));
    }
    // Words and a filter on another column, by date and when added: the plain sort's page, and a
    // total near the 1,000 invoices that say "bandword".
    for (const [sort, order] of [['date', byDate], ['added', byAdded]] as const) {
      const invoices = await search('bandword type:invoice', sort, 20);
      expect(invoices.hits.map((hit) => hit.id)).toEqual(await truth(`type = 'invoice' AND text LIKE '%bandword%'`, order, 20));
      expect(invoices.total).toBeGreaterThan(1_000 * 0.7);
      expect(invoices.total).toBeLessThan(1_000 * 1.3);
    }
    // Many matches and a filter that leaves fewer than a page: the walk reached the end of the
    // order, so the total is exact.
    const few = await search('common title:"note 1199"', 'date');
    const fewTruth = await truth(`text LIKE '%common%' AND title LIKE '%note 1199%'`, byDate, 0, 100);
    expect(fewTruth.length).toBeLessThan(20);
    expect(few.hits.map((hit) => hit.id)).toEqual(fewTruth);
    expect(few.total).toBe(fewTruth.length);
    expect(few.totalIsEstimate).toBeUndefined();
    await catalog.close();
  });

  it('by date, sorts matches that lie too far down the order to walk to, and estimates the total of many, among many documents', async () => {
    const home = tempDir();
    const catalog = await openSqliteDatabase({ path: path.join(home, 'catalog.db'), busyTimeoutMs: 5_000 });
    const db = catalog.db;
    // 100,000 documents; "oldword" in the 2,100 with the oldest dates: walking the date order to
    // them costs more than looking each up; "midword" in 2,100 further up the date order, within
    // reach of the walk. "tenthword" in every tenth document.
    const count = 100_000;
    await load(db, count, {
      type: `'other'`,
      title: `'note ' || i`,
      date: `date('2030-01-01', '-' || i || ' days')`,
      text: `CASE WHEN i > ${count - 2_100} THEN 'oldword ' WHEN i > 60000 AND i <= 62100 THEN 'midword ' ELSE '' END || CASE WHEN i % 10 = 0 THEN 'tenthword ' ELSE '' END || 'filler'`,
    });
    const search = (query: string, sort: SortOrder, offset = 0) => searchDocuments(db, { tree: parseQuery(query), limit: 20, offset, sort });
    for (const offset of [0, 1_000]) {
      const mid = await search('midword', 'date', offset);
      expect(mid.total).toBe(2_100);
      expect(mid.hits.map((hit) => hit.id)).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE 'midword%' ORDER BY document_date DESC, id DESC LIMIT 20 OFFSET ${offset}`.execute(db)).rows.map((row) => row.id));
    }
    // The same phrase by relevance: more matches than a block, so in tiers as many matches of
    // words are (no title has it: newest first in blocks of 100, each in bm25's order, ties newest
    // first), with the scores FTS5 gives (as hits show them, to three places), the total exact.
    const everyMatch = (await sql<{ id: number; score: number }>`SELECT rowid AS id, bm25(documents_fts, 10.0, 6.0, 3.0, 1.0) AS score FROM documents_fts WHERE documents_fts MATCH '"oldword filler"' ORDER BY rowid DESC`.execute(db)).rows;
    const inBlocks = everyMatch.map((row, index) => ({ ...row, block: Math.floor(index / 100) })).sort((a, b) => a.block - b.block || a.score - b.score || b.id - a.id);
    for (const offset of [0, 1_880]) {
      const ranked = await search('"oldword filler"', 'relevance', offset);
      expect(ranked.total).toBe(1_890);
      expect(ranked.totalIsEstimate).toBeUndefined();
      expect(ranked.hits.map((hit) => [hit.id, hit.score])).toEqual(inBlocks.slice(offset, offset + 20).map((row) => [row.id, Math.round(row.score * 1000) / 1000]));
    }
    for (const [sort, order] of [['date', 'document_date DESC, id DESC'], ['added', 'added_at DESC, id DESC']] as const) {
      for (const offset of [0, 2_090]) {
        const found = await search('oldword', sort, offset);
        expect(found.total).toBe(2_100);
        expect(found.totalIsEstimate).toBeUndefined();
        expect(found.hits.map((hit) => hit.id)).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE 'oldword%' ORDER BY ${sql.raw(order)} LIMIT 20 OFFSET ${offset}`.execute(db)).rows.map((row) => row.id));
      }
      // A phrase with few matches, known once sized: walked against, then sorted, as SQL sorts it.
      // (1,890: the oldest documents with "tenthword" between the two words are not among them.)
      const phrase = await search('"oldword filler"', sort, 1_880);
      expect(phrase).toMatchObject({ total: 1_890 });
      expect(phrase.hits.map((hit) => hit.id)).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE 'oldword filler%' ORDER BY ${sql.raw(order)} LIMIT 20 OFFSET 1880`.execute(db)).rows.map((row) => row.id));
      // More matches than are counted (10,000): not all read, the total estimated and said to be.
      const tenth = await search('tenthword', sort, 40);
      expect(tenth.totalIsEstimate).toBe(true);
      expect(tenth.total).toBeGreaterThan(10_000 * 0.8);
      expect(tenth.total).toBeLessThan(10_000 * 1.2);
      expect(tenth.hits.map((hit) => hit.id)).toEqual((await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%tenthword%' ORDER BY ${sql.raw(order)} LIMIT 20 OFFSET 40`.execute(db)).rows.map((row) => row.id));
    }
    await catalog.close();
  });

  it('estimates an AND of words that always go together from the newest matches, not from each word', async () => {
    const home = tempDir();
    const catalog = await openSqliteDatabase({ path: path.join(home, 'catalog.db'), busyTimeoutMs: 5_000 });
    const db = catalog.db;
    // "payment due" in every other document; every 300th has it in its title.
    await load(db, 12_000, {
      type: `'other'`,
      title: `CASE WHEN i % 300 = 0 THEN 'payment due ' || i ELSE 'note ' || i END`,
      date: `date('2030-01-01', '-' || ((i * 7919) % 5000) || ' days')`,
      text: `'letter ' || CASE WHEN i % 2 = 0 THEN 'the payment due now ' ELSE 'nothing to pay ' END || 'filler ' || i`,
    });
    const search = (query: string, sort: SortOrder, offset = 0, limit = 20) => searchDocuments(db, { tree: parseQuery(query), limit, offset, sort });
    for (const query of ['payment due', '"payment due"']) {
      const relevance = await search(query, 'relevance', 0, 60);
      expect(relevance.totalIsEstimate).toBe(true);
      expect(relevance.total).toBeGreaterThan(6_000 * 0.8);
      expect(relevance.total).toBeLessThan(6_000 * 1.2);
      // Title matches first (all 40 of them), then the newest body matches.
      expect(relevance.hits.slice(0, 40).every((hit) => hit.title.startsWith('payment due'))).toBe(true);
      expect(relevance.hits.slice(40).every((hit) => hit.title.startsWith('note'))).toBe(true);
      expect(new Set(relevance.hits.map((hit) => hit.id)).size).toBe(60);
      // Body matches (the second tier) are scored on the words alone, as FTS5's bm25 scores them.
      const bm25 = new Map(
        (await sql<{ id: number; score: number }>`SELECT rowid AS id, bm25(documents_fts, 10.0, 6.0, 3.0, 1.0) AS score FROM documents_fts WHERE documents_fts MATCH ${query === 'payment due' ? '"payment" AND "due"' : '"payment due"'}`.execute(db)).rows.map((row) => [row.id, Math.round(row.score * 1000) / 1000]),
      );
      expect(relevance.hits.slice(40).map((hit) => hit.score)).toEqual(relevance.hits.slice(40).map((hit) => bm25.get(hit.id)));
      const byDate = await search(query, 'date');
      expect(byDate.hits.map((hit) => hit.id)).toEqual(
        (await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%payment due%' ORDER BY document_date DESC, id DESC LIMIT 20`.execute(db)).rows.map((row) => row.id),
      );
      expect(byDate.hits[0]?.snippet).toMatch(/payment/i);
    }
    for (const sort of ['relevance', 'date'] as const) {
      const never = await search('payment nothing', sort);
      expect(never.totalIsEstimate).toBeUndefined();
      expect(never.total).toBe(0);
    }
    await catalog.close();
  });
});
