import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import { splitConjunction, type QueryNode, type TextSyntax } from './query-parser.js';

/**
 * SQLite's text syntax: each word or phrase is its own FTS5 MATCH with the text bound as a
 * parameter and quoted as an FTS5 string, so no user input is ever read as SQL or as FTS5 syntax.
 */

export function ftsString(text: string, prefix: boolean): string {
  return `"${text.replace(/"/g, '""')}"${prefix ? '*' : ''}`;
}

/** The documents matching an FTS5 expression, as `IN (…)` to test an id against. */
export function inMatches(expression: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ${expression})`;
}

/** Documents already known to match, as `IN (…)` to test an id against. */
export function inKnown(ids: readonly number[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/** The documents matching an FTS5 expression, as a set to test d.id against. */
export function matchingIds(expression: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`d.id ${inMatches(expression)}`;
}

/** Documents already known to match, as a set to test d.id against. */
export function knownIds(ids: readonly number[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`d.id ${inKnown(ids)}`;
}

/** How many documents match: FTS5 counts without scoring, which is nearly free. */
export async function countMatches(db: Kysely<Database>, expression: string): Promise<number> {
  const counted = await sql<{ count: number }>`SELECT count(*) AS count FROM documents_fts WHERE documents_fts MATCH ${expression}`.execute(db);
  return Number(counted.rows[0]?.count ?? 0);
}

/** FTS5 MATCH syntax: each word or phrase quoted as an FTS5 string, so user text is never syntax. */
export const FTS5: TextSyntax = {
  word: (text, prefix) => ftsString(text, prefix),
  any: (parts) => `(${parts.join(' OR ')})`,
  all: (positive, negative) => `${positive.join(' AND ')}${negative.map((part) => ` NOT ${part}`).join('')}`,
};

/** Splits AND-ed parts into one FTS5 expression ("a AND b NOT c") and what is left over. */
export function conjunctionToFts(parts: QueryNode[]): { expression: string | undefined; residual: QueryNode[] } {
  return splitConjunction(parts, FTS5);
}
