import { searchTokens } from '../../text/fold.js';
import type { QueryNode } from './query-parser.js';

/**
 * Postgres only: a second vector per document (`documents_fts.pairs`, migration 0019) holding
 * every two words that stand next to each other, "total due" as the one lexeme 'total due'.
 *
 * Why: a GIN index over the words cannot say where a word is, so a phrase is found by reading
 * every document that holds all of its words and testing their positions in its (TOASTed) vector.
 * "total due" has both words in 60,000 of a million invoices and receipts and stands as a phrase in
 * about a thousand: 380 ms of reading, growing with the catalogue. With the pairs indexed too, the
 * GIN index names the documents where the words stand together, and only those are tested.
 *
 * The pairs are a filter in front of the real test, never instead of it: they must hold every
 * pair a phrase match can have, and may hold more. Words are paired inside each field only (the
 * tags as one field): a phrase does not run from a title into the text, as in SQLite's FTS5. A
 * document whose pairs would not fit in a tsvector (about a megabyte) holds the lexeme OVERFLOW
 * instead, which every pair query also matches, so it is tested as before.
 */

/** A tsvector holds at most 1 MB; text past this many characters is not indexed in Postgres. */
export const MAX_INDEXED_BODY = 400_000;
/** Matched by every pair query; no searchTokens() word holds "!". */
const OVERFLOW = '!all';
/** Past this many characters the literal is a document's OVERFLOW (a tsvector holds at most 1 MB). */
const LIMIT = 600_000;

export interface PairFields {
  title: string;
  tags: readonly string[];
  correspondent: string | null;
  /** Absent when only the head changes (an edit): the body's pairs are kept as they are. */
  body?: string;
}

/**
 * The pairs of a document as a tsvector literal: title, tags and correspondent at weight A
 * (position 1), the body at weight D (position 2), so that an edit keeps the body's with
 * ts_filter(pairs, '{d}').
 */
export function pairsVector(fields: PairFields): string {
  const head = new Set<string>();
  for (const text of [fields.title, fields.tags.join(' '), fields.correspondent ?? '']) addPairs(head, searchTokens(text));
  const body = new Set<string>();
  if (fields.body !== undefined) addPairs(body, searchTokens(fields.body.slice(0, MAX_INDEXED_BODY)));
  const literal = [...[...head].map((pair) => `${quoted(pair)}:1A`), ...[...body].map((pair) => `${quoted(pair)}:2`)].join(' ');
  return literal.length > LIMIT ? `${quoted(OVERFLOW)}:2` : literal;
}

function addPairs(into: Set<string>, words: readonly string[]): void {
  for (let index = 1; index < words.length; index += 1) into.add(`${words[index - 1]} ${words[index]}`);
}

/** tsvector and tsquery quoting; searchTokens() words never need it, but a literal must be safe. */
function quoted(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * A tsquery on the pairs that every document matching the AND-ed parts matches: the pairs of
 * each phrase (or word that folds into several, "e-mail"), of each alternative of an OR when every
 * alternative has some, and OVERFLOW. Undefined when no part has two words in a row (a prefix's
 * last word is not paired: "total du*").
 */
export function pairsQuery(parts: readonly QueryNode[]): string | undefined {
  const found = parts.map(partPairs).filter((pairs): pairs is string => pairs !== undefined);
  return found.length === 0 ? undefined : `(${found.join(' & ')}) | ${quoted(OVERFLOW)}`;
}

function partPairs(part: QueryNode): string | undefined {
  switch (part.kind) {
    case 'term':
    case 'phrase': {
      const words = searchTokens(part.text);
      if (part.kind === 'term' && part.prefix) words.pop();
      const pairs = new Set<string>();
      addPairs(pairs, words);
      return pairs.size === 0 ? undefined : [...pairs].map(quoted).join(' & ');
    }
    case 'and': {
      const found = part.children.map(partPairs).filter((pairs): pairs is string => pairs !== undefined);
      return found.length === 0 ? undefined : `(${found.join(') & (')})`;
    }
    case 'or': {
      const alternatives = part.children.map(partPairs);
      return alternatives.every((pairs) => pairs !== undefined) ? `(${alternatives.join(') | (')})` : undefined;
    }
    default:
      return undefined;
  }
}
