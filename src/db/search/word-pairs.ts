import { searchTokens } from '../../text/fold.js';
import type { QueryNode } from './query-parser.js';

/**
 * Postgres only: a second vector per document (`documents_fts.pairs`, migration 0019) holding
 * every two words that stand next to each other, each pair as one short lexeme.
 *
 * Why: a GIN index over the words cannot say where a word is, so a phrase is found by reading
 * every document that holds all of its words and testing their positions in its (TOASTed) vector.
 * "total due" has both words in 60,000 of a million invoices and receipts and stands as a phrase in
 * almost none: 380 ms of reading, growing with the catalogue. With the pairs indexed too, the GIN
 * index names the documents where the words stand together, and only those are tested.
 *
 * The pairs narrow the documents before the real test, never instead of it, so a pair is kept as
 * a 32-bit hash (a collision only adds a document to test) and without positions: about 11 bytes a
 * pair instead of 18. A document whose pairs would not fit in a tsvector holds the lexeme OVERFLOW
 * instead, which every pair query also matches, so it is tested as before. An edit of the title,
 * tags or correspondent pairs the document again, its stored text included.
 */

/** A tsvector holds at most 1 MB; text past this many characters is not indexed in Postgres. */
export const MAX_INDEXED_BODY = 400_000;
/** Matched by every pair query; no hash is spelt with "!". */
const OVERFLOW = '!all';
/** Past this many characters the literal is the document's OVERFLOW (a tsvector holds at most 1 MB). */
const LIMIT = 600_000;

export interface PairFields {
  title: string;
  tags: readonly string[];
  correspondent: string | null;
  body: string;
}

/**
 * A document's pairs as a tsvector literal: the words of each field paired, the tags as one field,
 * never a word of one field with the next field's (a phrase does not run from a title into the
 * tags or the text, as in SQLite's FTS5).
 */
export function pairsVector(fields: PairFields): string {
  const pairs = new Set<string>();
  for (const text of [fields.title, fields.tags.join(' '), fields.correspondent ?? '', fields.body.slice(0, MAX_INDEXED_BODY)]) {
    for (const pair of pairHashes(searchTokens(text))) pairs.add(pair);
  }
  const literal = [...pairs].map((pair) => `'${pair}'`).join(' ');
  return literal.length > LIMIT ? `'${OVERFLOW}'` : literal;
}

/** Each two words in a row, hashed. */
function pairHashes(words: readonly string[]): string[] {
  return words.slice(1).map((word, index) => pairHash(words[index] as string, word));
}

/** FNV-1a over the two words, in base 36 (at most seven characters). */
function pairHash(first: string, second: string): string {
  let hash = 0x811c9dc5;
  const text = `${first} ${second}`;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * A tsquery on the pairs that every document matching the AND-ed parts matches: the pairs of
 * each phrase (or word that folds into several, "e-mail"), of each alternative of an OR when every
 * alternative has some, of the first such part of a nested AND, and OVERFLOW. Undefined when no
 * part has two words in a row (a prefix's last word is not paired: "total du*").
 */
export function pairsQuery(parts: readonly QueryNode[]): string | undefined {
  const found = parts.map(partPairs).filter((pairs): pairs is string => pairs !== undefined);
  return found.length === 0 ? undefined : `(${found.join(' & ')}) | '${OVERFLOW}'`;
}

function partPairs(part: QueryNode): string | undefined {
  switch (part.kind) {
    case 'term':
    case 'phrase': {
      const words = searchTokens(part.text);
      if (part.kind === 'term' && part.prefix) words.pop();
      const pairs = new Set(pairHashes(words));
      return pairs.size === 0 ? undefined : [...pairs].map((pair) => `'${pair}'`).join(' & ');
    }
    case 'and':
      return part.children.map(partPairs).find((pairs) => pairs !== undefined);
    case 'or': {
      const alternatives = part.children.map(partPairs);
      return alternatives.every((pairs) => pairs !== undefined) ? `(${alternatives.join(') | (')})` : undefined;
    }
    default:
      return undefined;
  }
}
