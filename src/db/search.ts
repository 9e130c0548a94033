import { globToRegex } from './glob.js';
import { durationAgo } from '../text/duration.js';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';
import { boundedQuery, positiveTextNodes, splitConjunction, syntaxError, type FieldName, type QueryNode, type TextSyntax } from './query-parser.js';
import { dialectOf, type DialectName } from './dialect.js';
import { TSQUERY, textMatchesPostgres, tsqueryMatches } from './tsquery.js';
import { currencyFilter, dueFilter, totalFilter } from './field-filters.js';
import { globMatches, provenanceCondition, sizeCondition } from './artifact-filters.js';

/**
 * Compiles the query syntax tree to SQLite: each word or phrase becomes its own FTS5 MATCH with
 * the text bound as a parameter and quoted as an FTS5 string, so no user input is ever read as
 * SQL or as FTS5 syntax; field filters become ordinary predicates with bound values.
 */

export type SortOrder = 'relevance' | 'date' | 'added';

export interface SearchOptions {
  tree: QueryNode | undefined;
  limit: number;
  offset: number;
  sort: SortOrder;
  now?: Date;
}

export interface SearchResult {
  total: number;
  /** The total is the planner's estimate (Postgres, many matches), not a count. */
  totalIsEstimate?: boolean;
  hits: SearchHit[];
}

export interface SearchHit {
  id: number;
  title: string;
  type: string;
  date: string | null;
  correspondent: string | null;
  tags: string[];
  method: string;
  mime: string;
  addedAt: string;
  blobKey: string;
  /** bm25 score (lower is better) when the query has text. */
  score: number | null;
  /** Body excerpt around the matches, and where the matched words are in it. */
  snippet: string | null;
  highlights: [number, number][];
  paths: string[];
}

export interface FailureHit {
  path: string;
  code: string | null;
  message: string | null;
  hint: string | null;
  lastSeen: string;
}

/** Marks the snippet() boundaries with control characters that cannot occur in indexed text. */
const MARK_START = '\u0002';
const MARK_END = '\u0003';
/** What every result row carries (HitRow without its score), whichever plan found it. */
const HIT_COLUMNS = sql`d.id, d.title, d.type, d.document_date, d.correspondent, d.tags, d.method, d.mime, d.added_at, d.blob_key,
  (SELECT json_group_array(s.path) FROM sources s WHERE s.document_id = d.id) AS paths`;
/** bm25 column weights: title, tags, correspondent, body. */
const WEIGHTS = sql.raw('10.0, 6.0, 3.0, 1.0');

export function ftsString(text: string, prefix: boolean): string {
  return `"${text.replace(/"/g, '""')}"${prefix ? '*' : ''}`;
}

/** The documents matching an FTS5 expression, as a set to test d.id against. */
function matchingIds(expression: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ${expression})`;
}

/** How many documents match: FTS5 counts without scoring, which is nearly free. */
async function countMatches(db: Kysely<Database>, expression: string): Promise<number> {
  const counted = await sql<{ count: number }>`SELECT count(*) AS count FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db);
  return Number(counted.rows[0]?.count ?? 0);
}

function likeContains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** YYYY, YYYY-MM or YYYY-MM-DD, checked, returned as the earliest day it names. */
function dateBound(field: string, value: string, position: number): string {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  const month = Number(match?.[2] ?? '01');
  const day = Number(match?.[3] ?? '01');
  if (!match || month < 1 || month > 12 || day < 1 || day > 31) throw syntaxError(`${field}: wants a date like 2024, 2024-03 or 2024-03-15, not "${value}"`, position);
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The end of the period a partial date names (exclusive): 2024 -> 2025-01-01. */
function dateEnd(value: string): string {
  const parts = value.split('-').map(Number);
  const [year = 0, month, day] = parts;
  const end = parts.length === 1 ? new Date(Date.UTC(year + 1, 0, 1)) : parts.length === 2 ? new Date(Date.UTC(year, month as number, 1)) : new Date(Date.UTC(year, (month as number) - 1, (day as number) + 1));
  return end.toISOString().slice(0, 10);
}

function addedSince(value: string, position: number, now: Date): string {
  return durationAgo(value, now) ?? dateBound('added', value, position);
}

/**
 * How a filter on another table is said. `probe` (correlated EXISTS) lets SQLite walk a more
 * selective index, such as the date order of a page, and test each row: IN (...) made it build the
 * whole tag list first (4 ms against 57 ms at 100k). `set` (IN ...) is for counting, which visits
 * every match anyway: EXISTS per document cost 92 ms for a path: count against 15 ms.
 */
export type Mode = 'probe' | 'set';

/** Filters on documents' own indexed columns (migration 0003). */
const INDEXED_FIELDS = new Set<FieldName>(['type', 'date', 'after', 'before', 'added', 'id']);

function related(mode: Mode, table: RawBuilder<unknown>, condition: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  return mode === 'probe'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} WHERE x.document_id = d.id AND ${condition})`
    : sql<SqlBool>`d.id IN (SELECT x.document_id FROM ${table} WHERE ${condition})`;
}

export function compileField(field: FieldName, value: string, position: number, now: Date, mode: Mode, dialect: DialectName = 'sqlite'): RawBuilder<SqlBool> {
  // SQLite's LIKE ignores ASCII case and its document_tags.tag is NOCASE; Postgres says so.
  const like = dialect === 'postgres' ? sql`ILIKE` : sql`LIKE`;
  switch (field) {
    case 'type':
      return sql<SqlBool>`d.type = ${value.toLowerCase()}`;
    case 'tag':
      return related(mode, sql`document_tags x`, dialect === 'postgres' ? sql<SqlBool>`lower(x.tag) = lower(${value})` : sql<SqlBool>`x.tag = ${value}`);
    case 'correspondent':
      return sql<SqlBool>`d.correspondent ${like} ${likeContains(value)} ESCAPE '\\'`;
    case 'title':
      return sql<SqlBool>`d.title ${like} ${likeContains(value)} ESCAPE '\\'`;
    case 'date': {
      const start = dateBound('date', value, position);
      return sql<SqlBool>`(d.document_date >= ${start} AND d.document_date < ${dateEnd(value)})`;
    }
    case 'after':
      return sql<SqlBool>`d.document_date >= ${dateBound('after', value, position)}`;
    case 'before':
      return sql<SqlBool>`d.document_date < ${dateBound('before', value, position)}`;
    case 'added':
      return sql<SqlBool>`d.added_at >= ${addedSince(value, position, now)}`;
    case 'method':
      return sql<SqlBool>`d.method = ${value.toLowerCase()}`;
    case 'mime':
      return sql<SqlBool>`d.mime ${like} ${likeContains(value.toLowerCase())} ESCAPE '\\'`;
    case 'lang':
      return sql<SqlBool>`d.language = ${value.toLowerCase()}`;
    case 'id': {
      const id = /^[#dD]?(\d{1,15})$/.exec(value);
      if (!id) throw syntaxError(`id: wants a document id like 12, not "${value}"`, position);
      return sql<SqlBool>`d.id = ${Number(id[1])}`;
    }
    case 'status': {
      const status = value.toLowerCase();
      if (status === 'failed') throw syntaxError('status:failed lists files, not documents: use it alone or with path:', position);
      if (status !== 'catalogued' && status !== 'duplicate') throw syntaxError(`status: is catalogued, duplicate or failed, not "${value}"`, position);
      return related(mode, sql`sources x`, sql<SqlBool>`x.status = ${status}`);
    }
    case 'path':
      return related(mode, sql`sources x`, pathMatches(sql`x.path`, value, dialect));
    case 'total':
      return totalFilter(value, position, dialect);
    case 'currency':
      return currencyFilter(value, position, dialect);
    case 'due':
      return dueFilter(value, position, dialect, (name, date, at) => ({ start: dateBound(name, date, at), end: dateEnd(date) }));
    case 'repo':
    case 'commit':
    case 'branch':
    case 'ref':
    case 'run':
    case 'label':
      return related(mode, sql`source_provenance x JOIN provenance p ON p.id = x.provenance_id`, provenanceCondition(field, value, position, dialect));
    case 'name':
      // The name it was catalogued under, or any name it was seen under in a build.
      return sql<SqlBool>`(${globMatches(sql`d.original_name`, value, dialect)} OR ${related(mode, sql`source_provenance x`, globMatches(sql`x.name`, value, dialect))})`;
    case 'size':
      return sizeCondition(value, position);
  }
}

/**
 * SQLite's GLOB; on Postgres, which has no GLOB, the same pattern as LIKE when it has no [class]
 * (3x faster than the regular expression on 100k paths: a leading .* makes the regex engine
 * backtrack), else as a regular expression. All three are case-sensitive.
 */
function pathMatches(column: RawBuilder<unknown>, value: string, dialect: DialectName): RawBuilder<SqlBool> {
  const glob = pathGlob(value);
  if (dialect === 'sqlite') return sql<SqlBool>`${column} GLOB ${glob}`;
  const like = globToLike(glob);
  return like === undefined ? sql<SqlBool>`${column} ~ ${globToRegex(glob)}` : sql<SqlBool>`${column} LIKE ${like}`;
}

/** * and ? as LIKE's % and _, with LIKE's own characters escaped; undefined for a [class]. */
export function globToLike(glob: string): string | undefined {
  if (glob.includes('[')) return undefined;
  return glob.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%').replace(/\?/g, '_');
}


/** A glob that does not start at the root matches anywhere in the path, like .gitignore. */
export function pathGlob(value: string): string {
  return value.startsWith('/') || value.startsWith('*') ? value : `*${value}`;
}

export function compile(node: QueryNode, now: Date, mode: Mode, dialect: DialectName = 'sqlite'): RawBuilder<SqlBool> {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return dialect === 'postgres' ? textMatchesPostgres({ text: node.text, prefix: node.kind === 'term' && node.prefix }) : matchingIds(ftsString(node.text, node.kind === 'term' && node.prefix));
    case 'field':
      return compileField(node.field, node.value, node.position, now, mode, dialect);
    case 'not':
      return sql<SqlBool>`NOT (${compile(node.child, now, mode, dialect)})`;
    case 'and': {
      // Words ANDed together are one text match, as at the top level of a search: one index
      // lookup, where a set per word made Postgres plan a join per word (2 s for 32 words).
      const { expression, residual } = splitConjunction(node.children, dialect === 'postgres' ? TSQUERY : FTS5);
      const text = expression === undefined ? [] : [dialect === 'postgres' ? tsqueryMatches(expression) : matchingIds(expression)];
      const parts = [...text, ...residual.map((child) => compile(child, now, mode, dialect))];
      return parts.length === 1 ? (parts[0] as RawBuilder<SqlBool>) : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
    }
    case 'or':
      return sql<SqlBool>`(${sql.join(node.children.map((child) => compile(child, now, mode, dialect)), sql` OR `)})`;
  }
}

/** True when the query asks for failed files (status:failed), which are not documents. */
export function wantsFailures(tree: QueryNode | undefined): boolean {
  const nodes = tree?.kind === 'and' ? tree.children : tree ? [tree] : [];
  return nodes.some((node) => node.kind === 'field' && node.field === 'status' && node.value.toLowerCase() === 'failed');
}

export async function searchFailures(db: Kysely<Database>, tree: QueryNode | undefined, limit: number, offset: number): Promise<{ total: number; hits: FailureHit[] }> {
  const nodes = tree?.kind === 'and' ? tree.children : tree ? [tree] : [];
  const globs: string[] = [];
  for (const node of nodes) {
    if (node.kind === 'field' && node.field === 'status') continue;
    if (node.kind === 'field' && node.field === 'path') globs.push(pathGlob(node.value));
    else throw syntaxError('status:failed can only be combined with path:', node.kind === 'field' ? node.position : 0);
  }
  let query = db.selectFrom('sources').where('status', '=', 'failed');
  const dialect = dialectOf(db);
  for (const glob of globs) query = query.where(pathMatches(sql`path`, glob, dialect));
  const total = Number((await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()).count);
  const rows = await query.selectAll().orderBy('path').limit(limit).offset(offset).execute();
  return { total, hits: rows.map((row) => ({ path: row.path, code: row.error_code, message: row.error_message, hint: row.error_hint, lastSeen: row.last_seen })) };
}

export interface HitRow {
  id: number;
  title: string;
  type: string;
  document_date: string | null;
  correspondent: string | null;
  tags: string;
  method: string;
  mime: string;
  added_at: string;
  blob_key: string;
  score: number | null;
  paths: string | null;
}

/** FTS5 MATCH syntax: each word or phrase quoted as an FTS5 string, so user text is never syntax. */
const FTS5: TextSyntax = {
  word: (text, prefix) => ftsString(text, prefix),
  any: (parts) => `(${parts.join(' OR ')})`,
  all: (positive, negative) => `${positive.join(' AND ')}${negative.map((part) => ` NOT ${part}`).join('')}`,
};

/** Splits AND-ed parts into one FTS5 expression ("a AND b NOT c") and what is left over. */
function conjunctionToFts(parts: QueryNode[]): { expression: string | undefined; residual: QueryNode[] } {
  return splitConjunction(parts, FTS5);
}

export async function searchDocuments(db: Kysely<Database>, given: SearchOptions): Promise<SearchResult> {
  const options = { ...given, tree: boundedQuery(given.tree) };
  if (dialectOf(db) === 'postgres') return (await import('./search-postgres.js')).searchPostgres(db, options);
  const now = options.now ?? new Date();
  const conjuncts = options.tree ? (options.tree.kind === 'and' ? options.tree.children : [options.tree]) : [];
  const { expression, residual } = conjunctionToFts(conjuncts);
  // Fast path: one FTS5 MATCH both selects and ranks; filters apply to its (scored) matches.
  // Otherwise the tree is compiled whole and ranking uses the positive words separately.
  const matchQuery = expression ?? positiveTextNodes(options.tree).map((node) => ftsString(node.text, node.prefix)).join(' OR ');
  // Scores matter only for relevance order; sorted by date or by when they were added, text is a
  // plain filter and the page can be read off an index.
  const byRelevance = options.sort === 'relevance';
  const ranked = matchQuery.length > 0 && byRelevance;
  const useExpression = expression !== undefined && byRelevance;
  const residualWhere = residual.length > 0 ? compile({ kind: 'and', children: residual }, now, 'probe') : sql<SqlBool>`1 = 1`;
  const textSet = expression !== undefined ? matchingIds(expression) : undefined;
  const where = useExpression
    ? residualWhere
    : expression !== undefined
      ? sql<SqlBool>`${textSet} AND ${residualWhere}`
      : options.tree ? compile(options.tree, now, 'probe') : sql<SqlBool>`1 = 1`;
  // Counting visits every match, so it takes the text as a set, never as per-row probes; with
  // text, the few documents it matches are probed (measured faster), without it filters are sets.
  // An indexed column among the filters narrows better still, and the others are probed from it.
  const countMode: Mode = conjuncts.some((node) => node.kind === 'field' && INDEXED_FIELDS.has(node.field)) ? 'probe' : 'set';
  const countWhere = textSet !== undefined ? sql<SqlBool>`${textSet} AND ${residualWhere}` : options.tree ? compile(options.tree, now, countMode) : sql<SqlBool>`1 = 1`;
  // MATERIALIZED: score every match once; as a plain join SQLite re-ran the MATCH per document.
  const withRank = ranked ? sql`WITH r AS MATERIALIZED (SELECT rowid AS rid, bm25(documents_fts, ${WEIGHTS}) AS score FROM documents_fts WHERE documents_fts MATCH ${matchQuery})` : sql``;
  const from = useExpression ? sql`r JOIN documents d ON d.id = r.rid` : ranked ? sql`documents d LEFT JOIN r ON r.rid = d.id` : sql`documents d`;
  const order =
    options.sort === 'date'
      ? sql`ORDER BY d.document_date DESC, d.id DESC` // NULLs sort last under DESC; the index serves the order
      : options.sort === 'added' || !ranked
        ? sql`ORDER BY d.added_at DESC, d.id DESC`
        : sql`ORDER BY r.score IS NULL, r.score ASC, d.id DESC`;
  const sortColumn = options.sort === 'date' ? 'document_date' : 'added_at';
  const walked =
    byRelevance || expression === undefined
      ? undefined
      : residual.length === 0
        ? await walkOrderForMatches(db, expression, order, options.limit, options.offset)
        : await filteredMatchesInOrder(db, sql<SqlBool>`${textSet} AND ${residualWhere}`, sortColumn, options.limit, options.offset);
  const rows: { rows: (HitRow & { total: number | null })[] } = walked
    ? walked
    : useExpression && residual.length === 0
    ? await topMatches(db, expression, options.limit, options.offset)
    : await sql<HitRow & { total: number | null }>`
    ${withRank}
    SELECT ${HIT_COLUMNS}, ${ranked ? sql`r.score` : sql`NULL`} AS score,
      ${ranked ? sql`count(*) OVER ()` : sql`NULL`} AS total
    FROM ${from}
    WHERE ${where}
    ${order}
    LIMIT ${options.limit} OFFSET ${options.offset}`.execute(db);
  let total = Number(rows.rows[0]?.total ?? 0);
  if (rows.rows[0]?.total === null || rows.rows.length === 0) {
    // With text, every match is scored anyway and the window counts them in the same pass.
    // Filters alone are counted apart, so that the page query can stop early on an index.
    total =
      expression !== undefined && residual.length === 0
        ? await countMatches(db, expression)
        : Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents d WHERE ${countWhere}`.execute(db)).rows[0]?.count ?? 0);
  }
  // Snippets cost a pass over each document's text: make them for the page shown only.
  const snippets = new Map<number, string>();
  if (matchQuery.length > 0 && rows.rows.length > 0) {
    const ids = JSON.stringify(rows.rows.map((row) => row.id));
    // FTS5 seeks each rowid of the page by re-running the query, which for a prefix longer than
    // the prefix indexes means merging every expanded term's list again (30 ms for insur* at 100k);
    // then one scan of the matches with the page as a plain filter (+rowid) is cheaper.
    const page = positiveTextNodes(options.tree).some((node) => node.prefix) ? sql`+rowid` : sql`rowid`;
    const marked = await sql<{ rid: number; snip: string }>`
      SELECT rowid AS rid, snippet(documents_fts, -1, ${MARK_START}, ${MARK_END}, '…', 16) AS snip
      FROM documents_fts WHERE documents_fts MATCH ${matchQuery} AND ${page} IN (SELECT value FROM json_each(${ids}))`.execute(db);
    for (const row of marked.rows) snippets.set(row.rid, row.snip);
  }
  return { total, hits: rows.rows.map((row) => toHit(row, snippets.get(row.id))) };
}

/** A result row and its marked snippet (if any) as what search returns. */
export function toHit(row: HitRow, marked: string | undefined): SearchHit {
  const { text, highlights } = marked ? parseSnippet(marked) : { text: null, highlights: [] };
  return {
    id: row.id,
    title: row.title,
    type: row.type,
    date: row.document_date,
    correspondent: row.correspondent,
    tags: JSON.parse(row.tags) as string[],
    method: row.method,
    mime: row.mime,
    addedAt: row.added_at,
    blobKey: row.blob_key,
    score: row.score === null ? null : Math.round(row.score * 1000) / 1000,
    snippet: text,
    highlights,
    paths: row.paths ? (JSON.parse(row.paths) as string[]) : [],
  };
}

/** Below this many matches, SQLite's own IN (...) plan is cheap enough. */
const SMALL_MATCH_SET = 2_000;
const WALK_BATCH = 500;

/**
 * Text only, ordered by date or by when added, matching many documents: SQLite would index the
 * whole match set before walking the order (50 ms for 50k matches in 100k documents). Fetching the
 * set once and walking the order's index in batches until a page is full stops after a few
 * hundred rows, because common words match often.
 */
async function walkOrderForMatches(db: Kysely<Database>, expression: string, order: RawBuilder<unknown>, limit: number, offset: number): Promise<{ rows: (HitRow & { total: number | null })[] } | undefined> {
  const matches = (await sql<{ rid: number }>`SELECT rowid AS rid FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db)).rows;
  if (matches.length < SMALL_MATCH_SET) return undefined;
  const wanted = new Set(matches.map((row) => row.rid));
  const picked: number[] = [];
  let skip = offset;
  // Batches grow fourfold, so matches bunched at the far end of the order cost a linear walk,
  // not a quadratic one.
  for (let position = 0, size = WALK_BATCH; picked.length < limit; position += size, size *= 4) {
    const batch = (await sql<{ id: number }>`SELECT d.id FROM documents d ${order} LIMIT ${size} OFFSET ${position}`.execute(db)).rows;
    for (const { id } of batch) {
      if (!wanted.has(id)) continue;
      if (skip > 0) skip -= 1;
      else if (picked.length < limit) picked.push(id);
    }
    if (batch.length < size) break;
  }
  const page = await sql<HitRow>`
    SELECT ${HIT_COLUMNS}, NULL AS score
    FROM documents d WHERE d.id IN (SELECT value FROM json_each(${JSON.stringify(picked)}))`.execute(db);
  const byId = new Map(page.rows.map((row) => [row.id, row]));
  return { rows: picked.map((id) => ({ ...(byId.get(id) as HitRow), total: wanted.size })) };
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

/**
 * Text only, by relevance: let FTS5 score and keep the top of the page itself, which is several
 * times cheaper on common words than scoring every match through a join; counting matches
 * without scoring them is nearly free.
 */
async function topMatches(db: Kysely<Database>, expression: string, limit: number, offset: number): Promise<{ rows: (HitRow & { total: number })[] }> {
  const total = await countMatches(db, expression);
  const page = await sql<HitRow>`
    WITH top AS MATERIALIZED (
      SELECT rowid AS rid, bm25(documents_fts, ${WEIGHTS}) AS score FROM documents_fts
      WHERE documents_fts MATCH ${expression} ORDER BY score LIMIT ${limit} OFFSET ${offset})
    SELECT ${HIT_COLUMNS}, top.score AS score
    FROM top JOIN documents d ON d.id = top.rid
    ORDER BY top.score ASC, d.id DESC`.execute(db);
  return { rows: page.rows.map((row) => ({ ...row, total })) };
}

/** Every document the query selects, oldest first: for commands that act on all of them. */
export async function matchingDocumentIds(db: Kysely<Database>, given: QueryNode | undefined, limit: number | undefined, now = new Date()): Promise<number[]> {
  const tree = boundedQuery(given);
  const where = tree ? compile(tree, now, 'set', dialectOf(db)) : sql<SqlBool>`1 = 1`;
  const rows = await sql<{ id: number }>`SELECT d.id FROM documents d WHERE ${where} ORDER BY d.id ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`.execute(db);
  return rows.rows.map((row) => row.id);
}

/** Strips the snippet markers and returns where the highlighted words are in the plain text. */
export function parseSnippet(marked: string): { text: string; highlights: [number, number][] } {
  let text = '';
  const highlights: [number, number][] = [];
  let start = -1;
  for (const char of marked.replace(/\s+/g, ' ')) {
    if (char === MARK_START) start = text.length;
    else if (char === MARK_END) {
      if (start >= 0) highlights.push([start, text.length]);
      start = -1;
    } else text += char;
  }
  return { text, highlights };
}
