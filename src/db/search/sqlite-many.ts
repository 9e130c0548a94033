import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import { pageBm25 } from './fts5-bm25.js';
import { tierCandidates } from './tiers.js';
import type { HitRow, SearchOptions } from './types.js';

/**
 * SQLite's plans for words that match many documents (sqlite.ts picks them): each reads a bounded
 * number of rows however large the catalogue, where the exact plans read every match (bm25 scores
 * every match even under ORDER BY score LIMIT, and an exact total counts them all). What FTS5 does
 * cheaply, measured at 100k documents: stream the matches newest first (MATCH ... ORDER BY rowid
 * DESC LIMIT n reads n of them, 0.2 ms for 200 of 50,000). What it does not: seek single rowids
 * (rowid IN (...) re-runs the whole query per rowid, 1-10 ms each), or narrow by a rowid range
 * (costs about as much as reading every match).
 */

/** Up to this many matches of the words, every one is read, ranked and counted exactly. */
export const EXACT_COUNT_LIMIT = 5_000;
/** Matches ranked together by bm25, newest first block by block (see rankedInTiers). */
/** How many of a tier's newest matches a walk with filters reads at most before giving up. */
const TIER_WALK = 20_000;
/** How many of the newest matches of the words the filters are tried on, to estimate the total. */
const FILTER_SAMPLE = 1_000;
/** bm25 column weights: title, tags, correspondent, body. */
const COLUMN_WEIGHTS = [10, 6, 3, 1] as const;
export const WEIGHTS = sql.raw(COLUMN_WEIGHTS.map((weight) => weight.toFixed(1)).join(', '));
/** The columns a match in which puts a document in the first tier. */
const HEAD = '{title tags correspondent}';

export interface WordsSize {
  /** At most EXACT_COUNT_LIMIT matches: `total` is their count. */
  few: boolean;
  /** Documents the words match: exact when few, else estimated from the newest matches. */
  total: number;
  /** The newest matches (ids, newest first), up to EXACT_COUNT_LIMIT + 1 of them. */
  newest: number[];
}

/**
 * How many documents an FTS5 expression matches, reading at most EXACT_COUNT_LIMIT + 1 of them:
 * the newest ones. Beyond that, the share of matches among the newest documents (ids from the one
 * the oldest of them has up to the newest) stands for the whole catalogue. Any expression works
 * (phrases, AND, NOT, prefixes), since FTS5 itself says what matches; the sample leans to recent
 * documents, which is why the total is then said to be an estimate.
 */
export async function wordsSize(db: Kysely<Database>, expression: string): Promise<WordsSize> {
  const found = await sql<{ ids: string }>`
    SELECT json_group_array(rid) AS ids FROM (SELECT rowid AS rid FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${EXACT_COUNT_LIMIT + 1})`.execute(db);
  const newest = JSON.parse(found.rows[0]?.ids ?? '[]') as number[];
  if (newest.length <= EXACT_COUNT_LIMIT) return { few: true, total: newest.length, newest };
  const { low, high } = await idSpan(db);
  const oldest = newest[newest.length - 1] as number;
  return { few: false, total: (newest.length * (high - low + 1)) / Math.max(1, high - oldest + 1), newest };
}

/** A total that is an estimate: to two significant digits, and said to be one. */
export function estimated(rows: number): { total: number; totalIsEstimate: true } {
  return { total: Number(Math.max(1, Math.round(rows)).toPrecision(2)), totalIsEstimate: true };
}

export interface Words {
  /** The FTS5 expression the matches satisfy. */
  expression: string;
  /** The positive words and phrases, OR-ed: what a match in the head is tested with. */
  ranking: string;
  /** The expression is `ranking`: any one word matching makes a match. */
  anyWord: boolean;
  size: WordsSize;
}

export type RankedRow = HitRow & { score: number };

/**
 * How many of the words' matches pass the filters: the words' total times the share of their
 * newest FILTER_SAMPLE matches that pass (filters and words may go together more or less often
 * than independence would say: "type:invoice invoice"). undefined when none of the sample passes:
 * then the filters and the words rarely go together, and only reading every match can tell.
 */
export async function filteredTotal(db: Kysely<Database>, words: WordsSize, filters: RawBuilder<SqlBool>, total = words.total): Promise<number | undefined> {
  const sample = words.newest.slice(0, FILTER_SAMPLE);
  const passed = Number(
    (await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE d.id IN (SELECT value FROM json_each(${JSON.stringify(sample)})) AND ${filters}`.execute(db)).rows[0]?.count ?? 0,
  );
  return passed === 0 ? undefined : (total * passed) / sample.length;
}

/**
 * The second tier: the newest `limit` matches of its expression (the words, NOT any word in the
 * head) that pass the filters, then scored on the words alone (scoredBy). bm25 counts the
 * documents each phrase of the statement's expression matches, all of them, before it scores a
 * row: the NOT-ed head words add nothing to a match's score, but counting them cost as much as
 * the words themselves (1M, payment due: 21 ms for the tier, 11 when its matches are scored on
 * the words alone). With filters, each of the tier's newest TIER_WALK matches at most is tested;
 * undefined when the walk found too few and did not reach the tier's end: the filters rarely go
 * with the words.
 */
async function newestInBody(db: Kysely<Database>, expression: string, words: string, size: WordsSize, filters: RawBuilder<SqlBool> | undefined, limit: number): Promise<{ id: number; score: number }[] | undefined> {
  if (limit === 0) return [];
  const scored = async (found: { id: number }[]) => scoredBy(db, words, found.map((row) => row.id), size);
  if (filters === undefined) {
    return scored((await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${limit}`.execute(db)).rows);
  }
  // The walk is a co-routine: the outer LIMIT stops it once `limit` rows have passed.
  const found = (
    await sql<{ id: number }>`
      SELECT id FROM (
        SELECT rowid AS id, EXISTS (SELECT 1 FROM documents d WHERE d.id = documents_fts.rowid AND ${filters}) AS passes
        FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${TIER_WALK})
      WHERE passes LIMIT ${limit}`.execute(db)
  ).rows;
  if (found.length === limit) return scored(found);
  const walked = Number((await sql<{ count: number }>`SELECT count(*) AS count FROM (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${TIER_WALK})`.execute(db)).rows[0]?.count ?? 0);
  return walked < TIER_WALK ? scored(found) : undefined;
}

/**
 * What seeking one rowid in FTS5 costs, in matches streamed: a seek re-runs the expression for the
 * rowid (20-50 µs at 1M documents, words, ORs and phrases alike), a streamed match about 0.06 µs.
 */
export const SEEK_PER_STREAMED_MATCH = 650;

/**
 * The first tier: the newest `limit` matches with a word in their title, tags or correspondent
 * that pass the filters, scored as the second tier is (bm25 of the words over all columns, so a
 * word in the title weighs ten times one in the text). They are found in the head index
 * (documents_fts_head, migration 0021), which holds only those fields' words: walked newest
 * first with the filters, then tested against the words' whole expression (unless any word is a
 * match), in growing batches until the page is full; with filters, a batch walks TIER_WALK head
 * matches at most (undefined when that was not enough: the filters rarely go with the words).
 */
async function newestInHead(db: Kysely<Database>, words: Words, filters: RawBuilder<SqlBool> | undefined, limit: number): Promise<{ id: number; score: number }[] | undefined> {
  if (limit === 0) return [];
  const passes = filters === undefined ? sql`1` : sql`EXISTS (SELECT 1 FROM documents d WHERE d.id = documents_fts_head.rowid AND ${filters})`;
  const headMatches = (before: number, walk: number) => sql`SELECT rowid AS id, ${passes} AS passes FROM documents_fts_head WHERE documents_fts_head MATCH ${words.ranking} AND rowid < ${before} ORDER BY rowid DESC LIMIT ${walk}`;
  const picked: number[] = [];
  let before = Number.MAX_SAFE_INTEGER;
  for (let want = limit; picked.length < limit; want *= 2) {
    // The walk is a co-routine: the outer LIMIT stops it once `want` rows have passed.
    const batch = (await sql<{ id: number }>`SELECT id FROM (${headMatches(before, TIER_WALK)}) WHERE passes LIMIT ${want}`.execute(db)).rows.map((row) => row.id);
    if (batch.length > 0) picked.push(...(words.anyWord ? batch : await matchingAmong(db, words, batch)));
    if (batch.length < want) {
      // The walk ended at the head's last match, or, with filters, after TIER_WALK rows.
      if (filters !== undefined && picked.length < limit) {
        const walked = Number((await sql<{ count: number }>`SELECT count(*) AS count FROM (${headMatches(before, TIER_WALK)})`.execute(db)).rows[0]?.count ?? 0);
        if (walked === TIER_WALK) return undefined;
      }
      break;
    }
    before = batch[batch.length - 1] as number;
  }
  return scoredBy(db, words.expression, picked.slice(0, limit), words.size);
}

/**
 * Which of some documents (ids, newest first) the words' expression matches: by streaming its
 * matches newest first down to the oldest of them, or by seeking each, whichever the words' size
 * says costs less (streaming reads every match newer than the oldest id).
 */
async function matchingAmong(db: Kysely<Database>, words: Words, ids: number[]): Promise<number[]> {
  const { low, high } = await idSpan(db);
  const streamed = (words.size.total * (high - (ids[ids.length - 1] as number) + 1)) / Math.max(1, high - low + 1);
  const seek = streamed > ids.length * SEEK_PER_STREAMED_MATCH;
  const found = new Set(
    (
      await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH ${words.expression} AND ${seek ? sql`rowid` : sql`+rowid`} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
        ${seek ? sql`` : sql`ORDER BY rowid DESC LIMIT ${ids.length}`}`.execute(db)
    ).rows.map((row) => row.id),
  );
  return ids.filter((id) => found.has(id));
}

/**
 * bm25 scores of chosen matches of an expression (ids newest first), as fts5-bm25.ts computes
 * them, each phrase sized as wordsSize sizes; `words`: the expression's own size, when known.
 */
export function scoredBy(db: Kysely<Database>, expression: string, ids: readonly number[], words?: WordsSize): Promise<{ id: number; score: number }[]> {
  return pageBm25(db, expression, ids, COLUMN_WEIGHTS, async (quoted) => (await wordsSize(db, quoted)).total, words?.total);
}

/**
 * Words (and filters) by relevance when the words match many documents, reading a bounded number
 * of rows. Matches with a word in their title, tags or correspondent come first (tier 1: FTS5's
 * column filter), the others after (tier 2); each tier is cut into blocks of RANK_BLOCK, newest
 * first, and each block is ordered by bm25. Newest first is the order FTS5 streams without
 * reading every match; within a tier, up to RANK_BLOCK matches are in plain bm25 order, beyond
 * that recency comes before relevance, block by block (as on Postgres). The order does not depend
 * on the page asked for, so pages never overlap nor skip. undefined: the filters rarely go with
 * the words, and the exact plan must read every match.
 */
export async function rankedInTiers(db: Kysely<Database>, options: SearchOptions, words: Words, filters: RawBuilder<SqlBool> | undefined, hitColumns: RawBuilder<unknown>): Promise<{ total: number; totalIsEstimate?: true; rows: RankedRow[] } | undefined> {
  // The second tier is every match but those with a word in the head, which FTS5 tests as it
  // streams the matches (a NOT reads the head's positions of the rows it is asked about only).
  const secondTier = `(${words.expression}) NOT (${HEAD} : (${words.ranking}))`;
  const tiers = await tierCandidates(options.offset, options.limit, (tier, limit) => (tier === 1 ? newestInHead(db, words, filters, limit) : newestInBody(db, secondTier, words.expression, words.size, filters, limit)));
  if (tiers === undefined) return undefined;
  const { start, exact } = tiers;
  const candidates = tiers.candidates.map(({ match, tier, block }) => ({ ...match, tier, block }));
  let counted: { total: number; totalIsEstimate?: true };
  if (exact !== undefined) counted = { total: exact };
  else if (words.size.few && filters === undefined) counted = { total: words.size.total };
  else {
    const total = filters === undefined ? words.size.total : await filteredTotal(db, words.size, filters);
    if (total === undefined) return undefined;
    // Never fewer than the matches already seen.
    counted = estimated(Math.max(total, start + candidates.length));
  }
  const page = candidates.sort((a, b) => a.tier - b.tier || a.block - b.block || a.score - b.score || b.id - a.id).slice(options.offset - start, options.offset - start + options.limit);
  if (page.length === 0) return { ...counted, rows: [] };
  const rows = new Map((await sql<HitRow>`SELECT ${hitColumns}, NULL AS score FROM documents d WHERE d.id IN (SELECT value FROM json_each(${JSON.stringify(page.map((hit) => hit.id))}))`.execute(db)).rows.map((row) => [row.id, row]));
  return { ...counted, rows: page.flatMap((hit) => { const row = rows.get(hit.id); return row ? [{ ...row, score: hit.score }] : []; }) };
}

/** How many documents the filters are tried on, when no words narrow the search. */
const FILTER_DOCUMENT_SAMPLE = 2_000;
/** The longest walk along an order's index, in rows the filters are tested on, that is taken. */
const ORDER_WALK = 20_000;

/**
 * The id span of the catalogue: its oldest and newest ids, one step down the primary key each
 * (min and max in one SELECT scan the table: 35 ms at 100k).
 */
export async function idSpan(db: Kysely<Database>): Promise<{ low: number; high: number }> {
  const span = (await sql<{ low: number | null; high: number | null }>`SELECT (SELECT min(id) FROM documents) AS low, (SELECT max(id) FROM documents) AS high`.execute(db)).rows[0];
  return { low: Number(span?.low ?? 0), high: Number(span?.high ?? 0) };
}

export interface FilterShare {
  /** Documents the filters select: exact when `exact`, else from the newest documents. */
  total: number;
  exact: boolean;
  /** The share of documents that pass, as the sample says (0: none of it did). */
  share: number;
}

/**
 * Filters alone: how many documents pass, from the share of FILTER_DOCUMENT_SAMPLE ids spread
 * evenly over the catalogue's id span that do (spread, not the newest: a date filter goes with
 * when documents were added). Each is looked up by id, deleted ones are not counted as tried, and
 * NOT INDEXED has the filters tested on those rows, however selective SQLite thinks an index is.
 * A catalogue no larger than the sample is counted whole.
 */
export async function filterShare(db: Kysely<Database>, filters: RawBuilder<SqlBool>): Promise<FilterShare> {
  const { low, high } = await idSpan(db);
  const span = Math.max(0, high - low + 1);
  const whole = span <= FILTER_DOCUMENT_SAMPLE;
  const ids = whole ? [] : Array.from({ length: FILTER_DOCUMENT_SAMPLE }, (_, index) => low + Math.floor((index * span) / FILTER_DOCUMENT_SAMPLE));
  const counted = (
    await sql<{ passed: number; tried: number }>`SELECT count(*) FILTER (WHERE ${filters}) AS passed, count(*) AS tried FROM documents d NOT INDEXED
      WHERE ${whole ? sql<SqlBool>`1 = 1` : sql<SqlBool>`d.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`}`.execute(db)
  ).rows[0];
  const passed = Number(counted?.passed ?? 0);
  const tried = Number(counted?.tried ?? 0);
  const share = tried > 0 ? passed / tried : 0;
  return whole ? { total: passed, exact: true, share } : { total: share * span * (tried / FILTER_DOCUMENT_SAMPLE), exact: false, share };
}

/**
 * One filter on an indexed column: counted off its index (type:invoice, 111,000 of 1M: 4.5 ms),
 * which also gives the share exactly; the sample would cost as much again and still leave the count
 * to do.
 */
export async function countedShare(db: Kysely<Database>, filter: RawBuilder<SqlBool>): Promise<FilterShare> {
  const { low, high } = await idSpan(db);
  const counted = Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE ${filter}`.execute(db)).rows[0]?.count ?? 0);
  return { total: counted, exact: true, share: counted / Math.max(1, high - low + 1) };
}

/**
 * Whether a page of filtered documents is best read by walking the order's index and testing the
 * filters on each row: SQLite otherwise picks a filter's index and sorts everything it selects
 * (300 ms for tag:tax date:2020 in added order, 270 ms for type:invoice by date, at 1M documents),
 * where the walk reads (offset + limit) / share rows.
 */
export function walkOrderIndex(share: number, offset: number, limit: number): boolean {
  return share > 0 && (offset + limit) / share <= ORDER_WALK;
}
