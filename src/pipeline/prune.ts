import type { Logger } from 'pino';
import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository } from '../db/documents.js';
import type { ProvenanceRepository, PruneFacts } from '../db/provenance.js';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import { removeUnusedBlob, type BlobKeptReason } from './remove-blob.js';

/**
 * Retention for build artifacts (`doccat prune`), after artifact repositories' build retention
 * (JFrog's "keep the last N builds", GitHub's artifact retention days): among the documents the
 * filters select, the builds of each group (a branch or a file name of a repository, or a repository) are ranked
 * newest first and the documents seen in the last N of them are kept; with --older-than, only
 * documents not seen since then may go. Documents tagged `keep` or changed by hand are never
 * pruned. A document seen without CI provenance counts as its own build, made when it was added.
 */

export type PruneGroup = 'branch' | 'repo' | 'name';

export interface PrunePolicy {
  keepLast?: number;
  per: PruneGroup;
  /** ISO time: only documents last seen before it may be pruned. */
  olderThan?: string;
}

export type KeptReason = 'recent' | 'newer' | 'keep-tag' | 'manual';

export interface PruneDecision {
  id: number;
  name: string;
  size: number;
  sha256: string;
  lastSeen: string;
  action: 'prune' | 'keep';
  reason?: KeptReason;
}

/**
 * The group a build (or a document without one) belongs to under the policy. Branches and names
 * are groups within their repository: one catalogue often holds several repositories' builds, and
 * a new build of one repository's main must not count against another's.
 */
function groupOf(per: PruneGroup, build: PruneFacts['builds'][number] | undefined, document: PruneFacts): string {
  const repository = build?.repository ?? '(no repository)';
  if (per === 'name') return `${repository}\u0000${build?.name ?? document.name}`;
  if (!build) return '(no provenance)';
  if (per === 'repo') return repository;
  return `${repository}\u0000${build.branch ?? (build.tag ? `tag:${build.tag}` : '(no branch)')}`;
}

/** Which documents the policy keeps and which it prunes; pure, so that --dry-run shows exactly what a run would do. */
export function planPrune(documents: readonly PruneFacts[], policy: PrunePolicy): PruneDecision[] {
  // Per group: its builds, newest first; the last N of them are kept.
  const keptBuilds = new Map<string, Set<string>>();
  if (policy.keepLast !== undefined) {
    const builds = new Map<string, Map<string, string>>();
    for (const document of documents) {
      const appearances = document.builds.length > 0 ? document.builds.map((build) => ({ group: groupOf(policy.per, build, document), id: `p${build.provenanceId}`, at: build.builtAt })) : [{ group: groupOf(policy.per, undefined, document), id: `d${document.id}`, at: document.addedAt }];
      for (const appearance of appearances) {
        const group = builds.get(appearance.group) ?? new Map<string, string>();
        const known = group.get(appearance.id);
        if (known === undefined || appearance.at > known) group.set(appearance.id, appearance.at);
        builds.set(appearance.group, group);
      }
    }
    for (const [group, byId] of builds) {
      const newest = [...byId.entries()].sort(([idA, atA], [idB, atB]) => (atA === atB ? idB.localeCompare(idA, 'en', { numeric: true }) : atB.localeCompare(atA))).slice(0, policy.keepLast);
      keptBuilds.set(group, new Set(newest.map(([id]) => id)));
    }
  }
  return documents.map((document): PruneDecision => {
    const base = { id: document.id, name: document.name, size: document.size, sha256: document.sha256, lastSeen: document.lastSeen };
    if (document.keepTagged) return { ...base, action: 'keep', reason: 'keep-tag' };
    if (document.manual) return { ...base, action: 'keep', reason: 'manual' };
    if (policy.olderThan !== undefined && document.lastSeen >= policy.olderThan) return { ...base, action: 'keep', reason: 'newer' };
    if (policy.keepLast !== undefined) {
      const recent = document.builds.length > 0
        ? document.builds.some((build) => keptBuilds.get(groupOf(policy.per, build, document))?.has(`p${build.provenanceId}`))
        : keptBuilds.get(groupOf(policy.per, undefined, document))?.has(`d${document.id}`) === true;
      if (recent) return { ...base, action: 'keep', reason: 'recent' };
    }
    return { ...base, action: 'prune' };
  });
}

export interface PruneOutcome extends PruneDecision {
  /** pruned: removed now; gone: removed meanwhile by another process; changed: seen, tagged or edited since the plan, so kept. */
  result: 'pruned' | 'gone' | 'changed' | 'failed';
  blob?: 'deleted' | 'kept' | 'failed';
  blobKept?: BlobKeptReason;
  error?: ErrorInfo;
}

export interface PruneDependencies {
  runId: string;
  documents: DocumentRepository;
  provenance: ProvenanceRepository;
  claims: ClaimRepository;
  openStore(name: string): Promise<BlobStore>;
  otherCatalogs(backend: string): Promise<readonly string[]>;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Removes what the plan prunes, one document per transaction (audited as `prune`), re-checking
 * inside it that the document was not seen again, tagged keep or edited since the plan was made
 * (a concurrent ingest, a person); then deletes its blob under the content claim, unless another
 * document or catalogue uses it. Interrupted, the same command continues: what is gone is gone,
 * and a blob left behind is an orphan for `storage verify --repair`.
 */
export async function executePrune(plan: readonly PruneDecision[], plannedAt: string, deps: PruneDependencies, onDocument?: (outcome: PruneOutcome) => void): Promise<PruneOutcome[]> {
  const outcomes: PruneOutcome[] = [];
  for (const decision of plan) {
    if (decision.action !== 'prune') continue;
    if (deps.signal.aborted) break;
    let outcome: PruneOutcome;
    try {
      let changed = false;
      const removed = await deps.documents.deleteDocument(decision.id, deps.runId, {
        command: 'prune',
        unless: async (trx) => (changed = await deps.provenance.changedSince(trx, decision.id, plannedAt)),
      });
      if (!removed) outcome = { ...decision, result: changed ? 'changed' : 'gone' };
      else {
        try {
          const removal = await removeUnusedBlob(await deps.openStore(removed.blobBackend), removed.blobKey, { repository: deps.documents, claims: deps.claims, otherCatalogs: () => deps.otherCatalogs(removed.blobBackend) });
          // A scan's searchable PDF goes with it, under the same rules as the original.
          const searchable = removed.searchable;
          if (searchable) await removeUnusedBlob(await deps.openStore(searchable.backend), searchable.key, { repository: deps.documents, claims: deps.claims, otherCatalogs: () => deps.otherCatalogs(searchable.backend) });
          outcome = removal.removed ? { ...decision, result: 'pruned', blob: 'deleted' } : { ...decision, result: 'pruned', blob: 'kept', blobKept: removal.kept };
        } catch (error) {
          deps.logger.warn({ documentId: decision.id, err: (error as Error).message }, 'pruned document: its blob could not be deleted');
          outcome = { ...decision, result: 'pruned', blob: 'failed', error: toErrorInfo(error) };
        }
      }
    } catch (error) {
      outcome = { ...decision, result: 'failed', error: toErrorInfo(error) };
    }
    outcomes.push(outcome);
    onDocument?.(outcome);
  }
  return outcomes;
}
