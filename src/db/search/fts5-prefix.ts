import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { FTS5, ftsString } from './fts5.js';
import type { QueryNode, TextSyntax } from './query-parser.js';

/**
 * FTS5 answers a prefix longer than its prefix indexes (2 to 4 characters, migration 0004) by
 * merging the lists of every word it expands to into one, in full, at the start of each statement
 * that names it: 35 ms for insur* among 1M documents, paid by every statement of a search (the
 * size, the walk, bm25's document frequencies, the snippets). Said instead as an OR of the words
 * it expands to, the lists are streamed as for any OR ("insurance" OR "insured": 7 ms instead of
 * 40 for the newest 5,001 matches). The words come from an fts5vocab table over the index, made
 * in the connection's temp schema (no file changes, so read-only catalogues work too).
 */

/** Prefixes at most this long are served by FTS5's prefix indexes. */
const PREFIX_INDEX_LENGTH = 4;
/** A prefix that expands to more words than this stays a prefix (an OR that long costs more). */
const MAX_EXPANSION = 32;

/** The FTS5 syntax, with each long prefix said as the OR of the words it expands to. */
export async function expandedSyntax(db: Kysely<Database>, tree: QueryNode | undefined): Promise<{ syntax: TextSyntax; expanded: ReadonlySet<string> }> {
  const prefixes = new Set<string>();
  const visit = (node: QueryNode): void => {
    if (node.kind === 'term' && node.prefix && node.text.length > PREFIX_INDEX_LENGTH && /^[a-z0-9]+$/i.test(node.text)) prefixes.add(node.text.toLowerCase());
    else if (node.kind === 'not') visit(node.child);
    else if (node.kind === 'and' || node.kind === 'or') node.children.forEach(visit);
  };
  if (tree) visit(tree);
  const words = new Map<string, string[]>();
  if (prefixes.size > 0) {
    await sql`CREATE VIRTUAL TABLE IF NOT EXISTS temp.doccat_fts_words USING fts5vocab(main, documents_fts, row)`.execute(db);
    for (const prefix of prefixes) {
      // The range ends before the next prefix: ASCII letters and digits only, so the successor of
      // the last character is simple and every word FTS5 would expand the prefix to is in range.
      const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      const found = (await sql<{ term: string }>`SELECT term FROM temp.doccat_fts_words WHERE term >= ${prefix} AND term < ${next} LIMIT ${MAX_EXPANSION + 1}`.execute(db)).rows.map((row) => row.term);
      if (found.length > 0 && found.length <= MAX_EXPANSION) words.set(prefix, found);
    }
  }
  const word = (text: string, prefix: boolean): string => {
    const expansion = prefix ? words.get(text.toLowerCase()) : undefined;
    return expansion === undefined ? ftsString(text, prefix) : `(${expansion.map((term) => ftsString(term, false)).join(' OR ')})`;
  };
  return { syntax: { ...FTS5, word }, expanded: new Set(words.keys()) };
}
