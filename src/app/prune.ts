import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { blobStores } from './stores.js';
import type { QueryNode } from '../db/search/query-parser.js';
import type { PruneDecision, PruneGroup, PruneOutcome } from '../pipeline/prune.js';

export type { PruneDecision, PruneGroup, PruneOutcome };

export interface PruneOptions {
  /** Which documents the policy applies to: filters only (none: all of them). */
  tree: QueryNode | undefined;
  keepLast?: number;
  per: PruneGroup;
  /** Only documents not seen since `before` (ISO time); `text` is the duration as given, for the report. */
  olderThan?: { text: string; before: string };
  /** The time relative filters (added:7d) are read against. */
  now: Date;
  /** Plan only: nothing removed, no run recorded, the catalogue opened read only. */
  dryRun?: boolean;
}

export interface PrunePolicyReport {
  keepLast: number | null;
  per: PruneGroup;
  olderThan: string | null;
}

export interface PruneReport {
  policy: PrunePolicyReport;
  /** Documents the filters chose, each with the policy's decision. */
  plan: PruneDecision[];
  selected: number;
  kept: number;
  /** What was done to each document the plan prunes; absent on a dry run. */
  outcomes?: PruneOutcome[];
  /** How many outcomes had each result (all 0 on a dry run). */
  counts: Record<PruneOutcome['result'], number>;
  interrupted: boolean;
}

/**
 * Applies the retention policy to the documents chosen: plans which are kept and which pruned
 * (pipeline/prune.ts, pure), then, unless a dry run, removes them and their unused blobs as one
 * recorded run.
 */
export async function prune(context: AppContext, options: PruneOptions): Promise<PruneReport> {
  const catalog = await openCatalog(context, { readonly: Boolean(options.dryRun) });
  try {
    const [{ matchingDocumentIds }, { planPrune, executePrune }] = await Promise.all([import('../db/search/search.js'), import('../pipeline/prune.js')]);
    const plannedAt = new Date().toISOString();
    const ids = await matchingDocumentIds(catalog.database.db, options.tree, undefined, options.now);
    const plan = planPrune(await catalog.provenance.pruneFacts(ids), { ...(options.keepLast === undefined ? {} : { keepLast: options.keepLast }), per: options.per, ...(options.olderThan === undefined ? {} : { olderThan: options.olderThan.before }) });
    const policy = { keepLast: options.keepLast ?? null, per: options.per, olderThan: options.olderThan?.text ?? null };
    const kept = plan.filter((decision) => decision.action === 'keep').length;
    const counts = { pruned: 0, changed: 0, gone: 0, failed: 0 };
    if (options.dryRun) return { policy, plan, selected: plan.length, kept, counts, interrupted: false };
    await catalog.documents.startRun(context.runId, 'prune');
    const stores = await blobStores(context, { catalog, register: false });
    const { REMOVAL_CLAIM_MS } = await import('../pipeline/remove-blob.js');
    const outcomes = await executePrune(plan, plannedAt, {
      runId: context.runId,
      documents: catalog.documents,
      provenance: catalog.provenance,
      claims: catalog.claims(context.runId, REMOVAL_CLAIM_MS),
      openStore: (name) => stores.open(name),
      otherCatalogs: (backend) => stores.otherCatalogsIn(backend),
      logger: context.logger,
      signal: context.signal,
    });
    for (const outcome of outcomes) counts[outcome.result] += 1;
    const interrupted = context.signal.aborted;
    await catalog.documents.finishRun(context.runId, interrupted ? 'interrupted' : counts.failed > 0 ? 'partial' : 'ok', { selected: plan.length, kept, ...counts });
    return { policy, plan, selected: plan.length, kept, outcomes, counts, interrupted };
  } finally {
    await catalog.close();
  }
}
