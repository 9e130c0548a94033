import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../dialect/types.js';
import type { Database } from '../schema.js';
import { compile, INDEXED_FIELDS } from './compile.js';
import { countMatches, inKnown, inMatches, knownIds, matchingIds } from './fts5.js';
import { expandedSyntax } from './fts5-prefix.js';
import { MARK_END, MARK_START, toHit } from './hits.js';
import { positiveTextNodes, splitConjunction, type QueryNode } from './query-parser.js';
import type { HitRow, Mode, SearchOptions, SearchResult } from './types.js';
import { countedShare, EXACT_COUNT_LIMIT, estimated, filteredTotal, filterShare, idSpan, rankedInTiers, scoredBy, SEEK_PER_STREAMED_MATCH, WEIGHTS, walkOrderIndex, type WordsSize, wordsSize } from './sqlite-many.js';
import { RANK_BLOCK } from './tiers.js';

/** SQLite's search plans: FTS5 for text, with the plan picked by sort order and filters. */

/** What every result row carries (HitRow without its score), whichever plan found it. */
const HIT_COLUMNS = sql`d.id, d.title, d.type, d.document_date, d.correspondent, d.tags, d.method, d.mime, d.added_at, d.blob_backend, d.blob_key,
  (SELECT json_group_array(s.path) FROM sources s WHERE s.document_id = d.id) AS paths`;

/** Searches a SQLite catalogue; the query is already bounded. */
export async function searchSqlite(db: Kysely<Database>, options: SearchOptions, dialect: SqlDialect): Promise<SearchResult> {
  const now = options.now ?? new Date();
  const conjuncts = options.tree ? (options.tree.kind === 'and' ? options.tree.children : [options.tree]) : [];
  const { syntax, expanded } = await expandedSyntax(db, options.tree);
  const { expression, residual } = splitConjunction(conjuncts, syntax);
  // Fast path: one FTS5 MATCH both selects and ranks; filters apply to its (scored) matches.
  // Otherwise the tree is compiled whole and ranking uses the positive words separately.
  const matchQuery = expression ?? positiveTextNodes(options.tree).map((node) => syntax.word(node.text, node.prefix)).join(' OR ');
  // Scores matter only for relevance order; sorted by date or by when they were added, text is a
  // plain filter and the page can be read off an index.
  const byRelevance = options.sort === 'relevance';
  const ranked = matchQuery.length > 0 && byRelevance;
  const useExpression = expression !== undefined && byRelevance;
  const residualWhere = residual.length > 0 ? compile({ kind: 'and', children: residual }, now, 'probe', dialect) : sql<SqlBool>`1 = 1`;
  // Words that match many documents are not all read: bounded plans (sqlite-many.ts) instead.
  const words = expression !== undefined ? await wordsSize(db, expression) : undefined;
  // A phrase alone, by relevance: FTS5's bm25 would read every position of its words once more to
  // count it (at 1M, "total due": 10 ms to size, 20 to size and rank), so its matches are scored
  // from the count sizing gave (fts5-bm25.ts): all of them when they fit in a block, else in tiers.
  const hasPhrase = positiveTextNodes(options.tree).some((node) => node.phrase);
  const phraseAlone = useExpression && residual.length === 0 && hasPhrase;
  // Few matches were all read to size them: as a list of ids they are a set without running the
  // expression again (a phrase reads both words' positions each time: 8 ms for "total due" at 1M).
  const textSet = words?.few === true ? knownIds(words.newest) : expression !== undefined ? matchingIds(expression) : undefined;
  // Words that match nothing: nothing matches the conjunction either, and nothing needs reading.
  if (words?.few === true && words.total === 0) return { total: 0, hits: [] };
  const ranking = positiveTextNodes(options.tree).map((node) => syntax.word(node.text, node.prefix)).join(' OR ');
  // A prefix FTS5 must expand itself (see fts5-prefix.ts) costs a merge per statement.
  const prefixed = positiveTextNodes(options.tree).some((node) => node.prefix && !expanded.has(node.text.toLowerCase()));
  if (expression !== undefined && words !== undefined && (!words.few || (phraseAlone && words.total > RANK_BLOCK)) && byRelevance && ranking.length > 0) {
    const textParts = conjuncts.filter((node) => !residual.includes(node));
    const many = await rankedInTiers(db, options, { expression, ranking, anyWord: anyWordMatches(textParts), size: words }, residual.length > 0 ? residualWhere : undefined, HIT_COLUMNS);
    if (many !== undefined) {
      const { rows, ...counted } = many;
      return { ...counted, hits: await withSnippets(db, rows, prefixed, matchQuery, true) };
    }
  }
  const where = useExpression
    ? residualWhere
    : expression !== undefined
      ? sql<SqlBool>`${textSet} AND ${residualWhere}`
      : options.tree ? compile(options.tree, now, 'probe', dialect) : sql<SqlBool>`1 = 1`;
  // Counting visits every match, so it takes the text as a set, never as per-row probes; with
  // text, the few documents it matches are probed (measured faster), without it filters are sets.
  // An indexed column among the filters narrows better still, and the others are probed from it.
  const countMode: Mode = conjuncts.some((node) => node.kind === 'field' && INDEXED_FIELDS.has(node.field)) ? 'probe' : 'set';
  const countWhere = textSet !== undefined ? sql<SqlBool>`${textSet} AND ${residualWhere}` : options.tree ? compile(options.tree, now, countMode, dialect) : sql<SqlBool>`1 = 1`;
  // Filters alone: how many documents pass says how to read the page and whether to count
  // (sqlite-many.ts). One indexed column is counted off its index, however many documents it
  // selects; other filters are tried on a sample spread over the catalogue.
  const countable = conjuncts.length === 1 && conjuncts[0]?.kind === 'field' && INDEXED_FIELDS.has(conjuncts[0].field);
  const filtersAlone =
    expression === undefined && matchQuery.length === 0 && options.tree !== undefined ? await (countable ? countedShare(db, countWhere) : filterShare(db, where)) : undefined;
  const orderIndex =
    filtersAlone !== undefined && walkOrderIndex(filtersAlone.share, options.offset, options.limit) ? sql.raw(options.sort === 'date' ? 'INDEXED BY documents_date' : 'INDEXED BY documents_added') : sql``;
  // MATERIALIZED: score every match once; as a plain join SQLite re-ran the MATCH per document.
  const withRank = ranked ? sql`WITH r AS MATERIALIZED (SELECT rowid AS rid, bm25(documents_fts, ${WEIGHTS}) AS score FROM documents_fts WHERE documents_fts MATCH ${matchQuery})` : sql``;
  const from = useExpression ? sql`r JOIN documents d ON d.id = r.rid` : ranked ? sql`documents d LEFT JOIN r ON r.rid = d.id` : sql`documents d`;
  const order =
    options.sort === 'date'
      ? sql`ORDER BY d.document_date DESC, d.id DESC` // NULLs sort last under DESC; the index serves the order
      : options.sort === 'added' || !ranked
        ? sql`ORDER BY d.added_at DESC, d.id DESC`
        : sql`ORDER BY r.score IS NULL, r.score ASC, d.id DESC`;
  const walked: PageRows | undefined =
    expression === undefined || words === undefined || options.sort === 'relevance'
      ? undefined
      : await matchesInOrder(db, options.sort, expression, textSet ?? matchingIds(expression), words, order, options.limit, options.offset, residual.length > 0 ? { where: residualWhere, ...orderRange(residual, options.sort, now, dialect) } : undefined, !prefixed);
  const rows: { rows: (HitRow & { total: number | null })[] } = walked
    ? walked
    : useExpression && residual.length === 0
    ? words?.few === true && phraseAlone
      ? await scoredPage(db, await scoredBy(db, expression, words.newest, words), options.limit, options.offset)
      : await topMatches(db, expression, options.limit, options.offset, words?.few ? words.total : undefined)
    : await sql<HitRow & { total: number | null }>`
    ${withRank}
    SELECT ${HIT_COLUMNS}, ${ranked ? sql`r.score` : sql`NULL`} AS score,
      ${ranked ? sql`count(*) OVER ()` : sql`NULL`} AS total
    FROM ${from} ${orderIndex}
    WHERE ${where}
    ${order}
    LIMIT ${options.limit} OFFSET ${options.offset}`.execute(db);
  let total = Number(rows.rows[0]?.total ?? 0);
  let estimate: { totalIsEstimate?: true } = walked?.totalIsEstimate === true && rows.rows.length > 0 ? { totalIsEstimate: true } : {};
  if (filtersAlone !== undefined && (filtersAlone.exact || filtersAlone.total > EXACT_COUNT_LIMIT)) {
    if (filtersAlone.exact) total = filtersAlone.total;
    else ({ total, ...estimate } = estimated(Math.max(filtersAlone.total, options.offset + rows.rows.length)));
  } else if (rows.rows[0]?.total === null || rows.rows.length === 0) {
    // With text, every match is scored anyway and the window counts them in the same pass.
    // Filters alone are counted apart, so that the page query can stop early on an index.
    total =
      words?.few === true && residual.length === 0
        ? words.total
        : expression !== undefined && residual.length === 0
        ? await countMatches(db, expression)
        : Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE ${countWhere}`.execute(db)).rows[0]?.count ?? 0);
  }
  // Few matches of words are streamed for the page's snippets rather than sought one by one: a
  // seek re-runs the expression (20 seeks of payment AND due: 7.7 ms at 100k; streaming its 4,190
  // matches: 1). Not a phrase: its stream reads every position of its words in every document
  // that has them all ("total due" at 1M: 10 ms, its seeks 1).
  const streamed = words?.few === true && !hasPhrase;
  return { total, ...estimate, hits: await withSnippets(db, rows.rows, prefixed, matchQuery, streamed, walked?.snippets) };
}

/**
 * The page's hits, with snippets for its rows only: they cost a pass over each document's text.
 * `stream`: walk the matches newest first to the page's oldest row, which is bounded (a page from
 * the newest matches, or few matches in all), instead of seeking each row.
 */
async function withSnippets(db: Kysely<Database>, rows: HitRow[], prefixed: boolean, matchQuery: string, stream = false, known?: ReadonlyMap<number, string>): Promise<SearchResult['hits']> {
  const snippets = new Map<number, string>(known);
  // A plan that sought the page's rows in FTS5 already made their snippets.
  const missing = rows.filter((row) => !snippets.has(row.id));
  if (matchQuery.length > 0 && missing.length > 0) {
    const ids = JSON.stringify(missing.map((row) => row.id));
    // FTS5 seeks each rowid of the page by re-running the query, which for a prefix longer than
    // the prefix indexes means merging every expanded term's list again (30 ms for insur* at 100k);
    // then one scan of the matches with the page as a plain filter (+rowid) is cheaper.
    // A page from the newest matches (sqlite-many.ts) is found by walking the matches newest
    // first, stopping at its last row: 2 ms instead of 19 for "invoice" at 100k, and bounded.
    const page = stream || prefixed ? sql`+rowid` : sql`rowid`;
    const marked = await sql<{ rid: number; snip: string }>`
      SELECT rowid AS rid, snippet(documents_fts, -1, ${MARK_START}, ${MARK_END}, '…', 16) AS snip
      FROM documents_fts WHERE documents_fts MATCH ${matchQuery} AND ${page} IN (SELECT value FROM json_each(${ids}))
      ${stream ? sql`ORDER BY rowid DESC LIMIT ${missing.length}` : sql``}`.execute(db);
    for (const row of marked.rows) snippets.set(row.rid, row.snip);
  }
  return rows.map((row) => toHit(row, snippets.get(row.id)));
}

/** Words and phrases joined by OR only: any one of them matching is a match. */
function anyWordMatches(parts: readonly QueryNode[]): boolean {
  const words = (node: QueryNode): boolean => node.kind === 'term' || node.kind === 'phrase' || (node.kind === 'or' && node.children.every(words));
  return parts.length === 1 && words(parts[0] as QueryNode);
}

/**
 * How many entries of an order's index a walk reads for the cost of looking one document up: the
 * index is small and read in order, while a document's row is a page of its own read at random
 * (the whole date index of 100k documents in 5 ms; 39k matches of 1M looked up in 140 ms, 2 s
 * from a cold cache).
 */
const WALK_PER_LOOKUP = 40;

type PageRows = { rows: (HitRow & { total: number | null })[]; totalIsEstimate?: true; snippets?: ReadonlyMap<number, string> };

/** Filters with text, by date or when added: all of them, and apart those on the order's own column and the rest. */
interface Filters {
  where: RawBuilder<SqlBool>;
  range?: RawBuilder<SqlBool>;
  rest?: RawBuilder<SqlBool>;
}

/** The filters on the order's own column (a range its index reads), and the others. */
function orderRange(residual: QueryNode[], sort: 'date' | 'added', now: Date, dialect: SqlDialect): Omit<Filters, 'where'> {
  const fields = sort === 'date' ? ['date', 'after', 'before'] : ['added'];
  const onOrder = residual.filter((node) => node.kind === 'field' && fields.includes(node.field));
  const rest = residual.filter((node) => !onOrder.includes(node));
  const compiled = (nodes: QueryNode[]) => (nodes.length === 0 ? undefined : compile({ kind: 'and', children: nodes }, now, 'probe', dialect));
  return { range: compiled(onOrder), rest: compiled(rest) };
}

/** The order's first rows a walk takes, as a multiple of the rows the matches' share says hold a page. */
const CANDIDATE_MARGIN = 4;

/**
 * Text, ordered by date or by when added. Few matches (all known, `textSet` lists them) are walked
 * against along the order and sorted when the walk cannot reach them, or with filters read whole
 * (the total is then exact); words matching a large
 * share are tested along the order one row at a time (probedWalk); otherwise the order's first
 * rows are tested against the matches (walkOrderForMatches), and matches the walk could not reach
 * cheaply are sorted.
 */
async function matchesInOrder(db: Kysely<Database>, sort: 'date' | 'added', expression: string, textSet: RawBuilder<SqlBool>, words: WordsSize, order: RawBuilder<unknown>, limit: number, offset: number, filtered: Filters | undefined, probe: boolean): Promise<PageRows> {
  const filters = filtered?.where;
  const column = sort === 'date' ? 'document_date' : 'added_at';
  if (filters !== undefined && words.few) return filteredMatchesInOrder(db, sql<SqlBool>`${textSet} AND ${filters}`, column, limit, offset);
  if (filters === undefined && !words.few && probe) {
    const probed = await probedWalk(db, expression, order, limit, offset, words);
    if (probed !== undefined) return probed;
  }
  // The matches that pass the filters, from the newest matches (undefined: none of them passed);
  // a range on the order's own column narrows the walk instead, so it is left out of the share.
  const passing = filters === undefined ? words.total : await filteredTotal(db, words, filters);
  const spread = filtered?.range === undefined ? passing : filtered.rest === undefined ? words.total : await filteredTotal(db, words, filtered.rest);
  const walk = await walkOrderForMatches(db, sort, words.few ? words.newest : expression, order, limit, offset, words.total, spread, filtered);
  if (walk === undefined) {
    if (filters !== undefined) return filteredMatchesInOrder(db, sql<SqlBool>`${textSet} AND ${filters}`, column, limit, offset);
    const matches = words.few ? words.newest : (JSON.parse((await sql<{ ids: string }>`SELECT json_group_array(rowid) AS ids FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db)).rows[0]?.ids ?? '[]') as number[]);
    return sortedMatches(db, matches, order, limit, offset);
  }
  const { ids, complete } = walk;
  // A walk that reached the end of the order short of a full page found every passing match past
  // the offset: then the total is known (and with nothing past the offset, counted).
  const short = complete && ids.length < limit;
  let counted: { total: number; totalIsEstimate?: true };
  if (short && (ids.length > 0 || offset === 0)) counted = { total: offset + ids.length };
  else if (filters === undefined && words.few) counted = { total: words.total };
  else if (passing !== undefined) counted = estimated(Math.max(passing, offset + ids.length));
  else counted = { total: Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE ${textSet} AND ${filters ?? sql<SqlBool>`1 = 1`}`.execute(db)).rows[0]?.count ?? 0) };
  return { ...(counted.totalIsEstimate ? { totalIsEstimate: true as const } : {}), rows: await rowsInOrder(db, ids, counted.total) };
}

/** The rows of the documents a plan picked, in its order, each with the total (gone ones left out). */
async function rowsInOrder(db: Kysely<Database>, ids: number[], total: number): Promise<(HitRow & { total: number })[]> {
  const found = new Map((await sql<HitRow>`SELECT ${HIT_COLUMNS}, NULL AS score FROM documents d WHERE d.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`.execute(db)).rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = found.get(id);
    return row ? [{ ...row, total }] : [];
  });
}

/**
 * The page of the matches (that pass the filters) in the order. First the order's first rows, as
 * many as CANDIDATE_MARGIN times what the share of passing matches says holds the page, are
 * tested against the matches in one pass over them (FTS5 streams its matches at 0.07 µs each; the
 * rows are a temporary index), the filters on the rows that match only: 8 ms for "invoice" at 1M
 * documents. Those rows being the start of the order, if they hold the page, it is the page.
 * Otherwise (the matches are bunched further down the order), the order's index is walked in
 * SQLite, each entry tested against the match set read once into a temporary index (0.3 µs a
 * match at 1M), until the page is full. Fetching the set into JavaScript and walking in batches
 * cost more per match and a round trip per batch; looking every match up and sorting (what the
 * planner picks) reads a page per match. The walk reads at most the whole index, or, when the
 * matches are few against the catalogue, WALK_PER_LOOKUP entries per match: undefined when it
 * stopped there short of a page, so that the caller sorts them instead. `complete`: the walk
 * reached the end of the order. `matching`: the FTS5 expression, or the matches' ids when all are
 * known (few): then the walk starts at once, since testing a row against a short list is cheaper
 * than streaming the expression's matches (a phrase reads every position of both its words).
 */
async function walkOrderForMatches(db: Kysely<Database>, sort: 'date' | 'added', matching: string | readonly number[], order: RawBuilder<unknown>, limit: number, offset: number, matches: number, passing: number | undefined, filtered: Filters | undefined): Promise<{ ids: number[]; complete: boolean } | undefined> {
  const filters = filtered?.where;
  const index = sql.raw(sort === 'date' ? 'documents_date' : 'documents_added');
  const key = sql.ref(`d.${sort === 'date' ? 'document_date' : 'added_at'}`);
  const { low, high } = await idSpan(db);
  const span = Math.max(1, high - low + 1);
  const known = typeof matching !== 'string';
  const textSet = known ? inKnown(matching) : inMatches(matching);
  const candidates = passing !== undefined && passing > 0 ? Math.ceil((CANDIDATE_MARGIN * (offset + limit) * span) / passing) : span;
  // Matches already known cost nothing to test a walk's rows against: no first pass needed.
  if (!known && candidates < span) {
    const ids = (
      await sql<{ id: number }>`WITH c AS MATERIALIZED (SELECT d.id, ${key} AS k FROM documents d INDEXED BY ${index} ${filtered?.range === undefined ? sql`` : sql`WHERE ${filtered.range}`} ${order} LIMIT ${candidates})
        SELECT c.id FROM c WHERE c.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ${matching} AND +rowid IN (SELECT id FROM c))
        ${filters === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM documents d WHERE d.id = c.id AND ${filters})`}
        ORDER BY c.k DESC, c.id DESC LIMIT ${limit} OFFSET ${offset}`.execute(db)
    ).rows.map((row) => row.id);
    if (ids.length === limit) return { ids, complete: false };
  }
  const bound = Math.ceil(matches * WALK_PER_LOOKUP);
  if (bound >= span) {
    // Unbounded, the filters stay in the walk's own WHERE, where a range on the order's column
    // narrows the index itself.
    const ids = (await sql<{ id: number }>`SELECT d.id FROM documents d INDEXED BY ${index} WHERE d.id ${textSet} ${filters === undefined ? sql`` : sql`AND ${filters}`} ${order} LIMIT ${limit} OFFSET ${offset}`.execute(db)).rows.map((row) => row.id);
    return { ids, complete: true };
  }
  // Bounded: the walk is a co-routine the outer LIMIT stops, and it keeps the order.
  const ids = (
    await sql<{ id: number }>`SELECT w.id FROM (SELECT d.id FROM documents d INDEXED BY ${index} ${order} LIMIT ${bound}) w
      WHERE w.id ${textSet} ${filters === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM documents d WHERE d.id = w.id AND ${filters})`}
      LIMIT ${limit} OFFSET ${offset}`.execute(db)
  ).rows.map((row) => row.id);
  if (ids.length === limit) return { ids, complete: false };
  const walked = Number((await sql<{ count: number }>`SELECT count(*) AS count FROM (SELECT 1 FROM documents d INDEXED BY ${index} LIMIT ${bound})`.execute(db)).rows[0]?.count ?? 0);
  return walked < bound ? { ids, complete: true } : undefined;
}

/**
 * Words that match a large share of the catalogue, by date or when added: the other plans stream
 * every match at least once (14 ms for the 240k of insur* among 1M), while a page needs only
 * (offset + limit) / share rows of the order's walk, each sought in FTS5. Four times that many
 * rows at most, and taken only when seeking all of those costs less than streaming the matches
 * (0.23 of the catalogue at 1M, 0.72 at 100k): matches bunched away from the head of the order
 * (a correspondent of years ago, by date) then cost no more than the plans that stream, where
 * a bound on the first batch alone made such a word three to five times slower at 1M. The total
 * is the words' estimate. Not for prefixes: FTS5 merges a prefix's words again for each rowid.
 */
async function probedWalk(db: Kysely<Database>, expression: string, order: RawBuilder<unknown>, limit: number, offset: number, words: WordsSize): Promise<{ rows: (HitRow & { total: number })[]; totalIsEstimate: true; snippets: ReadonlyMap<number, string> } | undefined> {
  const { low, high } = await idSpan(db);
  const share = words.total / Math.max(1, high - low + 1);
  const bound = Math.ceil((4 * (offset + limit)) / share);
  if (share === 0 || bound * SEEK_PER_STREAMED_MATCH > words.total) return undefined;
  const batch = (await sql<{ id: number }>`SELECT d.id FROM documents d ${order} LIMIT ${bound}`.execute(db)).rows.map((row) => row.id);
  const picked: number[] = [];
  // Each row is sought in FTS5 anyway: on a first page its snippet comes with it, where seeking
  // the page's rows again for them cost 13 ms at 1M ("tax OR premium": 48 ms to 35 in all).
  const snippets = new Map<number, string>();
  for (let from = 0, size = Math.ceil((1.5 * (offset + limit)) / share); from < batch.length && picked.length < offset + limit; from += size, size *= 2) {
    const ids = batch.slice(from, from + size);
    const found = (
      await sql<{ id: number; snip: string | null }>`SELECT rowid AS id, ${offset === 0 ? sql`snippet(documents_fts, -1, ${MARK_START}, ${MARK_END}, '…', 16)` : sql`NULL`} AS snip
        FROM documents_fts WHERE documents_fts MATCH ${expression} AND rowid IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`.execute(db)
    ).rows;
    for (const row of found) if (row.snip !== null) snippets.set(row.id, row.snip);
    const members = new Set(found.map((row) => row.id));
    picked.push(...ids.filter((id) => members.has(id)));
  }
  if (picked.length < offset + limit && batch.length === bound) return undefined;
  const page = picked.slice(offset, offset + limit);
  const { total } = estimated(Math.max(words.total, picked.length));
  return { totalIsEstimate: true, snippets, rows: await rowsInOrder(db, page, total) };
}

/** A page of the matches (ids) in the order, looked up and sorted: costs as many lookups as matches. */
async function sortedMatches(db: Kysely<Database>, matches: number[], order: RawBuilder<unknown>, limit: number, offset: number): Promise<{ rows: (HitRow & { total: number })[] }> {
  // CROSS JOIN: from the matches to their documents, not along the order probing each.
  return sql<HitRow & { total: number }>`
    WITH p AS MATERIALIZED (SELECT d.id FROM json_each(${JSON.stringify(matches)}) m CROSS JOIN documents d ON d.id = m.value ${order} LIMIT ${limit} OFFSET ${offset})
    SELECT ${HIT_COLUMNS}, NULL AS score, ${matches.length} AS total FROM p JOIN documents d ON d.id = p.id ${order}`.execute(db);
}

/**
 * Text and filters, ordered by date or by when added: one pass over the (text-narrowed) matches
 * yields both the count and the page. Walking the order's index instead, then counting apart,
 * read the same rows twice (60-90 ms against 12-22 ms at 100k documents).
 */
async function filteredMatchesInOrder(db: Kysely<Database>, where: RawBuilder<SqlBool>, column: 'document_date' | 'added_at', limit: number, offset: number): Promise<{ rows: (HitRow & { total: number })[] }> {
  const key = sql.ref(`d.${column}`);
  // The page is cut before its columns are read, so the paths subquery runs for shown rows only.
  return sql<HitRow & { total: number }>`
    WITH m AS MATERIALIZED (SELECT d.id, ${key} AS k FROM documents d WHERE ${where}),
      p AS MATERIALIZED (SELECT id FROM m ORDER BY k DESC, id DESC LIMIT ${limit} OFFSET ${offset})
    SELECT ${HIT_COLUMNS}, NULL AS score, (SELECT count(*) FROM m) AS total
    FROM p JOIN documents d ON d.id = p.id
    ORDER BY ${key} DESC, d.id DESC`.execute(db);
}

/** All the matches, scored: the page is cut from them in bm25 order. */
async function scoredPage(db: Kysely<Database>, scored: readonly { id: number; score: number }[], limit: number, offset: number): Promise<{ rows: (HitRow & { total: number })[] }> {
  const page = [...scored].sort((a, b) => a.score - b.score || b.id - a.id).slice(offset, offset + limit);
  const scoreOf = new Map(page.map((hit) => [hit.id, hit.score]));
  return { rows: (await rowsInOrder(db, page.map((hit) => hit.id), scored.length)).map((row) => ({ ...row, score: scoreOf.get(row.id) ?? null })) };
}

/**
 * Text only, by relevance: let FTS5 score and keep the top of the page itself, which is several
 * times cheaper on common words than scoring every match through a join; counting matches
 * without scoring them is nearly free.
 */
async function topMatches(db: Kysely<Database>, expression: string, limit: number, offset: number, known: number | undefined): Promise<{ rows: (HitRow & { total: number })[] }> {
  const total = known ?? (await countMatches(db, expression));
  const page = await sql<HitRow>`
    WITH top AS MATERIALIZED (
      SELECT rowid AS rid, bm25(documents_fts, ${WEIGHTS}) AS score FROM documents_fts
      WHERE documents_fts MATCH ${expression} ORDER BY score LIMIT ${limit} OFFSET ${offset})
    SELECT ${HIT_COLUMNS}, top.score AS score
    FROM top JOIN documents d ON d.id = top.rid
    ORDER BY top.score ASC, d.id DESC`.execute(db);
  return { rows: page.rows.map((row) => ({ ...row, total })) };
}
