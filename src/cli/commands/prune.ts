import type { Command } from 'commander';
import { createContext } from '../context.js';
import { buildTree, hasText, type FilterFlags } from '../filters.js';
import { formatDocumentId } from '../../app/ids.js';
import { prune, type PruneGroup, type PruneOutcome } from '../../app/prune.js';
import { renderTable, truncateMiddle, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { durationAgo } from '../../text/duration.js';

export interface PruneFlags extends FilterFlags {
  keepLast?: number;
  per?: PruneGroup;
  olderThan?: string;
  dryRun?: boolean;
}

/**
 * `doccat prune [filters] --keep-last N [--per branch|repo|name] [--older-than 90d]`: removes the
 * documents beyond the retention policy, and their blobs when nothing else uses them (app/prune.ts).
 */
export async function pruneCommand(filters: string[], options: PruneFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const tree = buildTree(filters.join(' '), options);
  if (hasText(tree)) throw usageError('E_USAGE', 'prune takes filters only (branch:main, name:*.whl, ...)', 'select artifacts with field:value filters, as in `doccat list`');
  if (options.keepLast === undefined && options.olderThan === undefined) {
    throw usageError('E_USAGE', 'prune needs a policy: --keep-last N, --older-than DURATION, or both', 'e.g. doccat prune --keep-last 5 --per branch --older-than 90d --dry-run');
  }
  const now = new Date();
  const olderThan = options.olderThan === undefined ? undefined : durationAgo(options.olderThan, now);
  if (options.olderThan !== undefined && olderThan === undefined) throw usageError('E_USAGE', `--older-than wants a duration like 90d, 12w, 6m or 1y, not "${options.olderThan}"`, 'units: min, h, d, w, m (months), y');
  const report = await prune(context, {
    tree,
    ...(options.keepLast === undefined ? {} : { keepLast: options.keepLast }),
    per: options.per ?? 'branch',
    ...(options.olderThan === undefined || olderThan === undefined ? {} : { olderThan: { text: options.olderThan, before: olderThan } }),
    now,
    dryRun: Boolean(options.dryRun),
  });
  const { policy, plan, selected, kept, counts, interrupted } = report;
  if (!report.outcomes) {
    const planned = plan.filter((decision) => decision.action === 'prune');
    if (context.output.json) writeJson({ dryRun: true, policy, selected, kept, wouldPrune: planned.map(view), keptDocuments: plan.filter((decision) => decision.action === 'keep').map(view) });
    else await printOutcomes(planned.map((decision) => ({ ...decision, result: 'pruned' as const })), selected, kept, true, context.output.color);
    return ExitCode.ok;
  }
  const outcomes = report.outcomes;
  if (context.output.json) writeJson({ dryRun: false, runId: context.runId, policy, selected, kept, ...counts, interrupted, documents: outcomes.map((outcome) => ({ ...view(outcome), result: outcome.result, ...(outcome.blob ? { blob: outcome.blob } : {}), ...(outcome.blobKept ? { blobKept: outcome.blobKept } : {}), ...(outcome.error ? { error: outcome.error } : {}) })) });
  else await printOutcomes(outcomes, selected, kept, false, context.output.color);
  if (interrupted) return ExitCode.interrupted;
  return outcomes.some((outcome) => outcome.result === 'failed' || outcome.blob === 'failed') ? ExitCode.someFailed : ExitCode.ok;
}

function view(decision: { id: number; name: string; size: number; sha256: string; lastSeen: string; reason?: string }) {
  return { id: decision.id, ref: formatDocumentId(decision.id), name: decision.name, size: decision.size, sha256: decision.sha256, lastSeen: decision.lastSeen, ...(decision.reason ? { keptBecause: decision.reason } : {}) };
}

async function printOutcomes(outcomes: readonly PruneOutcome[], selected: number, kept: number, dryRun: boolean, color: boolean): Promise<void> {
  const table = await renderTable(['id', 'name', 'size', 'last seen', dryRun ? 'would be' : 'result'], outcomes.map((outcome) => [formatDocumentId(outcome.id), truncateMiddle(outcome.name, 40), outcome.size, outcome.lastSeen.slice(0, 19), outcome.result === 'pruned' && outcome.blob === 'kept' ? `pruned (blob kept: ${outcome.blobKept})` : outcome.result]), color);
  if (outcomes.length > 0) process.stdout.write(`${table}\n`);
  const pruned = outcomes.filter((outcome) => outcome.result === 'pruned').length;
  process.stdout.write(`${selected} selected · ${kept} kept · ${pruned} ${dryRun ? 'would be pruned (dry run: nothing removed)' : 'pruned'}\n`);
}
