import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { searchTokens } from '../../text/fold.js';
import { splitConjunction, type QueryNode, type TextSyntax } from './query-parser.js';

/**
 * Words and phrases of the query language as Postgres tsqueries. Tokens come from searchTokens()
 * (letters and digits only), so nothing a user types can be tsquery syntax; the string is bound
 * as a parameter as well.
 */

/** A word (prefix: ends in *) or a phrase (prefix false). */
interface TextNode {
  text: string;
  prefix: boolean;
}

/** "Müller-Lüdenscheid*" -> "muller <-> ludenscheid:*"; undefined when the text has no word. */
export function tsqueryFor(node: TextNode): string | undefined {
  const words = searchTokens(node.text);
  if (words.length === 0) return undefined;
  if (node.prefix) words[words.length - 1] = `${words[words.length - 1]}:*`;
  return words.join(' <-> ');
}

/** The documents a word or phrase matches, as a set to test d.id against. */
export function textMatchesPostgres(node: TextNode): RawBuilder<SqlBool> {
  const query = tsqueryFor(node);
  // A "word" with no letters or digits matches nothing, as in SQLite.
  if (query === undefined) return sql<SqlBool>`FALSE`;
  return tsqueryMatches(query);
}

/** The documents a tsquery built by TSQUERY matches, as a set to test d.id against. */
export function tsqueryMatches(expression: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`d.id IN (SELECT document_id FROM documents_fts WHERE tsv @@ to_tsquery('simple', ${expression}))`;
}

/** tsquery syntax; a tsquery cannot say "everything but", so negatives only join positives. */
export const TSQUERY: TextSyntax = {
  word: (text, prefix) => tsqueryFor({ text, prefix }),
  any: (parts) => `(${parts.join(' | ')})`,
  all: (positive, negative) => [...positive.map((part) => `(${part})`), ...negative.map((part) => `!(${part})`)].join(' & '),
};

/** Splits AND-ed parts into one tsquery ("(a) & (b | c) & !(d)") and the field filters left. */
export function conjunctionToTsquery(parts: readonly QueryNode[]): { expression: string | undefined; residual: QueryNode[] } {
  return splitConjunction(parts, TSQUERY);
}

/** Any of the positive words, for ranking by ts_rank. */
export function rankingQuery(nodes: readonly TextNode[]): string | undefined {
  const parts = nodes.map(tsqueryFor).filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.map((part) => `(${part})`).join(' | ') : undefined;
}

const MARK_START = '\u0002';
const MARK_END = '\u0003';
const SNIPPET_WORDS = 16;

/**
 * An excerpt of about sixteen words around the first match, with matched words between the same
 * markers FTS5's snippet() uses, so both dialects' snippets go through parseSnippet(). As in FTS5,
 * a phrase is one highlight, single words are one each.
 */
export function markSnippet(text: string, nodes: readonly TextNode[]): string | undefined {
  const words = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
  const folded = words.map((match) => searchTokens(match[0])[0] ?? '');
  const spans: [number, number][] = [];
  for (const node of nodes) {
    const wanted = searchTokens(node.text);
    if (wanted.length === 0) continue;
    for (let index = 0; index + wanted.length <= words.length; index += 1) {
      const hit = wanted.every((word, offset) => {
        const candidate = folded[index + offset] as string;
        return node.prefix && offset === wanted.length - 1 ? candidate.startsWith(word) : candidate === word;
      });
      if (hit) spans.push([index, index + wanted.length - 1]);
    }
  }
  if (spans.length === 0) return undefined;
  const opens = new Set(spans.map(([from]) => from));
  const closes = new Set(spans.map(([, to]) => to));
  const first = Math.min(...opens);
  const start = Math.max(0, Math.min(first - 3, words.length - SNIPPET_WORDS));
  const end = Math.min(words.length, start + SNIPPET_WORDS);
  let out = start > 0 ? '…' : '';
  let open = false;
  for (let index = start; index < end; index += 1) {
    const match = words[index] as RegExpMatchArray;
    const from = match.index as number;
    const upTo = index + 1 < end ? ((words[index + 1] as RegExpMatchArray).index as number) : from + match[0].length;
    if (opens.has(index) && !open) {
      out += MARK_START;
      open = true;
    }
    out += match[0];
    if (open && (closes.has(index) || index === end - 1)) {
      out += MARK_END;
      open = false;
    }
    out += text.slice(from + match[0].length, upTo);
  }
  return end < words.length ? `${out}…` : out;
}
