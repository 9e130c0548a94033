import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { positiveTextNodes, type QueryNode } from './query-parser.js';
import type { SqlDialect } from '../dialect/types.js';
import type { Database } from '../schema.js';
import { compile } from './compile.js';
import { RANK_BLOCK, tierCandidates } from './tiers.js';
import { documentCount, estimated, EXACT_COUNT_LIMIT, type Matches, planOf, plannedRows, type Size, sizeOf } from './postgres-estimates.js';
import { toHit } from './hits.js';
import type { HitRow, SearchHit, SearchOptions, SearchResult } from './types.js';
import { boundingQueries, conjunctionToTsquery, markSnippet, rankingQuery } from './tsquery.js';
import { pairsQuery } from './word-pairs.js';

type TextNode = ReturnType<typeof positiveTextNodes>[number];

/**
 * The same query language on Postgres: the tree compiles to the same predicates, with words and
 * phrases as tsquery matches (db/tsquery.ts). Relevance is ts_rank with title, tags and
 * correspondent weighted above the body, returned negated so that, as with SQLite's bm25, lower
 * is better. Snippets are cut in JavaScript from the document text.
 *
 * What costs time on Postgres is reading rows, not finding them: the GIN index names the matches
 * at once, but each match is a visit to its row, and a longer document's vector is TOASTed, so
 * testing or ranking it means fetching and decompressing it. So every plan reads a bounded number
 * of rows where it can: relevance walks the matches newest first and ranks blocks of them
 * (rankedInTiers), date order walks the date index (walkInOrder), and a large total is an
 * estimate (manyMatches; postgres-estimates.ts). The planner does not know what a vector costs to read: it
 * would scan the whole table for a common word, or probe every document in date order for a rare
 * one; searches run with sequential scans off (migration 0015 gives every filter an index), and
 * the plans that must read all matches say so with MATERIALIZED.
 */

const HIT_COLUMNS = sql`d.id, d.title, d.type, d.document_date, d.correspondent, d.tags, d.method, d.mime, d.added_at, d.blob_backend, d.blob_key,
  (SELECT json_agg(s.path)::text FROM sources s WHERE s.document_id = d.id) AS paths`;

/** A hit's row, with the document's text when a snippet is cut from it (in the same statement). */
type TextHitRow = HitRow & { body?: string | null };

/** HIT_COLUMNS, and the text for the snippets when the query has words. */
function hitColumns(textNodes: readonly TextNode[]): RawBuilder<unknown> {
  return textNodes.length > 0 ? sql`${HIT_COLUMNS}, d.text AS body` : HIT_COLUMNS;
}
/** ts_rank weights for D (body), C (correspondent), B (tags), A (title). */
const WEIGHTS = sql.raw(`'{0.1, 0.3, 0.6, 1.0}'`);

/**
 * Filters alone are counted unless there are more than EXACT_COUNT_LIMIT and a count also costs
 * more than this (about one page read from memory per unit): a filter that an index-only scan
 * counts stays exact however many documents it selects.
 */
const COUNT_COST_LIMIT = 2_000;
/** How many times the rows a page needs, at the matches' share, the walk may read before giving up. */
const WALK_SLACK = 4;
/** Longer walks than this sort the matches instead. */
const WALK_LIMIT = 10_000;
/**
 * A tier expected to hold more matches than this (by statistics or a sample, not a guess) is
 * walked at once (see newestMatches): reading the index's whole list for it costs more.
 */
const COMMON_TIER = 10 * RANK_BLOCK;
/** How many of the newest documents a tier's walk reads at most (see newestMatches). */
const TIER_WALK = 20_000;

export async function searchPostgres(db: Kysely<Database>, options: SearchOptions, dialect: SqlDialect): Promise<SearchResult> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`.execute(trx);
    return plan(trx, options, dialect);
  });
}

async function plan(db: Kysely<Database>, options: SearchOptions, dialect: SqlDialect): Promise<SearchResult> {
  const now = options.now ?? new Date();
  const textNodes = positiveTextNodes(options.tree);
  const conjuncts = options.tree ? (options.tree.kind === 'and' ? options.tree.children : [options.tree]) : [];
  // The usual query is words AND filters: the words become one tsquery that the GIN index
  // answers; the filters and anything else stay predicates on documents.
  const { expression, residual } = conjunctionToTsquery(conjuncts);
  const ranking = options.sort === 'relevance' ? rankingQuery(textNodes) : undefined;
  if (expression !== undefined) {
    // A phrase: the documents where its words stand together first (word-pairs.ts), then the test.
    const pairQuery = pairsQuery(conjuncts.filter((node) => !residual.includes(node)));
    const pairs = pairQuery === undefined ? undefined : sql<SqlBool>`f.pairs @@ ${pairQuery}::tsquery`;
    const words = sql<SqlBool>`f.tsv @@ to_tsquery('simple', ${expression})`;
    const text = pairs === undefined ? words : sql<SqlBool>`${pairs} AND ${words}`;
    const matches: Matches = { text, filters: residual.length > 0 ? compile({ kind: 'and', children: residual }, now, 'probe', dialect) : undefined };
    // By date, the share of matches decides how far the walk goes: it must not rest on the
    // planner's guess for a word it keeps no statistics on (see sizeOf).
    const size = await sizeOf(db, matches, expression, boundingQueries(conjuncts.filter((node) => !residual.includes(node))), ranking === undefined, pairs);
    if (ranking !== undefined) {
      const inHead = sql<SqlBool>`f.head @@ to_tsquery('simple', ${ranking})`;
      if (size.few) return rankedInTiers(db, options, await allInTiers(db, matches, inHead), ranking, textNodes);
      // When any one word matching makes the query match (no AND, no NOT), a title, tag or
      // correspondent match is a match: saying so again would make the planner expect far fewer
      // rows than there are.
      const headMatches: Matches = { ...matches, text: anyWordMatches(conjuncts.filter((node) => !residual.includes(node))) ? inHead : sql<SqlBool>`${inHead} AND ${text}` };
      const bodyMatches: Matches = { ...matches, text: sql<SqlBool>`NOT (${inHead}) AND ${text}` };
      const tiers: Tiers = {
        total: () => manyMatches(db, matches, size),
        // Walked at once when the tier is common: body matches as sizeOf says, title matches as
        // the planner expects (it keeps statistics on nearly every title word, see 0018).
        newest: async (tier, limit) =>
          newestMatches(db, tier === 1 ? headMatches : bodyMatches, limit, (tier === 2 ? size.words : await plannedRows(db, sql`SELECT 1 FROM documents_fts f WHERE ${headMatches.text ?? sql<SqlBool>`TRUE`}`)) > COMMON_TIER),
      };
      return rankedInTiers(db, options, tiers, ranking, textNodes);
    }
    if (!size.few) {
      const walked = await walkInOrder(db, options, matches, size.words, textNodes);
      if (walked) return walked;
    }
    return allInOrder(db, options, matches, textNodes);
  }
  const where = options.tree ? compile(options.tree, now, 'probe', dialect) : sql<SqlBool>`TRUE`;
  // Counting visits every match: filters on other tables as sets there (see Mode in search.ts).
  const counted = await countFilters(db, options.tree ? compile(options.tree, now, 'set', dialect) : sql<SqlBool>`TRUE`);
  if (ranking !== undefined) return { ...counted, hits: await rankedByHead(db, options, where, ranking, textNodes) };
  // Filters alone in date or added order: the planner walks an order's index or sorts, as the
  // filters' estimated share says; the page is cut before its columns are read, so the sources
  // subquery runs for the rows shown only.
  const order = orderOf(options);
  const rows = await sql<TextHitRow>`
    WITH page AS MATERIALIZED (SELECT d.id FROM documents d WHERE ${where} ORDER BY ${order} LIMIT ${options.limit} OFFSET ${options.offset})
    SELECT ${hitColumns(textNodes)}, NULL::float8 AS score FROM page JOIN documents d ON d.id = page.id ORDER BY ${order}`.execute(db);
  return { ...counted, hits: withSnippets(rows.rows, textNodes) };
}

function orderOf(options: SearchOptions): RawBuilder<unknown> {
  return options.sort === 'date' ? sql`d.document_date DESC NULLS LAST, d.id DESC` : sql`d.added_at DESC, d.id DESC`;
}

/** How many of the newest matches of the words the filters are tried on, to estimate the total. */
const FILTER_SAMPLE = 500;

/**
 * The total of a query whose words match many documents. Words alone: the planner's estimate.
 * With filters: the words' estimate times the share of their newest FILTER_SAMPLE matches that
 * pass the filters, since the planner would take words and filters to be independent (it put
 * "type:invoice invoice" at a tenth of its 11,000 matches). Even when the filters pass few
 * documents: testing the words on each of them reads its vector (after:2023-01-01
 * before:2023-07-01 receipt at 100,000: 5,051 documents, 22 ms, most of that search).
 */
async function manyMatches(db: Kysely<Database>, matches: Matches, size: Size): Promise<{ total: number; totalIsEstimate?: true }> {
  const text = matches.text ?? sql<SqlBool>`TRUE`;
  const filters = matches.filters;
  if (filters === undefined) return estimated(size.words);
  const sample = await sql<{ passed: number; tried: number }>`
    WITH s AS MATERIALIZED (SELECT f.document_id AS id FROM documents_fts f WHERE ${text} ORDER BY f.document_id DESC LIMIT ${FILTER_SAMPLE})
    SELECT count(*) FILTER (WHERE ${filters}) AS passed, count(*) AS tried FROM s JOIN documents d ON d.id = s.id`.execute(db);
  const { passed = 0, tried = 0 } = sample.rows[0] ?? {};
  // Fewer than the sample: every match was tried, and the count is exact.
  if (Number(tried) < FILTER_SAMPLE) return { total: Number(passed) };
  return estimated((size.words * Number(passed)) / Number(tried));
}

/** The ids of the matches, in the order of a tier, newest first (see rankedInTiers). */
interface Tiers {
  total(): Promise<{ total: number; totalIsEstimate?: true }>;
  /** Fewer than `limit`: every match of the tier. */
  newest(tier: 1 | 2, limit: number): Promise<number[]>;
}

/**
 * The newest `limit` matches of a tier, reading a bounded number of rows whatever the planner
 * expects (its guess for a word it keeps no statistics on, or for filters that go with the words
 * more or less often than chance, can be off a hundredfold; a walk it chose on such a guess read
 * a million rows to find nothing). Unless the tier is known to be common: up to limit + 1
 * matches from the GIN index in no order, which is all of a rare tier (title matches of a body
 * word, usually), but costs as much as the word's whole list in the index. More: a walk back from
 * the newest document over TIER_WALK rows at most, testing each (filters row by row, OFFSET 0
 * keeping the planner from joining them with every document), which finds the page of a common
 * tier after a few hundred rows. Still short: the tier is rare among the newest, and all of it is
 * read from the indexes and sorted.
 */
async function newestMatches(db: Kysely<Database>, among: Matches, limit: number, common: boolean): Promise<number[]> {
  const from = among.filters === undefined ? sql`documents_fts f` : sql`documents_fts f JOIN documents d ON d.id = f.document_id`;
  const ids = (rows: { id: number }[]) => rows.map((row) => Number(row.id));
  if (!common) {
    const some = ids((await sql<{ id: number }>`SELECT f.document_id AS id FROM ${from} WHERE ${whereOf(among)} LIMIT ${limit + 1}`.execute(db)).rows);
    if (some.length <= limit) return some.sort((a, b) => b - a);
  }
  const walked = ids(
    (
      await sql<{ id: number }>`
      SELECT f.document_id AS id FROM (SELECT document_id, head, tsv, pairs FROM documents_fts ORDER BY document_id DESC LIMIT ${TIER_WALK}) f
      ${among.filters === undefined ? sql`` : sql`CROSS JOIN LATERAL (SELECT 1 FROM documents d WHERE d.id = f.document_id AND ${among.filters} OFFSET 0) d`}
      WHERE ${among.text ?? sql<SqlBool>`TRUE`}
      ORDER BY f.document_id DESC LIMIT ${limit}`.execute(db)
    ).rows,
  );
  if (walked.length === limit) return walked;
  // "+ 0": sorted from the index's matches, never a walk along the primary key.
  return ids((await sql<{ id: number }>`SELECT f.document_id AS id FROM ${from} WHERE ${whereOf(among)} ORDER BY f.document_id + 0 DESC LIMIT ${limit}`.execute(db)).rows);
}

/** Few matches: all of them at once, with whether their head matches, which also counts them. */
async function allInTiers(db: Kysely<Database>, matches: Matches, inHead: RawBuilder<SqlBool>): Promise<Tiers> {
  const rows = (
    await sql<{ id: number; head: boolean }>`
      WITH t AS MATERIALIZED (SELECT f.document_id AS id, ${inHead} AS head FROM documents_fts f WHERE ${matches.text ?? sql<SqlBool>`TRUE`})
      SELECT t.id, t.head FROM t ${matches.filters === undefined ? sql`` : sql`JOIN documents d ON d.id = t.id WHERE ${matches.filters}`}`.execute(db)
  ).rows;
  const tier = (head: boolean) => rows.filter((row) => row.head === head).map((row) => Number(row.id)).sort((a, b) => b - a);
  const ids = { 1: tier(true), 2: tier(false) };
  return { total: async () => ({ total: rows.length }), newest: async (which, limit) => ids[which].slice(0, limit) };
}

/**
 * Words (and filters) by relevance, reading a bounded number of rows however many documents match.
 * Matches whose title, tags or correspondent hold a word come first (tier 1), the others after
 * (tier 2); each tier is cut into blocks of RANK_BLOCK, newest first, and a block is ordered by
 * ts_rank over the whole vector. Newest first is what an index gives without reading every match:
 * the walk back along documents_fts's primary key stops once it has the blocks the page falls in
 * (a few hundred neighbouring rows for a common word), and a rare word is found through the GIN
 * indexes instead (the planner chooses). Only those blocks' whole vectors are read. ts_rank gives
 * a title, tag or correspondent match at least 0.18 and a body-only match at most 0.1, so the tiers
 * keep the order ts_rank would give between them; within a tier, up to RANK_BLOCK matches are in
 * plain ts_rank order, and beyond that recency comes before relevance, block by block. The order
 * does not depend on the page asked for, so pages never overlap.
 */
async function rankedInTiers(db: Kysely<Database>, options: SearchOptions, tiers: Tiers, ranking: string, textNodes: TextNode[]): Promise<SearchResult> {
  const taken = await tierCandidates(options.offset, options.limit, tiers.newest);
  const { start, exact } = taken;
  const candidates = taken.candidates.map(({ match, tier, block }) => ({ id: match, tier, block }));
  const counted = exact !== undefined ? { total: exact } : await tiers.total();
  if (candidates.length === 0) return { ...counted, hits: [] };
  // The blocks' candidates ranked, the page cut from them and its rows read, in one statement.
  const order = sql`c.tier, c.block, c.score, c.id DESC`;
  const rows = await sql<TextHitRow>`
    WITH c AS MATERIALIZED (
      SELECT c.id, c.tier, c.block, coalesce(-ts_rank(${WEIGHTS}, f.tsv, to_tsquery('simple', ${ranking})), 0) AS score
      FROM unnest(${candidates.map((candidate) => candidate.id)}::bigint[], ${candidates.map((candidate) => candidate.tier)}::int[], ${candidates.map((candidate) => candidate.block)}::int[]) AS c(id, tier, block)
      LEFT JOIN documents_fts f ON f.document_id = c.id),
    page AS MATERIALIZED (SELECT c.id, c.tier, c.block, c.score FROM c ORDER BY ${order} LIMIT ${options.limit} OFFSET ${options.offset - start})
    SELECT ${hitColumns(textNodes)}, c.score::float8 AS score FROM page c JOIN documents d ON d.id = c.id ORDER BY ${order}`.execute(db);
  return { ...counted, hits: withSnippets(rows.rows, textNodes) };
}

/** Words and phrases joined by OR only: any one of them matching is a match. */
function anyWordMatches(parts: readonly QueryNode[]): boolean {
  const words = (node: QueryNode): boolean => node.kind === 'term' || node.kind === 'phrase' || (node.kind === 'or' && node.children.every(words));
  return parts.length === 1 && words(parts[0] as QueryNode);
}

/**
 * Many matches, by date or when added: walking the documents in that order, filters first (the
 * planner may use their indexes), finds a page long before sorting every match would. The walk
 * is bounded, because matches may bunch up at the far end of the order: undefined when it comes
 * back short, or would be long. The words are then tested on the walked documents all at once:
 * with the walked ids a list of known length, Postgres intersects the GIN index's matches with
 * them (a BitmapAnd) and reads only the rows in both. Tested row by row, each document's vector
 * was read, TOASTed for a longer one: half a second for 2,000 documents of a million.
 */
async function walkInOrder(db: Kysely<Database>, options: SearchOptions, matches: Matches, words: number, textNodes: TextNode[]): Promise<SearchResult | undefined> {
  const documents = await documentCount(db);
  const share = documents > 0 ? Math.min(1, words / documents) : 1;
  const bound = Math.ceil((WALK_SLACK * (options.offset + options.limit)) / Math.max(share, 1e-9));
  if (bound > WALK_LIMIT) return undefined;
  const order = orderOf(options);
  // Only the order's own columns: the walk is then read off the order's index alone, never a
  // visit to each wide documents row.
  // As one array literal, which crosses the wire cheaper than its rows.
  const walk = (
    await sql<{ ids: string | null; count: number }>`
      SELECT array_agg(d.id ORDER BY ${order})::text AS ids, count(*) AS count
      FROM (SELECT d.id, d.document_date, d.added_at FROM documents d WHERE ${matches.filters ?? sql<SqlBool>`TRUE`} ORDER BY ${order} LIMIT ${bound}) d`.execute(db)
  ).rows[0];
  const walkedCount = Number(walk?.count ?? 0);
  if (walkedCount < options.offset + options.limit) return undefined;
  const walked = walk?.ids ?? '{}';
  const found = await sql<TextHitRow & { matched: number }>`
    WITH m AS MATERIALIZED (SELECT f.document_id AS id FROM documents_fts f WHERE ${matches.text ?? sql<SqlBool>`TRUE`} AND f.document_id = ANY(${walked}::bigint[])),
    page AS MATERIALIZED (SELECT w.id, w.n FROM unnest(${walked}::bigint[]) WITH ORDINALITY AS w(id, n) JOIN m ON m.id = w.id ORDER BY w.n LIMIT ${options.limit} OFFSET ${options.offset})
    SELECT ${hitColumns(textNodes)}, NULL::float8 AS score, (SELECT count(*) FROM m) AS matched FROM page JOIN documents d ON d.id = page.id ORDER BY page.n`.execute(db);
  if (found.rows.length < options.limit) return undefined;
  const matched = Number(found.rows[0]?.matched ?? 0);
  const hits = withSnippets(found.rows, textNodes);
  // A walk that came back short read every document the filters pass. A full one is a sample of
  // them, the newest in the order, and the share of it that matched scales their number (which
  // the planner knows far better than the words and filters together, see manyMatches). Without
  // filters, the words' own estimate says more.
  if (walkedCount < bound) return { total: matched, hits };
  if (matches.filters === undefined) return { ...estimated(words), hits };
  const filtered = await plannedRows(db, sql`SELECT 1 FROM documents d WHERE ${matches.filters}`);
  return { ...estimated((filtered * matched) / walkedCount), hits };
}

/**
 * Words (and filters) by date or when added, from every match: the words' matches from the GIN
 * index, the filters tested on those (on the covering indexes of migration 0015), which also
 * gives the total.
 */
async function allInOrder(db: Kysely<Database>, options: SearchOptions, matches: Matches, textNodes: TextNode[]): Promise<SearchResult> {
  const order = orderOf(options);
  const rows = await sql<TextHitRow & { total: number }>`
    WITH t AS MATERIALIZED (SELECT f.document_id AS id FROM documents_fts f WHERE ${matches.text ?? sql<SqlBool>`TRUE`}),
    m AS MATERIALIZED (SELECT d.id, d.document_date, d.added_at FROM t JOIN documents d ON d.id = t.id WHERE ${matches.filters ?? sql<SqlBool>`TRUE`}),
    page AS MATERIALIZED (SELECT d.id FROM m d ORDER BY ${order} LIMIT ${options.limit} OFFSET ${options.offset})
    SELECT ${hitColumns(textNodes)}, NULL::float8 AS score, (SELECT count(*) FROM m) AS total FROM page JOIN documents d ON d.id = page.id ORDER BY ${order}`.execute(db);
  // An empty first page means no match at all; only a page past the end needs counting again.
  const total =
    rows.rows[0]?.total ??
    (options.offset === 0 ? 0 : undefined) ??
    (await sql<{ count: number }>`WITH t AS MATERIALIZED (SELECT f.document_id AS id FROM documents_fts f WHERE ${matches.text ?? sql<SqlBool>`TRUE`}) SELECT count(*) AS count FROM t JOIN documents d ON d.id = t.id WHERE ${matches.filters ?? sql<SqlBool>`TRUE`}`.execute(db)).rows[0]?.count ??
    0;
  return { total: Number(total), hits: withSnippets(rows.rows, textNodes) };
}

/**
 * Words the tsquery cannot say as a whole (an OR with a filter), by relevance: every match with
 * its head rank, then the blocks of RANK_BLOCK the page falls in, in head order, each ranked by
 * the whole vector. A rare shape: this reads every match.
 */
async function rankedByHead(db: Kysely<Database>, options: SearchOptions, where: RawBuilder<SqlBool>, ranking: string, textNodes: TextNode[]): Promise<SearchHit[]> {
  const first = Math.floor(options.offset / RANK_BLOCK) * RANK_BLOCK;
  const end = Math.ceil((options.offset + options.limit) / RANK_BLOCK) * RANK_BLOCK;
  const headOrder = sql`c.head DESC NULLS LAST, c.id DESC`;
  const order = sql`ORDER BY r.block, r.score ASC NULLS LAST, r.id DESC`;
  const rows = await sql<TextHitRow & { position: number }>`
    WITH m AS MATERIALIZED (SELECT d.id, ts_rank(${WEIGHTS}, f.head, to_tsquery('simple', ${ranking})) AS head FROM documents d LEFT JOIN documents_fts f ON f.document_id = d.id WHERE ${where}),
    c AS MATERIALIZED (SELECT c.id, c.head FROM m c ORDER BY ${headOrder} LIMIT ${end - first} OFFSET ${first}),
    r AS (SELECT c.id, (row_number() OVER (ORDER BY ${headOrder}) - 1) / ${RANK_BLOCK} AS block, -ts_rank(${WEIGHTS}, f.tsv, to_tsquery('simple', ${ranking})) AS score
      FROM c LEFT JOIN documents_fts f ON f.document_id = c.id),
    page AS (SELECT r.id, r.score, row_number() OVER (${order}) AS position FROM r ${order} LIMIT ${options.limit} OFFSET ${options.offset - first})
    SELECT ${hitColumns(textNodes)}, page.score AS score, page.position
    FROM page JOIN documents d ON d.id = page.id
    ORDER BY page.position`.execute(db);
  return withSnippets(rows.rows, textNodes);
}

function whereOf(matches: Matches): RawBuilder<SqlBool> {
  const parts = [matches.text, matches.filters].filter((part): part is RawBuilder<SqlBool> => part !== undefined);
  return parts.length === 0 ? sql<SqlBool>`TRUE` : sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/**
 * How many documents filters select: counted, unless the planner expects many and a count that
 * costs much (an index-only scan counts a filter on an indexed column cheaply, however many).
 */
async function countFilters(db: Kysely<Database>, where: RawBuilder<SqlBool>): Promise<{ total: number; totalIsEstimate?: true }> {
  const plan = await planOf(db, sql`SELECT count(*) FROM documents d WHERE ${where}`);
  if (plan.rows > EXACT_COUNT_LIMIT && plan.cost > COUNT_COST_LIMIT) return estimated(plan.rows);
  return { total: Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE ${where}`.execute(db)).rows[0]?.count ?? 0) };
}

/** Snippets are cut in JavaScript from the text of the page's documents only. */
function withSnippets(rows: TextHitRow[], textNodes: TextNode[]): SearchHit[] {
  return rows.map((row) => toHit(row, textNodes.length > 0 ? markSnippet(row.body ?? '', textNodes) : undefined));
}
