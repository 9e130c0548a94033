import type { QueryNode } from '../db/search/query-parser.js';

/**
 * The query language as commands take it: parsed by db/search/, combined with a command's filter
 * flags in cli/filters.ts, and run by app/search.ts (or selected from by manifest, reclassify,
 * export, prune). Kept apart from app/search.ts because every command's filter flags load it at
 * start-up, and the search itself only when a command searches.
 */
export { parseQuery, type FieldName, type QueryNode } from '../db/search/query-parser.js';
export type { SortOrder } from '../db/search/types.js';

/** True when the tree holds words or phrases (list accepts filters only). */
export function hasText(node: QueryNode | undefined): boolean {
  if (!node) return false;
  if (node.kind === 'term' || node.kind === 'phrase') return true;
  if (node.kind === 'field') return false;
  if (node.kind === 'not') return hasText(node.child);
  return node.children.some(hasText);
}
