import { sql, type Kysely } from 'kysely';
import { searchTokens } from '../../text/fold.js';
import type { Database } from '../schema.js';

/**
 * FTS5's bm25 for chosen matches of an expression, computed here when a phrase is common, with
 * its document count read from its newest matches. FTS5's own bm25 counts every document each phrase of the
 * statement matches before it scores a single row, so scoring a page of a common word costs as
 * much as reading all of its matches (at a million documents, 6 ms for "invoice", 11 for "tax OR
 * premium", growing with the catalogue); here the cost is a bounded read per phrase and the
 * page's own rows. The formula and constants are FTS5's (fts5_aux.c): k1 1.2, b 0.75, the IDF of
 * a phrase matched by n of N documents log((N - n + 0.5) / (n + 0.5)), floored at 1e-6; a phrase's
 * frequency in a row is the sum of its occurrences weighted by column; a row's length counts every
 * column. Each phrase's document count comes from the caller (sqlite-many.ts sizes it as it sizes
 * any expression: exact up to 5,000 matches, so that the score is too, estimated beyond, and the
 * score moves with it: a common word's IDF is small, 10 % off in n moves it by about 0.1).
 */

/**
 * Up to this many matches of all the words together, FTS5's own bm25 scores: counting them costs
 * less than highlighting a page of rows (about 1.5 ms at 1M documents, against 2-3 ms for 100 rows).
 */
const FTS5_COUNTS = 50_000;
const K1 = 1.2;
const B = 0.75;
/** Highlight marks: noncharacters, which text meant for interchange does not contain. */
const START = '\uFDD0';
const END = '\uFDD1';

interface Phrase {
  /** The phrase as the expression quotes it (an FTS5 string, maybe with a trailing *). */
  quoted: string;
  tokens: string[];
  prefix: boolean;
}

/** The phrases of an expression doccat wrote (db/search/fts5.ts: every word or phrase quoted), in order. */
export function expressionPhrases(expression: string): Phrase[] {
  return [...expression.matchAll(/"((?:[^"]|"")*)"(\*?)/g)].map((match) => ({ quoted: match[0], tokens: searchTokens((match[1] ?? '').replace(/""/g, '"')), prefix: match[2] === '*' }));
}

/** SQLite's variable-length integers, as FTS5 stores its sizes (big-endian groups of seven bits). */
function varints(blob: Uint8Array): number[] {
  const values: number[] = [];
  let value = 0;
  let bytes = 0;
  for (const byte of blob) {
    bytes += 1;
    if (bytes === 9) {
      values.push(value * 256 + byte);
      value = 0;
      bytes = 0;
    } else if (byte & 0x80) value = value * 128 + (byte & 0x7f);
    else {
      values.push(value * 128 + byte);
      value = 0;
      bytes = 0;
    }
  }
  return values;
}

/** How often each phrase occurs in a highlighted column, each occurrence weighing `weight`. */
function countPhrases(marked: string, phrases: readonly Phrase[], weight: number, frequencies: number[]): void {
  for (let start = marked.indexOf(START); start >= 0; start = marked.indexOf(START, start + 1)) {
    const end = marked.indexOf(END, start);
    if (end < 0) break;
    // Overlapping occurrences are marked as one span: every phrase is tried at every word of it.
    const words = searchTokens(marked.slice(start + 1, end));
    phrases.forEach((phrase, index) => {
      const last = phrase.tokens.length - 1;
      if (last < 0) return;
      for (let at = 0; at + last < words.length; at += 1) {
        const matches = phrase.tokens.every((token, offset) => {
          const word = words[at + offset] as string;
          return offset === last && phrase.prefix ? word.startsWith(token) : word === token;
        });
        if (matches) frequencies[index] = (frequencies[index] ?? 0) + weight;
      }
    });
    start = end;
  }
}

/** The matches among `ids` (newest first), found by streaming the expression's matches down to the oldest of them. */
function amongMatches(expression: string, ids: readonly number[]) {
  return sql`documents_fts WHERE documents_fts MATCH ${expression} AND +rowid IN (SELECT value FROM json_each(${JSON.stringify(ids)})) ORDER BY rowid DESC LIMIT ${ids.length}`;
}

function inOrder(ids: readonly number[], scores: ReadonlyMap<number, number>): { id: number; score: number }[] {
  return ids.flatMap((id) => {
    const score = scores.get(id);
    return score === undefined ? [] : [{ id, score }];
  });
}

/**
 * bm25 scores (lower is better, as FTS5 returns them) of the given matches of `expression` (ids,
 * newest first; ids it does not match are left out), with `weights` per column (title, tags,
 * correspondent, body). When the words are single and match few documents, FTS5's own bm25
 * counts them cheaply and scores the rows; otherwise highlightedBm25 scores them, which costs
 * about 20-40 µs a row instead of a pass over every match of every phrase. `documentsMatching`
 * sizes a phrase (its quoted form); `matches`: how many documents the whole expression matches,
 * sized the same way, which is the count of its phrase when it has one.
 */
export async function pageBm25(db: Kysely<Database>, expression: string, ids: readonly number[], weights: readonly number[], documentsMatching: (quoted: string) => Promise<number>, matches?: number): Promise<{ id: number; score: number }[]> {
  if (ids.length === 0) return [];
  const phrases = expressionPhrases(expression);
  const counts = new Map<string, number>();
  // An expression of one phrase matches what the phrase matches: sized already, when known.
  if (phrases.length === 1 && matches !== undefined) counts.set((phrases[0] as Phrase).quoted, matches);
  for (const phrase of phrases) if (!counts.has(phrase.quoted)) counts.set(phrase.quoted, await documentsMatching(phrase.quoted));
  // FTS5 counts a phrase of several words by reading every position of them all, however few
  // documents it matches: that is never cheap.
  const documents = [...counts.values()].reduce((sum, count) => sum + count, 0);
  if (documents <= FTS5_COUNTS && phrases.every((phrase) => phrase.tokens.length === 1)) {
    const scored = await sql<{ id: number; score: number }>`SELECT rowid AS id, bm25(documents_fts, ${sql.raw(weights.map((weight) => weight.toFixed(1)).join(', '))}) AS score FROM ${amongMatches(expression, ids)}`.execute(db);
    return inOrder(ids, new Map(scored.rows.map((row) => [row.id, row.score])));
  }
  return highlightedBm25(db, expression, ids, weights, counts);
}

/**
 * bm25 as FTS5 computes it, from how many documents each phrase matches (`counts`, by its quoted
 * form): the rows' columns highlighted by FTS5 (which tokenizes them again), each phrase's
 * occurrences counted in the marked spans, the rows' lengths read from FTS5's own sizes.
 */
export async function highlightedBm25(db: Kysely<Database>, expression: string, ids: readonly number[], weights: readonly number[], counts: ReadonlyMap<string, number>): Promise<{ id: number; score: number }[]> {
  if (ids.length === 0) return [];
  const phrases = expressionPhrases(expression);
  // FTS5's own totals: the number of rows, then the tokens of each column.
  const averages = (await sql<{ block: Uint8Array }>`SELECT block FROM documents_fts_data WHERE id = 1`.execute(db)).rows[0];
  const [rows = 0, ...columnTokens] = averages ? varints(averages.block) : [];
  const averageLength = columnTokens.reduce((sum, tokens) => sum + tokens, 0) / Math.max(1, rows);
  const idf = phrases.map((phrase) => {
    const n = counts.get(phrase.quoted) ?? 0;
    const value = Math.log((rows - n + 0.5) / (n + 0.5));
    return value > 0 ? value : 1e-6;
  });
  const marked = (column: number) => sql`highlight(documents_fts, ${column}, ${START}, ${END})`;
  const found = (await sql<{ id: number; c0: string | null; c1: string | null; c2: string | null; c3: string | null }>`SELECT rowid AS id, ${marked(0)} AS c0, ${marked(1)} AS c1, ${marked(2)} AS c2, ${marked(3)} AS c3 FROM ${amongMatches(expression, ids)}`.execute(db)).rows;
  const sizes = new Map(
    (await sql<{ id: number; sz: Uint8Array }>`SELECT id, sz FROM documents_fts_docsize WHERE id IN (SELECT value FROM json_each(${JSON.stringify(found.map((row) => row.id))}))`.execute(db)).rows.map((row) => [row.id, varints(row.sz).reduce((sum, tokens) => sum + tokens, 0)]),
  );
  const scores = new Map<number, number>();
  for (const row of found) {
    const frequencies = phrases.map(() => 0);
    [row.c0, row.c1, row.c2, row.c3].forEach((column, index) => {
      if (column) countPhrases(column, phrases, weights[index] ?? 1, frequencies);
    });
    const norm = K1 * (1 - B + (B * (sizes.get(row.id) ?? averageLength)) / Math.max(averageLength, 1e-9));
    scores.set(row.id, -frequencies.reduce((sum, frequency, index) => sum + ((idf[index] as number) * frequency * (K1 + 1)) / (frequency + norm), 0));
  }
  return inOrder(ids, scores);
}
