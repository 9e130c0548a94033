import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';

/**
 * What Postgres search knows of a query before it runs it: the planner's estimates (from the
 * statistics ANALYZE keeps), told from its guesses, and a sample of the newest documents where it
 * cannot say. Plans in postgres.ts choose by these.
 */

/** Where the matches of a query are: `f` documents_fts and, with filters, `d` documents. */
export interface Matches {
  /** The words as a tsquery test on f, if the query has words. */
  text: RawBuilder<SqlBool> | undefined;
  /** The filters, on d, if any. */
  filters: RawBuilder<SqlBool> | undefined;
}

/**
 * Words matching more documents than this are not all read: the page comes from bounded walks
 * and the total is an estimate.
 */
export const EXACT_COUNT_LIMIT = 5_000;

/** A total of many matches: an estimate, to two significant digits, said to be one. */
export function estimated(rows: number): { total: number; totalIsEstimate: true } {
  return { total: Number(Math.max(1, Math.round(rows)).toPrecision(2)), totalIsEstimate: true };
}

/**
 * How many documents a query's words match (each a visit to its row), as the planner expects:
 * from the lexeme frequencies ANALYZE keeps (migration 0018 keeps them for ten times more words).
 * The planner takes AND-ed words to be independent and a phrase's words to be anywhere in the
 * document, so for those it can expect a tenth of the truth ("payment due": 470 for 2,616), and
 * reading "every one of a few" matches would read them all on a large catalogue. So the words
 * are few only when each AND-ed part alone (each word of a phrase) could be; when the parts are
 * many, the share of the newest SAMPLE documents the words match says how many.
 */
export async function sizeOf(db: Kysely<Database>, matches: Matches, expression: string, bounds: readonly string[], sampleMany: boolean, pairs?: RawBuilder<SqlBool>): Promise<Size> {
  // Beside the words, a word no document holds: what the planner guesses for a word it keeps no
  // statistics on (half the rarest word it knows), which for a million documents can be 5,000.
  // And for a phrase, its pairs (word-pairs.ts): a bound the planner knows far better than the
  // phrase, which it takes to be its words anywhere in the document.
  // All in one round trip: the bounds are needed unless the query is one word, and cost little.
  const single = bounds.length <= 1;
  // Each of the words' bounds and the pairs holds every match: the least of them bounds the words.
  const [joint = 0, guess = 0, ...upperBounds] = await plannedRowsEach(db, [
    tsvMatches(expression),
    tsvMatches(UNKNOWN_WORD),
    ...(single ? [] : bounds.map(tsvMatches)),
    ...(pairs === undefined ? [] : [pairs]),
  ]);
  // One word (or one OR of words), NOTs aside: the planner's own estimate when it knows the
  // words, or when they are few; measured when it guessed, or when the caller must have it right.
  const guessed = joint <= GUESSED * guess;
  if (single && joint <= EXACT_COUNT_LIMIT) return { words: joint, few: true };
  if (single && !guessed && !sampleMany) return { words: joint, few: false };
  const upper = Math.min(...(single ? [joint] : []), ...upperBounds);
  if (upper <= EXACT_COUNT_LIMIT) return { words: Math.min(joint, upper), few: true };
  const sample = (
    await sql<{ hits: number; tried: number }>`
      SELECT count(*) FILTER (WHERE ${matches.text ?? sql<SqlBool>`TRUE`}) AS hits, count(*) AS tried FROM (SELECT tsv, pairs FROM documents_fts ORDER BY document_id DESC LIMIT ${SAMPLE}) f`.execute(db)
  ).rows[0];
  const hits = Number(sample?.hits ?? 0);
  const tried = Number(sample?.tried ?? 0);
  // A catalogue smaller than the sample was counted whole.
  if (tried < SAMPLE) return { words: hits, few: hits <= EXACT_COUNT_LIMIT };
  // No hit among the newest: most likely under 3 in SAMPLE (the 95 % bound), so few on a
  // catalogue of up to a few million.
  const documents = await documentCount(db);
  const words = Math.min(upper, hits === 0 ? Math.min(joint, (3 / SAMPLE) * documents) : (hits / tried) * documents);
  return { words, few: words <= EXACT_COUNT_LIMIT };
}

/** How many of the newest documents sizeOf tries a query's words on, when the planner cannot say. */
const SAMPLE = 1_000;
/** A token searchTokens() can produce that no document holds (digits and letters, never a word). */
const UNKNOWN_WORD = 'q0q0q0q0q0q0q0q0';
/** An estimate within this factor of the planner's guess for an unknown word is taken to be one. */
const GUESSED = 2.5;

export interface Size {
  /** Documents the words match (an estimate unless few). */
  words: number;
  /** Few enough to read every match (which also counts them). */
  few: boolean;
}

interface PlanNode {
  'Plan Rows': number;
  'Total Cost': number;
  Plans?: PlanNode[];
}

/** The planner's plan for a query, without running it. */
async function explain(db: Kysely<Database>, query: RawBuilder<unknown>): Promise<PlanNode | undefined> {
  return (await sql<{ 'QUERY PLAN': { Plan: PlanNode }[] }>`EXPLAIN (FORMAT JSON) ${query}`.execute(db)).rows[0]?.['QUERY PLAN'][0]?.Plan;
}

/** What the planner expects of a count: how many rows feed it, and what it costs. */
export async function planOf(db: Kysely<Database>, query: RawBuilder<unknown>): Promise<{ rows: number; cost: number }> {
  const top = await explain(db, query);
  // Below the aggregate (and a Gather over partial aggregates, if parallel): the rows counted.
  let input = top?.Plans?.[0];
  while (input?.Plans?.length === 1 && input['Plan Rows'] <= 3) input = input.Plans[0];
  return { rows: Number(input?.['Plan Rows'] ?? 0), cost: Number(top?.['Total Cost'] ?? 0) };
}

/** The planner's row estimate for a query, without running it. */
export async function plannedRows(db: Kysely<Database>, query: RawBuilder<unknown>): Promise<number> {
  return Number((await explain(db, query))?.['Plan Rows'] ?? 0);
}

function tsvMatches(query: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`f.tsv @@ to_tsquery('simple', ${query})`;
}

/** The planner's row estimates for several tests on documents_fts, in one round trip. */
async function plannedRowsEach(db: Kysely<Database>, tests: readonly RawBuilder<SqlBool>[]): Promise<number[]> {
  const branches = tests.map((test) => sql`SELECT 1 FROM documents_fts f WHERE ${test}`);
  const top = await explain(db, sql`${sql.join(branches, sql` UNION ALL `)}`);
  const nodes = tests.length === 1 ? [top] : (top?.Plans ?? []);
  return nodes.map((node) => Number(node?.['Plan Rows'] ?? 0));
}

/** The planner's row estimate; a table never analyzed yet (-1) is new and small enough to count. */
export async function documentCount(db: Kysely<Database>): Promise<number> {
  const estimate = Number((await sql<{ estimate: number }>`SELECT reltuples::float8 AS estimate FROM pg_class WHERE oid = 'documents'::regclass`.execute(db)).rows[0]?.estimate ?? -1);
  if (estimate > 0) return estimate;
  return Number((await sql<{ count: number }>`SELECT count(*) AS count FROM documents`.execute(db)).rows[0]?.count ?? 0);
}
