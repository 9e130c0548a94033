import type { QueryNode } from './query-parser.js';

/** What a search is asked and what it answers, whichever database runs it. */

export type SortOrder = 'relevance' | 'date' | 'added';

export interface SearchOptions {
  tree: QueryNode | undefined;
  limit: number;
  offset: number;
  sort: SortOrder;
  now?: Date;
}

export interface SearchResult {
  total: number;
  /** The total is the planner's estimate (Postgres, many matches), not a count. */
  totalIsEstimate?: boolean;
  hits: SearchHit[];
}

export interface SearchHit {
  id: number;
  title: string;
  type: string;
  date: string | null;
  correspondent: string | null;
  tags: string[];
  method: string;
  mime: string;
  addedAt: string;
  blobBackend: string;
  blobKey: string;
  /** bm25 score (lower is better) when the query has text. */
  score: number | null;
  /** Body excerpt around the matches, and where the matched words are in it. */
  snippet: string | null;
  highlights: [number, number][];
  paths: string[];
}

export interface FailureHit {
  path: string;
  code: string | null;
  message: string | null;
  hint: string | null;
  lastSeen: string;
}

/**
 * How a filter on another table is said. `probe` (correlated EXISTS) lets SQLite walk a more
 * selective index, such as the date order of a page, and test each row: IN (...) made it build the
 * whole tag list first (4 ms against 57 ms at 100k). `set` (IN ...) is for counting, which visits
 * every match anyway: EXISTS per document cost 92 ms for a path: count against 15 ms.
 */
export type Mode = 'probe' | 'set';

export interface HitRow {
  id: number;
  title: string;
  type: string;
  document_date: string | null;
  correspondent: string | null;
  tags: string;
  method: string;
  mime: string;
  added_at: string;
  blob_backend: string;
  blob_key: string;
  score: number | null;
  paths: string | null;
}
