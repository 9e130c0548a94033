/**
 * The order both databases give a search with many matches: title, tag and correspondent matches
 * first (tier 1), the others after (tier 2); each tier newest first, cut into blocks of
 * RANK_BLOCK, each block ordered by relevance. Newest first is what an index gives without reading
 * every match, and since the order does not depend on the page asked for, pages never overlap.
 */
export const RANK_BLOCK = 100;

/** A match taken for the page, with where it falls in the order (before its relevance is known). */
export interface TierCandidate<T> {
  match: T;
  tier: 1 | 2;
  block: number;
}

/**
 * The matches of the blocks a page touches, asking each tier for its newest matches up to the
 * end of the page's last block (a tier that comes back short is exhausted). `start` is where the
 * first candidate falls in the whole order; `exact` the total, when both tiers were exhausted.
 * undefined when a tier could not tell.
 */
export interface TierSelection<T> {
  candidates: TierCandidate<T>[];
  start: number;
  exact: number | undefined;
}

export async function tierCandidates<T>(offset: number, limit: number, newest: (tier: 1 | 2, limit: number) => Promise<T[]>): Promise<TierSelection<T>>;
export async function tierCandidates<T>(offset: number, limit: number, newest: (tier: 1 | 2, limit: number) => Promise<T[] | undefined>): Promise<TierSelection<T> | undefined>;
export async function tierCandidates<T>(offset: number, limit: number, newest: (tier: 1 | 2, limit: number) => Promise<T[] | undefined>): Promise<TierSelection<T> | undefined> {
  const end = offset + limit;
  const blockStart = (position: number) => Math.floor(position / RANK_BLOCK) * RANK_BLOCK;
  const blockEnd = (position: number) => Math.ceil(position / RANK_BLOCK) * RANK_BLOCK;
  const first = await newest(1, blockEnd(end));
  if (first === undefined) return undefined;
  const firstExhausted = first.length < blockEnd(end);
  const candidates: TierCandidate<T>[] = [];
  const take = (matches: T[], tier: 1 | 2, from: number) => matches.slice(from).forEach((match, index) => candidates.push({ match, tier, block: Math.floor((from + index) / RANK_BLOCK) }));
  let start: number;
  if (offset < first.length || !firstExhausted) {
    start = blockStart(offset);
    take(first, 1, start);
  } else start = first.length + blockStart(offset - first.length);
  let exact: number | undefined;
  if (firstExhausted && end > first.length) {
    const wanted = blockEnd(end - first.length);
    const second = await newest(2, wanted);
    if (second === undefined) return undefined;
    take(second, 2, blockStart(Math.max(0, offset - first.length)));
    if (second.length < wanted) exact = first.length + second.length;
  }
  return { candidates, start, exact };
}
