import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { hasText, type QueryNode, type SortOrder } from './query.js';
import type { FailureHit, SearchHit } from '../db/search/types.js';

// The hits `search` and `list` print, named here so that cli/ need not reach into db/.
export type { FailureHit, SearchHit } from '../db/search/types.js';

export interface SearchRequest {
  tree: QueryNode | undefined;
  /** `search` ranks by relevance when the query has words to rank by; `list` keeps the order documents were added in. */
  mode: 'search' | 'list';
  /** Overrides the mode's order (--sort). */
  sort?: SortOrder | undefined;
  limit: number;
  offset: number;
}

/** Documents, or failed files when the query asks for them (status:failed), which are not documents. */
export type SearchAnswer =
  | { kind: 'failures'; total: number; hits: FailureHit[] }
  | {
      kind: 'documents';
      total: number;
      /** The total is the planner's estimate (Postgres, very many matches), not a count. */
      totalIsEstimate: boolean;
      hits: SearchHit[];
    };

/** One page of what the query selects in the configured catalogue, opened read-only. */
export async function searchCatalogue(context: AppContext, request: SearchRequest): Promise<SearchAnswer> {
  const { tree, limit, offset } = request;
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const { searchFailures, wantsFailures } = await import('../db/search/search.js');
    if (wantsFailures(tree)) return { kind: 'failures', ...(await searchFailures(catalog.db, tree, limit, offset)) };
    const sort = request.sort ?? (request.mode === 'search' && hasText(tree) ? 'relevance' : 'added');
    const { total, totalIsEstimate, hits } = await catalog.search({ tree, limit, offset, sort });
    return { kind: 'documents', total, totalIsEstimate: totalIsEstimate === true, hits };
  } finally {
    await catalog.close();
  }
}

/**
 * Where each hit's blob is on this disk, in the backend it is stored in (the built-in or a named
 * local one); undefined for a backend with no local path (S3), whose blobs `doccat get` fetches.
 */
export async function localBlobPaths(context: AppContext, hits: readonly Pick<SearchHit, 'blobBackend' | 'blobKey'>[]): Promise<(string | undefined)[]> {
  const { localBlobPath } = await import('../storage/registry.js');
  const { config, blobDir, catalogDir } = context.config;
  return hits.map((hit) => localBlobPath(hit.blobBackend, hit.blobKey, { storage: config.storage, blobDir, catalogDir }));
}
