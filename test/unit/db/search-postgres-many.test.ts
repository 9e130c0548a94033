import { describe, expect, inject, it } from 'vitest';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../../src/db/schema.js';
import { openPostgresDatabase } from '../../../src/db/database.js';
import { runDoccat, tempDir } from '../../support/cli.js';
import { createDatabase } from '../../support/postgres.mjs';
import { parseQuery } from '../../../src/db/search/query-parser.js';
import { searchDocuments } from '../../../src/db/search/search.js';
import { fillWordPairs } from '../../../src/db/migrations/0019_search_word_pairs.js';

/** `count` rows loaded in SQL, as the bench does; each column an expression of the row number i. */
async function loadRows(db: Kysely<Database>, count: number, columns: Record<'type' | 'title' | 'date' | 'text', RawBuilder<unknown>>): Promise<void> {
  await sql`
    INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, language, ocr_confidence, type, title, tags, document_date, correspondent, class_confidence, class_rule, classifier, fields, warnings, text, added_at, updated_at)
    SELECT md5(i::text) || md5((i + 1)::text), 100, 'application/pdf', 'doc-' || i || '.pdf', 'local', 'sha256/' || i, 'text-layer', 1, 10, 'en', NULL,
      ${columns.type}, ${columns.title}, '[]', to_char(${columns.date}, 'YYYY-MM-DD'), NULL, 0.5, 'test', 'local', '{}', '[]', ${columns.text},
      to_char(timestamp '2030-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'), '2030-01-01T00:00:00.000Z'
    FROM generate_series(1, ${count}) AS i`.execute(db);
  await sql`
    INSERT INTO documents_fts (document_id, tsv, pairs)
    SELECT id, setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', text), 'D'), '' FROM documents`.execute(db);
  await fillWordPairs(db, 'all');
  await sql`ANALYZE`.execute(db);
}

/**
 * Postgres, with more matches than it reads (db/search-postgres.ts): relevance from bounded walks,
 * the total as the planner's estimate and said to be one, pages that never overlap. 12,000 rows
 * loaded in SQL as the bench does (committing each through the repository would take minutes).
 */
describe('Postgres search with very many matches', () => {
  it('ranks title matches first, pages without overlap, and says when the total is an estimate', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const catalog = await openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 60_000 });
    const db = catalog.db;
    const count = 12_000;
    // Every document says "common"; every 100th also has it in its title; every 7th says "sevenword";
    // every 50th is an invoice. Dates run back one day per document.
    await loadRows(db, count, {
      type: sql`CASE WHEN i % 50 = 0 THEN 'invoice' ELSE 'other' END`,
      title: sql`CASE WHEN i % 100 = 0 THEN 'common title ' || i ELSE 'note ' || i END`,
      date: sql`date '2030-01-01' - i`,
      text: sql`'common body text ' || CASE WHEN i % 7 = 0 THEN 'sevenword ' ELSE '' END || 'filler words ' || i`,
    });
    const search = (query: string, sort: 'relevance' | 'date' | 'added', offset = 0, limit = 20) => searchDocuments(db, { tree: parseQuery(query), limit, offset, sort });

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
    expect(byTwenties).toEqual([...first.hits, ...second.hits].map((hit) => hit.id));
    expect(new Set(byTwenties).size).toBe(200);
    expect(first.hits[0]?.snippet).toContain('common');

    // Many matches by date: the newest dates, as a plain sort gives them; the total an estimate.
    const byDate = await search('sevenword', 'date', 0, 20);
    const expected = (await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%sevenword%' ORDER BY document_date DESC, id DESC LIMIT 20`.execute(db)).rows.map((row) => Number(row.id));
    expect(byDate.hits.map((hit) => hit.id)).toEqual(expected);
    // The next page, and with a filter on the walk, as a plain sort gives them too.
    const sorted = async (where: RawBuilder<unknown>, offset: number) =>
      (await sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%sevenword%' AND ${where} ORDER BY document_date DESC, id DESC LIMIT 20 OFFSET ${offset}`.execute(db)).rows.map((row) => Number(row.id));
    expect((await search('sevenword', 'date', 20, 20)).hits.map((hit) => hit.id)).toEqual(await sorted(sql`TRUE`, 20));
    expect((await search('sevenword type:invoice', 'date', 0, 20)).hits.map((hit) => hit.id)).toEqual(await sorted(sql`type = 'invoice'`, 0));
    expect((await search('sevenword note*', 'date', 0, 20)).hits.map((hit) => hit.id)).toEqual(await sorted(sql`title LIKE 'note%'`, 0));
    // The walk's total: exact when it read every document the filter passes (the 31 of December
    // 2029, fewer than the walk's bound), else the share of the walked documents that matched
    // times the documents the filter passes; the hits those of the plain sort either way.
    const plain = async (where: RawBuilder<unknown>) => (await sql<{ id: number }>`SELECT id FROM documents WHERE ${where} ORDER BY document_date DESC, id DESC LIMIT 20`.execute(db)).rows.map((row) => Number(row.id));
    const fewFiltered = await search('common date:2029-12', 'date', 0, 20);
    expect(fewFiltered.hits.map((hit) => hit.id)).toEqual(await plain(sql`document_date LIKE '2029-12-%'`));
    expect(fewFiltered).toMatchObject({ total: 31 });
    expect(fewFiltered.totalIsEstimate).toBeUndefined();
    const manyFiltered = await search('common type:other', 'date', 0, 20);
    expect(manyFiltered.hits.map((hit) => hit.id)).toEqual(await plain(sql`type = 'other'`));
    expect(manyFiltered.totalIsEstimate).toBe(true);
    expect(manyFiltered.total).toBeGreaterThan(11_760 * 0.8);
    expect(manyFiltered.total).toBeLessThan(11_760 * 1.2);

    // Words and a filter that goes with them less often than the planner thinks: counted or
    // estimated from a sample, never wildly off, and every hit passes the filter.
    const invoices = await search('common type:invoice', 'relevance', 0, 20);
    expect(invoices.hits.length).toBe(20);
    expect(invoices.hits.every((hit) => hit.type === 'invoice')).toBe(true);
    expect(invoices.total).toBeGreaterThan((count / 50) * 0.7);
    expect(invoices.total).toBeLessThan((count / 50) * 1.3);

    // Few matches are counted exactly and say nothing of an estimate.
    const rare = await search('title', 'relevance');
    expect(rare.total).toBe(120);
    expect(rare.totalIsEstimate).toBeUndefined();
    await catalog.close();

    // The command says so too: in --json, and on screen as "of about".
    const home = tempDir();
    const env = { DOCCAT_DATABASE_URL: url };
    const json = JSON.parse((await runDoccat(['search', 'common', '--json', '--limit', '5'], { home, env })).stdout) as { total: number; totalIsEstimate?: boolean; results: unknown[] };
    expect(json).toMatchObject({ totalIsEstimate: true, results: expect.any(Array) });
    expect(json.results).toHaveLength(5);
    expect(JSON.parse((await runDoccat(['search', 'title', '--json'], { home, env })).stdout)).not.toHaveProperty('totalIsEstimate');
    const screen = await runDoccat(['search', 'common', '--limit', '5'], { home, env });
    expect(screen.stderr).toMatch(/showing 1-5 of about \d+/);
  });

  it('does not trust the planner with words that go together: an AND or a phrase of common words is sampled, not read whole', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const catalog = await openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 60_000 });
    const db = catalog.db;
    const count = 12_000;
    // "payment due" in every other document, the two words always together: the planner, taking
    // them to be independent, expects a quarter of the documents for both (3,000, under the limit
    // on reading every match) where there are half (6,000). Every 300th has it in its title.
    await loadRows(db, count, {
      type: sql`'other'`,
      title: sql`CASE WHEN i % 300 = 0 THEN 'payment due ' || i ELSE 'note ' || i END`,
      date: sql`date '2030-01-01' - (i * 7919) % 5000`,
      text: sql`'letter ' || CASE WHEN i % 2 = 0 THEN 'the payment due now ' ELSE 'nothing to pay ' END || 'filler ' || i`,
    });
    const search = (query: string, sort: 'relevance' | 'date', offset = 0, limit = 20) => searchDocuments(db, { tree: parseQuery(query), limit, offset, sort });
    const truth = (order: string) => sql<{ id: number }>`SELECT id FROM documents WHERE text LIKE '%payment due%' ORDER BY ${sql.raw(order)} LIMIT 20`.execute(db);

    for (const query of ['payment due', '"payment due"']) {
      const relevance = await search(query, 'relevance', 0, 60);
      // An estimate, and said to be one, within a sample's error of the 6,000 there are.
      expect(relevance.totalIsEstimate).toBe(true);
      expect(relevance.total).toBeGreaterThan(6_000 * 0.8);
      expect(relevance.total).toBeLessThan(6_000 * 1.2);
      // Title matches first (all 40 of them, every 300th document), then the newest body matches.
      expect(relevance.hits.slice(0, 40).every((hit) => hit.title.startsWith('payment due'))).toBe(true);
      expect(relevance.hits.slice(40).every((hit) => hit.title.startsWith('note'))).toBe(true);
      expect(new Set(relevance.hits.map((hit) => hit.id)).size).toBe(60);
      const byDate = await search(query, 'date');
      expect(byDate.totalIsEstimate).toBe(true);
      expect(byDate.hits.map((hit) => hit.id)).toEqual((await truth('document_date DESC, id DESC')).rows.map((row) => Number(row.id)));
      expect(byDate.hits[0]?.snippet).toMatch(/payment/i);
    }
    // Common words that never go together: the sample finds none, and they are counted exactly.
    for (const sort of ['relevance', 'date'] as const) {
      const never = await search('payment nothing', sort);
      expect(never.totalIsEstimate).toBeUndefined();
      expect(never.total).toBe(0);
    }
    await catalog.close();
  });
});
