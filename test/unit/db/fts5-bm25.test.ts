import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openSqliteDatabase } from '../../../src/db/database.js';
import { expressionPhrases, highlightedBm25, pageBm25 } from '../../../src/db/search/fts5-bm25.js';
import { tempDir } from '../../support/cli.js';

const WEIGHTS = [10, 6, 3, 1];

/**
 * bm25 computed from highlighted rows (db/search/fts5-bm25.ts) against FTS5's own, on documents
 * whose words occur a varying number of times, in every column, with varying lengths, accents and
 * punctuation between the words of a phrase.
 */
describe('bm25 from highlighted rows', () => {
  it('gives the scores FTS5 gives when it knows how many documents each phrase matches', async () => {
    const catalog = await openSqliteDatabase({ path: path.join(tempDir(), 'catalog.db'), busyTimeoutMs: 5_000 });
    const db = catalog.db;
    await sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
      INSERT INTO documents_fts (rowid, title, tags, correspondent, body)
      SELECT i,
        CASE WHEN i % 9 = 0 THEN 'Alpha report ' || i ELSE 'note ' || i END,
        CASE WHEN i % 11 = 0 THEN 'beta alpha' WHEN i % 4 = 0 THEN 'tax' ELSE '' END,
        CASE WHEN i % 13 = 0 THEN 'Gamma & Delta GmbH' ELSE '' END,
        CASE WHEN i % 5 = 0 THEN substr('ALPHA alpha, alpha; alpha alpha ', 1, 6 * (i % 6)) ELSE '' END || 'Grüße ' ||
        CASE WHEN i % 3 = 0 THEN 'the gamma, delta payment and gamma delta ' ELSE 'beta ' END ||
        substr('filler words to vary the length of each document ', 1, 1 + (i * 7919) % 48) || ' alphabet ' || i
      FROM n`.execute(db);
    const expressions = ['"alpha"', '"alpha" OR "beta"', '"alpha" AND "beta"', '"gamma delta"', '"alph"*', '"alpha" NOT "tax"', '("gamma delta" OR "grüße") AND "alpha"', '"delta gmbh"'];
    for (const expression of expressions) {
      const counts = new Map<string, number>();
      for (const phrase of expressionPhrases(expression)) {
        counts.set(phrase.quoted, Number((await sql<{ n: number }>`SELECT count(*) AS n FROM documents_fts WHERE documents_fts MATCH ${phrase.quoted}`.execute(db)).rows[0]?.n));
      }
      const truth = (await sql<{ id: number; score: number }>`SELECT rowid AS id, bm25(documents_fts, 10.0, 6.0, 3.0, 1.0) AS score FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT 120`.execute(db)).rows;
      expect(truth.length, expression).toBeGreaterThan(10);
      // Asked about every tenth document too: those the expression does not match are left out.
      const asked = [...new Set([...truth.map((row) => row.id), ...Array.from({ length: 150 }, (_, index) => 1500 - index * 10)])].sort((a, b) => b - a);
      const scored = await highlightedBm25(db, expression, asked, WEIGHTS, counts);
      const matching = new Set((await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db)).rows.map((row) => row.id));
      expect(scored.map((row) => row.id), expression).toEqual(asked.filter((id) => matching.has(id)));
      const byId = new Map(scored.map((row) => [row.id, row.score]));
      for (const row of truth) expect(byId.get(row.id), `${expression} #${row.id}`).toBeCloseTo(row.score, 9);
    }
    // Chosen between the two: single words that few documents match are left to FTS5; a phrase,
    // whose count is given, is scored from the highlights; both as FTS5 scores them.
    for (const [expression, given] of [['"alpha" OR "beta"', false], ['"gamma delta"', true]] as const) {
      const matches = given ? Number((await sql<{ n: number }>`SELECT count(*) AS n FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db)).rows[0]?.n) : undefined;
      const truth = (await sql<{ id: number; score: number }>`SELECT rowid AS id, bm25(documents_fts, 10.0, 6.0, 3.0, 1.0) AS score FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT 100`.execute(db)).rows;
      const documentsMatching = async (quoted: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM documents_fts WHERE documents_fts MATCH ${quoted}`.execute(db)).rows[0]?.n);
      const scored = await pageBm25(db, expression, truth.map((row) => row.id), WEIGHTS, documentsMatching, matches);
      expect(scored.map((row) => row.id)).toEqual(truth.map((row) => row.id));
      scored.forEach((row, index) => expect(row.score).toBeCloseTo(truth[index]?.score as number, 9));
    }
    await catalog.close();
  });
});
