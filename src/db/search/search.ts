import { sql, type Kysely, type SqlBool } from 'kysely';
import { dialectFor } from '../dialect.js';
import type { Database } from '../schema.js';
import { compile, pathGlob, pathMatches } from './compile.js';
import { boundedQuery, syntaxError, type QueryNode } from './query-parser.js';
import type { FailureHit, SearchOptions, SearchResult } from './types.js';

/**
 * Search, the one entry: the query language (query-parser.ts) compiled per database
 * (compile.ts with fts5.ts or tsquery.ts), run by that database's plans (sqlite.ts, postgres.ts).
 */

export type { FailureHit, HitRow, Mode, SearchHit, SearchOptions, SearchResult, SortOrder } from './types.js';

export async function searchDocuments(db: Kysely<Database>, given: SearchOptions): Promise<SearchResult> {
  const options = { ...given, tree: boundedQuery(given.tree) };
  return dialectFor(db).runSearch(db, options);
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
  const dialect = dialectFor(db);
  for (const glob of globs) query = query.where(pathMatches(sql`path`, glob, dialect));
  const total = Number((await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()).count);
  const rows = await query.selectAll().orderBy('path').limit(limit).offset(offset).execute();
  return { total, hits: rows.map((row) => ({ path: row.path, code: row.error_code, message: row.error_message, hint: row.error_hint, lastSeen: row.last_seen })) };
}

/** Every document the query selects, oldest first: for commands that act on all of them. */
export async function matchingDocumentIds(db: Kysely<Database>, given: QueryNode | undefined, limit: number | undefined, now = new Date()): Promise<number[]> {
  const tree = boundedQuery(given);
  const where = tree ? compile(tree, now, 'set', dialectFor(db)) : sql<SqlBool>`1 = 1`;
  const rows = await sql<{ id: number }>`SELECT d.id FROM documents d WHERE ${where} ORDER BY d.id ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`.execute(db);
  return rows.rows.map((row) => row.id);
}
