import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { positiveTextNodes } from './query-parser.js';
import type { Database } from './schema.js';
import { compile, toHit, type HitRow, type SearchHit, type SearchOptions } from './search.js';
import { conjunctionToTsquery, markSnippet, rankingQuery } from './tsquery.js';

type TextNode = ReturnType<typeof positiveTextNodes>[number];

/**
 * The same query language on Postgres: the tree compiles to the same predicates, with words and
 * phrases as tsquery matches (db/tsquery.ts). Relevance is ts_rank with title, tags and
 * correspondent weighted above the body, returned negated so that, as with SQLite's bm25, lower
 * is better. Snippets are cut in JavaScript from the document text.
 */

const HIT_COLUMNS = sql`d.id, d.title, d.type, d.document_date, d.correspondent, d.tags, d.method, d.mime, d.added_at, d.blob_key,
  (SELECT json_agg(s.path)::text FROM sources s WHERE s.document_id = d.id) AS paths`;
/** ts_rank weights for D (body), C (correspondent), B (tags), A (title). */
const WEIGHTS = sql.raw(`'{0.1, 0.3, 0.6, 1.0}'`);

export async function searchPostgres(db: Kysely<Database>, options: SearchOptions): Promise<{ total: number; hits: SearchHit[] }> {
  const now = options.now ?? new Date();
  const textNodes = positiveTextNodes(options.tree);
  const conjuncts = options.tree ? (options.tree.kind === 'and' ? options.tree.children : [options.tree]) : [];
  // The usual query is words AND filters: the words become one tsquery that the GIN index
  // answers, joined to documents; the filters and anything else stay predicates.
  const { expression, residual } = conjunctionToTsquery(conjuncts);
  const where =
    expression !== undefined
      ? residual.length > 0 ? compile({ kind: 'and', children: residual }, now, 'probe', 'postgres') : sql<SqlBool>`TRUE`
      : options.tree ? compile(options.tree, now, 'probe', 'postgres') : sql<SqlBool>`TRUE`;
  const ranking = options.sort === 'relevance' ? rankingQuery(textNodes) : undefined;
  const joinText = expression !== undefined || ranking !== undefined;
  const from = expression !== undefined ? sql`documents_fts f JOIN documents d ON d.id = f.document_id` : joinText ? sql`documents d LEFT JOIN documents_fts f ON f.document_id = d.id` : sql`documents d`;
  const textWhere = expression !== undefined ? sql<SqlBool>`f.tsv @@ to_tsquery('simple', ${expression})` : sql<SqlBool>`TRUE`;
  const score = ranking === undefined ? sql`NULL::float8` : sql`-ts_rank(${WEIGHTS}, f.tsv, to_tsquery('simple', ${ranking}))`;
  const order =
    options.sort === 'date'
      ? sql`ORDER BY m.document_date DESC NULLS LAST, m.id DESC`
      : ranking === undefined
        ? sql`ORDER BY m.added_at DESC, m.id DESC`
        : sql`ORDER BY m.score ASC NULLS LAST, m.id DESC`;
  // Matches first (id, sort keys, score), then the page, and only then the page's columns: the
  // sources subquery and the count would otherwise run for every match.
  // Words alone, by date or when added, matching a good share of the catalogue: walking the
  // documents in that order and probing each finds a page long before sorting every match would
  // (88 -> 36 ms for a word in 11% of 100k documents). The walk is bounded, because matches may
  // bunch up at the far end of the order; when it comes back short, the matches are sorted.
  if (expression !== undefined && residual.length === 0 && ranking === undefined) {
    const total = Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents_fts f WHERE ${textWhere}`.execute(db)).rows[0]?.count ?? 0);
    if (total <= options.offset) return { total, hits: [] };
    const documents = await documentCount(db);
    const share = documents > 0 ? total / documents : 1;
    if (share >= WALK_SHARE) {
      const hits = await searchInOrder(db, options, textWhere, Math.ceil((WALK_SLACK * (options.offset + options.limit)) / share), textNodes);
      if (hits.length >= Math.min(options.limit, total - options.offset)) return { total, hits };
    }
  }
  // Words alone, by relevance: the index and the vectors answer it, and documents is read for
  // the page only. Joining it for every match cost a scan of the whole table (92 -> 40 ms for a
  // word in 11% of 100k documents).
  const textOnly = expression !== undefined && residual.length === 0 && ranking !== undefined;
  const matches = textOnly
    ? sql`SELECT f.document_id AS id, NULL::text AS document_date, NULL::text AS added_at, ${score} AS score FROM documents_fts f WHERE ${textWhere}`
    : sql`SELECT d.id, d.document_date, d.added_at, ${score} AS score FROM ${from} WHERE ${textWhere} AND ${where}`;
  const rows = await sql<HitRow & { total: number; position: number }>`
    WITH m AS MATERIALIZED (${matches}),
    page AS (SELECT m.id, m.score, row_number() OVER (${order}) AS position FROM m ${order} LIMIT ${options.limit} OFFSET ${options.offset})
    SELECT ${HIT_COLUMNS}, page.score AS score, (SELECT count(*) FROM m) AS total, page.position
    FROM page JOIN documents d ON d.id = page.id
    ORDER BY page.position`.execute(db);
  const total = rows.rows[0]?.total ?? Number((await sql<{ count: number }>`SELECT count(*) AS count FROM ${from} WHERE ${textWhere} AND ${options.tree ? (expression !== undefined ? where : compile(options.tree, now, 'set', 'postgres')) : sql<SqlBool>`TRUE`}`.execute(db)).rows[0]?.count ?? 0);
  return { total, hits: await withSnippets(db, rows.rows, textNodes) };
}

/** Below this share of the catalogue, sorting the matches beats walking the documents in order. */
const WALK_SHARE = 0.02;
/** How many times the rows a page needs, at the matches' share, the walk may read before giving up. */
const WALK_SLACK = 4;

async function searchInOrder(db: Kysely<Database>, options: SearchOptions, textWhere: RawBuilder<SqlBool>, bound: number, textNodes: TextNode[]): Promise<SearchHit[]> {
  const order = options.sort === 'date' ? sql`d.document_date DESC NULLS LAST, d.id DESC` : sql`d.added_at DESC, d.id DESC`;
  const rows = await sql<HitRow>`
    WITH walk AS (SELECT d.id, d.document_date, d.added_at FROM documents d ORDER BY ${order} LIMIT ${bound}),
    page AS (
      SELECT d.id FROM walk d JOIN documents_fts f ON f.document_id = d.id WHERE ${textWhere}
      ORDER BY ${order} LIMIT ${options.limit} OFFSET ${options.offset})
    SELECT ${HIT_COLUMNS}, NULL::float8 AS score
    FROM page JOIN documents d ON d.id = page.id
    ORDER BY ${order}`.execute(db);
  return withSnippets(db, rows.rows, textNodes);
}

/** The planner's row estimate; a table never analyzed yet (-1) is new and small enough to count. */
async function documentCount(db: Kysely<Database>): Promise<number> {
  const estimate = Number((await sql<{ estimate: number }>`SELECT reltuples::float8 AS estimate FROM pg_class WHERE oid = 'documents'::regclass`.execute(db)).rows[0]?.estimate ?? -1);
  if (estimate > 0) return estimate;
  return Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents`.execute(db)).rows[0]?.count ?? 0);
}

/** Snippets are cut in JavaScript from the text of the page's documents only. */
async function withSnippets(db: Kysely<Database>, rows: HitRow[], textNodes: TextNode[]): Promise<SearchHit[]> {
  const texts = new Map<number, string>();
  if (textNodes.length > 0 && rows.length > 0) {
    const found = await db.selectFrom('documents').select(['id', 'text']).where('id', 'in', rows.map((row) => row.id)).execute();
    for (const row of found) texts.set(row.id, row.text);
  }
  return rows.map((row) => toHit(row, textNodes.length > 0 ? markSnippet(texts.get(row.id) ?? '', textNodes) : undefined));
}
