import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { durationAgo } from '../../text/duration.js';
import type { SqlDialect } from '../dialect/types.js';
import { globMatches, provenanceCondition, sizeCondition } from './artifact-filters.js';
import { currencyFilter, dueFilter, totalFilter } from './field-filters.js';
import { splitConjunction, syntaxError, type FieldName, type QueryNode } from './query-parser.js';
import type { Mode } from './types.js';

/**
 * The query syntax tree as a WHERE condition for either database: text through each one's own
 * text syntax (fts5.ts, tsquery.ts), field filters as ordinary predicates with bound values.
 */

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

/** Filters on documents' own indexed columns (migration 0003). */
export const INDEXED_FIELDS = new Set<FieldName>(['type', 'date', 'after', 'before', 'added', 'id']);

function related(mode: Mode, table: RawBuilder<unknown>, condition: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  return mode === 'probe'
    ? sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} WHERE x.document_id = d.id AND ${condition})`
    : sql<SqlBool>`d.id IN (SELECT x.document_id FROM ${table} WHERE ${condition})`;
}

export function compileField(field: FieldName, value: string, position: number, now: Date, mode: Mode, dialect: SqlDialect): RawBuilder<SqlBool> {
  const like = dialect.search.caseInsensitiveLike;
  switch (field) {
    case 'type':
      return sql<SqlBool>`d.type = ${value.toLowerCase()}`;
    case 'tag':
      return related(mode, sql`document_tags x`, dialect.search.tagEquals(value));
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

/** A path: filter's glob, case-sensitive (GLOB, or on Postgres the fastest equivalent). */
export function pathMatches(column: RawBuilder<unknown>, value: string, dialect: SqlDialect): RawBuilder<SqlBool> {
  return dialect.search.pathMatches(column, pathGlob(value));
}

export { globToLike } from './glob.js';

/** A glob that does not start at the root matches anywhere in the path, like .gitignore. */
export function pathGlob(value: string): string {
  return value.startsWith('/') || value.startsWith('*') ? value : `*${value}`;
}

export function compile(node: QueryNode, now: Date, mode: Mode, dialect: SqlDialect): RawBuilder<SqlBool> {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return dialect.search.textMatches(node.text, node.kind === 'term' && node.prefix);
    case 'field':
      return compileField(node.field, node.value, node.position, now, mode, dialect);
    case 'not':
      return sql<SqlBool>`NOT (${compile(node.child, now, mode, dialect)})`;
    case 'and': {
      // Words ANDed together are one text match, as at the top level of a search: one index
      // lookup, where a set per word made Postgres plan a join per word (2 s for 32 words).
      const { expression, residual } = splitConjunction(node.children, dialect.search.text);
      const text = expression === undefined ? [] : [dialect.search.expressionMatches(expression)];
      const parts = [...text, ...residual.map((child) => compile(child, now, mode, dialect))];
      return parts.length === 1 ? (parts[0] as RawBuilder<SqlBool>) : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
    }
    case 'or':
      return sql<SqlBool>`(${sql.join(node.children.map((child) => compile(child, now, mode, dialect)), sql` OR `)})`;
  }
}
