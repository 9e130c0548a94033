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

/**
 * Tsqueries each of which matches every document the AND-ed parts match: each positive part alone,
 * and a phrase (or a word that folds into several, "e-mail") as each of its words. The planner's
 * estimate for one word is good; for an AND or a phrase it is not (see sizeOf in postgres.ts).
 */
export function boundingQueries(parts: readonly QueryNode[]): string[] {
  const queries: string[] = [];
  for (const part of parts) {
    if (part.kind === 'not') continue;
    if (part.kind === 'term' || part.kind === 'phrase') {
      const words = searchTokens(part.text);
      const prefix = part.kind === 'term' && part.prefix;
      words.forEach((word, index) => queries.push(prefix && index === words.length - 1 ? `${word}:*` : word));
      continue;
    }
    const { expression } = splitConjunction([part], TSQUERY);
    if (expression !== undefined) queries.push(expression);
  }
  return queries;
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
  const wanted = nodes.map((node) => ({ words: searchTokens(node.text), prefix: node.prefix })).filter((node) => node.words.length > 0);
  if (wanted.length === 0) return undefined;
  // A hit's text is a whole document: its words are found and folded only as far as the excerpt
  // needs (up to the first match and one excerpt beyond), each distinct word folded once.
  const words = new LazyWords(text);
  const matchesAt = (index: number, node: (typeof wanted)[number]) =>
    node.words.every((word, offset) => {
      const candidate = words.folded(index + offset);
      if (candidate === undefined) return false;
      return node.prefix && offset === node.words.length - 1 ? candidate.startsWith(word) : candidate === word;
    });
  let first = -1;
  for (let index = 0; first < 0 && words.has(index); index += 1) if (wanted.some((node) => matchesAt(index, node))) first = index;
  if (first < 0) return undefined;
  // Known only once the words up to one excerpt past the first match have been read.
  words.has(first + SNIPPET_WORDS);
  const total = words.known;
  const start = Math.max(0, Math.min(first - 3, total - SNIPPET_WORDS));
  const end = Math.min(total, start + SNIPPET_WORDS);
  const opens = new Set<number>();
  const closes = new Set<number>();
  for (let index = start; index < end; index += 1)
    for (const node of wanted)
      if (matchesAt(index, node)) {
        opens.add(index);
        closes.add(index + node.words.length - 1);
      }
  let out = start > 0 ? '…' : '';
  let open = false;
  for (let index = start; index < end; index += 1) {
    const match = words.at(index);
    const from = match.index as number;
    const upTo = index + 1 < end ? (words.at(index + 1).index as number) : from + match[0].length;
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
  return words.has(end) ? `${out}…` : out;
}

/** A text's words, read from the start only as far as asked, folded as the index folds them. */
class LazyWords {
  private readonly matches: RegExpExecArray[] = [];
  private readonly foldedWords: string[] = [];
  private readonly pattern = /[\p{L}\p{N}]+/gu;
  private done = false;

  constructor(private readonly text: string) {}

  /** Words read so far (all of them once has() has said false). */
  get known(): number {
    return this.matches.length;
  }

  has(index: number): boolean {
    while (!this.done && this.matches.length <= index) {
      const match = this.pattern.exec(this.text);
      if (match === null) this.done = true;
      else this.matches.push(match);
    }
    return index < this.matches.length;
  }

  at(index: number): RegExpExecArray {
    this.has(index);
    return this.matches[index] as RegExpExecArray;
  }

  folded(index: number): string | undefined {
    if (!this.has(index)) return undefined;
    let folded = this.foldedWords[index];
    if (folded === undefined) {
      const word = (this.matches[index] as RegExpExecArray)[0];
      folded = /^[A-Za-z0-9]+$/.test(word) ? word.toLowerCase() : foldedWord(word);
      this.foldedWords[index] = folded;
    }
    return folded;
  }
}

const foldCache = new Map<string, string>();
/** A non-ASCII word folded (accents, ß, ligatures); remembered, as the same words recur. */
function foldedWord(word: string): string {
  let folded = foldCache.get(word);
  if (folded === undefined) {
    folded = searchTokens(word)[0] ?? '';
    if (foldCache.size > 10_000) foldCache.clear();
    foldCache.set(word, folded);
  }
  return folded;
}
