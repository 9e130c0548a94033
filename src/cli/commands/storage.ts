import type { Command } from 'commander';
import { createContext, type CommandContext } from '../context.js';
import { formatDocumentId } from '../../app/ids.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { Progress } from '../progress.js';
import { ExitCode } from '../../errors.js';
import { migrateStorage, storageBackends, syncStorage, verifyStorage, type MigrateJobEvents, type MigrateJobReport } from '../../app/storage-jobs.js';

export interface MigrateFlags {
  to: string;
  from?: string;
  concurrency?: number;
  deleteSource?: boolean;
  dryRun?: boolean;
  ndjson?: boolean;
}

/** sync always moves from the fallback to the primary and deletes the fallback's copy. */
export type SyncFlags = Pick<MigrateFlags, 'concurrency' | 'dryRun' | 'ndjson'>;

export async function migrateCommand(options: MigrateFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  return moveBlobs(context, options, (events) =>
    migrateStorage(context, { to: options.to, ...(options.from !== undefined ? { from: options.from } : {}), ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}), deleteSource: Boolean(options.deleteSource), dryRun: Boolean(options.dryRun), command: 'storage migrate' }, events).then((report) => ({ ...report, to: options.to, from: options.from })),
  );
}

/** Moves blobs that went to the fallback while the primary was down back to the primary. */
export async function syncCommand(options: SyncFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  return moveBlobs(context, options, (events) => syncStorage(context, { ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}), dryRun: Boolean(options.dryRun) }, events));
}

/** Runs a move with its progress, then reports it (migrate and sync). */
async function moveBlobs(context: CommandContext, options: Pick<MigrateFlags, 'dryRun'>, run: (events: MigrateJobEvents) => Promise<MigrateJobReport & { to: string; from: string | undefined }>): Promise<number> {
  const color = context.output.stderrColor;
  let progress: Progress | undefined;
  let report;
  try {
    report = await run({
      started: async () => {
        progress = await Progress.create(!context.output.quiet, 'blobs');
      },
      total: (total) => progress?.setTotal(total),
      move: (move) => {
        progress?.fileDone(move.status === 'failed');
        if (move.error) progress?.log(problemLine(`${formatDocumentId(move.id)} ${move.key}`, move.error, color));
        if (context.output.ndjson) writeNdjson({ event: 'blob', ...move });
      },
      failed: (moves) => {
        // Everything done so far is committed; say so, so that the user knows a re-run continues.
        if (!context.output.quiet) progress?.log(`${moves.filter((move) => move.status === 'copied' || move.status === 'present').length} blobs were moved before this; run the same command again to continue`);
      },
    });
  } finally {
    progress?.stop();
  }
  const { summary, moves } = report;
  if (context.output.json) writeJson({ runId: context.runId, to: report.to, from: report.from ?? null, dryRun: Boolean(options.dryRun), summary, blobs: moves.sort((a, b) => a.id - b.id) });
  else if (!context.output.ndjson) {
    if (options.dryRun && moves.length > 0) {
      process.stdout.write(`${await renderTable(['id', 'key', 'from', 'to'], moves.map((move) => [formatDocumentId(move.id), truncateMiddle(move.key, 50), move.from, move.to]), context.output.color)}\n`);
    }
    if (!context.output.quiet) {
      const megabytes = (summary.bytes / 1024 / 1024).toFixed(1);
      const line = options.dryRun
        ? `${summary.planned} blobs would move to ${report.to} (dry run: nothing copied)`
        : `${summary.total} blobs: ${summary.copied} copied (${megabytes} MB), ${summary.present} already there, ${summary.failed} failed${summary.deleted > 0 ? `, ${summary.deleted} source copies deleted` : ''}`;
      process.stderr.write(`${paint(color, 'bold', line)}\n`);
    }
  }
  if (summary.interrupted) return ExitCode.interrupted;
  return summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}

export interface VerifyFlags {
  repair?: boolean;
  concurrency?: number;
}

export async function verifyCommand(options: VerifyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const color = context.output.stderrColor;
  let progress: Progress | undefined;
  let report;
  try {
    report = await verifyStorage(context, { repair: Boolean(options.repair), ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}) }, {
      started: async () => {
        progress = await Progress.create(!context.output.quiet, 'blobs');
      },
      total: (total) => progress?.setTotal(total),
      checked: (problem) => progress?.fileDone(problem !== undefined && problem.repairedFrom === undefined),
    });
  } finally {
    progress?.stop();
  }
  const { keptHint } = await import('../../pipeline/remove-blob.js');
  const unresolved = report.problems.filter((problem) => !problem.repairedFrom);
  // Blobs in a store another catalogue shares are not this catalogue's orphans to clear.
  const orphansLeft = report.orphans.filter((orphan) => !orphan.removed && orphan.kept !== 'shared');
  if (context.output.json) {
    writeJson({ checked: report.checked, ok: report.checked - report.problems.length, problems: report.problems, orphans: report.orphans, repaired: report.repaired, interrupted: report.interrupted });
  } else {
    if (report.problems.length > 0) {
      const rows = report.problems.map((problem) => [formatDocumentId(problem.id), problem.backend, problem.role === 'searchable' ? `${problem.problem} (searchable PDF)` : problem.problem, truncateMiddle(problem.key, 40), problem.repairedFrom ? `repaired from ${problem.repairedFrom}` : problem.repairError ? problem.repairError.code : '']);
      process.stdout.write(`${await renderTable(['id', 'backend', 'problem', 'key', 'repair'], rows, context.output.color)}\n`);
    }
    if (report.orphans.length > 0) {
      const rows = report.orphans.map((orphan) => [orphan.backend, truncateMiddle(orphan.key, 50), orphan.size, orphan.modified ?? '', orphan.removed ? 'removed' : orphan.kept ? `kept (${orphan.kept})` : '']);
      process.stdout.write(`${await renderTable(['backend', 'orphan blob', 'bytes', 'modified', ''], rows, context.output.color)}\n`);
    }
    if (!context.output.quiet) {
      const line = `${report.checked} blobs checked: ${report.checked - report.problems.length} ok, ${report.problems.length} with problems${report.repaired > 0 ? ` (${report.repaired} repaired)` : ''}, ${report.orphans.length} orphans${report.orphans.length - orphansLeft.length > 0 ? ` (${report.orphans.length - orphansLeft.length} removed)` : ''}`;
      process.stderr.write(`${paint(color, 'bold', line)}\n`);
      if (unresolved.length > 0 && !options.repair) process.stderr.write('run `doccat storage verify --repair` to restore damaged blobs from another backend\n');
      for (const reason of ['shared', 'in-use'] as const) {
        const kept = report.orphans.filter((orphan) => orphan.kept === reason).length;
        if (kept > 0) process.stderr.write(`${kept} orphan blob(s) kept: ${keptHint(reason)}\n`);
      }
    }
  }
  if (report.interrupted) return ExitCode.interrupted;
  return unresolved.length > 0 || orphansLeft.length > 0 ? ExitCode.someFailed : ExitCode.ok;
}

/** Configured backends, their role, how many documents each holds, and a live health probe. */
export async function listCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const rows = await storageBackends(context);
  if (context.output.json) writeJson({ backends: rows });
  else {
    const table = rows.map((row) => [row.name, row.type, row.role, row.documents, row.healthy ? `ok (${row.latencyMs} ms)` : `${row.error?.code ?? ''} ${truncateMiddle(row.error?.message ?? '', 50)}`]);
    process.stdout.write(`${await renderTable(['backend', 'type', 'role', 'documents', 'health'], table, context.output.color)}\n`);
  }
  return ExitCode.ok;
}
