import type { Command } from 'commander';
import { createContext, type CommandContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { formatDocumentId } from '../../app/ids.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { Progress } from '../progress.js';
import { blobStores } from '../../app/stores.js';
import { ExitCode, toErrorInfo, usageError } from '../../errors.js';
import type { BlobMove } from '../../pipeline/migrate-blobs.js';
import { backendNames } from '../../storage/registry.js';

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
  return moveBlobs(await createContext(command), { ...options, command: 'storage migrate' });
}

/** Moves blobs that went to the fallback while the primary was down back to the primary. */
export async function syncCommand(options: SyncFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const { storage } = context.config.config;
  if (!storage.fallback) throw usageError('E_USAGE', 'no fallback backend is configured, so there is nothing to sync', 'set storage.fallback to use one');
  return moveBlobs(context, { ...options, to: storage.backend, from: storage.fallback, deleteSource: true, command: 'storage sync' });
}

async function moveBlobs(context: CommandContext, options: MigrateFlags & { command: string }): Promise<number> {
  const names = backendNames((await blobStores(context)).setup);
  for (const name of [options.to, options.from]) {
    if (name !== undefined && !names.includes(name)) throw usageError('E_STORAGE_UNKNOWN', `no storage backend named "${name}"`, `configured: ${names.join(', ')}`);
  }
  if (options.from === options.to) throw usageError('E_USAGE', '--from and --to name the same backend', 'pick two different backends');
  const catalog = await openCatalog(context, { readonly: false });
  const progress = await Progress.create(!context.output.quiet, 'blobs');
  const color = context.output.stderrColor;
  const moves: BlobMove[] = [];
  try {
    // The destination is written to: it gets this catalogue's registration.
    const stores = await blobStores(context, { catalog, register: !options.dryRun });
    if (!options.dryRun) await catalog.repository.startRun(context.runId, options.command);
    const { migrateBlobs } = await import('../../pipeline/migrate-blobs.js');
    let summary;
    try {
      summary = await migrateBlobs(
        {
          to: options.to,
          ...(options.from !== undefined ? { from: options.from } : {}),
          concurrency: options.concurrency ?? 4,
          deleteSource: Boolean(options.deleteSource),
          dryRun: Boolean(options.dryRun),
          signal: context.signal,
          runId: context.runId,
          command: options.command,
        },
        { repository: catalog.repository, open: (name) => stores.open(name), logger: context.logger, otherCatalogs: (name) => stores.otherCatalogsIn(name) },
        (move) => {
          moves.push(move);
          progress.fileDone(move.status === 'failed');
          if (move.error) progress.log(problemLine(`${formatDocumentId(move.id)} ${move.key}`, move.error, color));
          if (context.output.ndjson) writeNdjson({ event: 'blob', ...move });
        },
        (total) => progress.setTotal(total),
      );
    } catch (error) {
      if (!options.dryRun) await catalog.repository.finishRun(context.runId, 'failed', { moved: moves.filter((move) => move.status !== 'failed').length });
      // Everything done so far is committed; say so, so that the user knows a re-run continues.
      if (!context.output.quiet) progress.log(`${moves.filter((move) => move.status === 'copied' || move.status === 'present').length} blobs were moved before this; run the same command again to continue`);
      throw error;
    } finally {
      progress.stop();
    }
    if (!options.dryRun) await catalog.repository.finishRun(context.runId, summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok', { total: summary.total, copied: summary.copied, present: summary.present, failed: summary.failed, deleted: summary.deleted });
    if (context.output.json) writeJson({ runId: context.runId, to: options.to, from: options.from ?? null, dryRun: Boolean(options.dryRun), summary, blobs: moves.sort((a, b) => a.id - b.id) });
    else if (!context.output.ndjson) {
      if (options.dryRun && moves.length > 0) {
        process.stdout.write(`${await renderTable(['id', 'key', 'from', 'to'], moves.map((move) => [formatDocumentId(move.id), truncateMiddle(move.key, 50), move.from, move.to]), context.output.color)}\n`);
      }
      if (!context.output.quiet) {
        const megabytes = (summary.bytes / 1024 / 1024).toFixed(1);
        const line = options.dryRun
          ? `${summary.planned} blobs would move to ${options.to} (dry run: nothing copied)`
          : `${summary.total} blobs: ${summary.copied} copied (${megabytes} MB), ${summary.present} already there, ${summary.failed} failed${summary.deleted > 0 ? `, ${summary.deleted} source copies deleted` : ''}`;
        process.stderr.write(`${paint(color, 'bold', line)}\n`);
      }
    }
    if (summary.interrupted) return ExitCode.interrupted;
    return summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

export interface VerifyFlags {
  repair?: boolean;
  concurrency?: number;
}

export async function verifyCommand(options: VerifyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: !options.repair });
  const progress = await Progress.create(!context.output.quiet, 'blobs');
  const color = context.output.stderrColor;
  try {
    // Repair writes blobs (copies restored from another backend) and deletes orphans.
    const stores = await blobStores(context, { catalog, register: Boolean(options.repair) });
    const { ClaimRepository } = await import('../../db/claims.js');
    const { REMOVAL_CLAIM_MS, keptHint } = await import('../../pipeline/remove-blob.js');
    progress.setTotal(await catalog.repository.countBlobs());
    const { verifyBlobs } = await import('../../pipeline/verify-blobs.js');
    let report;
    try {
      report = await verifyBlobs(
        {
          repair: Boolean(options.repair),
          backends: backendNames(stores.setup),
          orphanGraceMs: context.config.config.storage.orphanGraceHours * 3_600_000,
          concurrency: options.concurrency ?? 4,
          signal: context.signal,
        },
        {
          repository: catalog.repository,
          open: (name) => stores.open(name),
          logger: context.logger,
          otherCatalogs: (name: string) => stores.otherCatalogsIn(name),
          ...(options.repair ? { claims: new ClaimRepository(catalog.database.db, context.runId, REMOVAL_CLAIM_MS) } : {}),
        },
        (problem) => progress.fileDone(problem !== undefined && problem.repairedFrom === undefined),
      );
    } finally {
      progress.stop();
    }
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
  } finally {
    await catalog.close();
  }
}

/** Configured backends, their role, how many documents each holds, and a live health probe. */
export async function listCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const stores = await blobStores(context);
  const { storage } = context.config.config;
  const catalog = await openCatalog(context, { readonly: true }).catch(() => undefined);
  const counts = (await catalog?.repository.countByBackend()) ?? new Map<string, number>();
  await catalog?.close();
  const names = [...new Set([...backendNames(stores.setup), ...counts.keys()])];
  const rows = await Promise.all(
    names.map(async (name) => {
      const configured = name === 'local' || storage.backends[name] !== undefined;
      const base = {
        name,
        type: storage.backends[name]?.type ?? (configured ? 'local' : 'unknown'),
        role: name === storage.backend ? 'primary' : name === storage.fallback ? 'fallback' : '',
        documents: counts.get(name) ?? 0,
      };
      if (!configured) return { ...base, healthy: false, latencyMs: null, error: { code: 'E_STORAGE_UNKNOWN', message: 'documents refer to it but it is not configured', hint: 'add it under storage.backends' } };
      try {
        const { latencyMs } = await (await stores.open(name)).check();
        return { ...base, healthy: true, latencyMs: Math.round(latencyMs), error: null };
      } catch (error) {
        return { ...base, healthy: false, latencyMs: null, error: toErrorInfo(error) };
      }
    }),
  );
  if (context.output.json) writeJson({ backends: rows });
  else {
    const table = rows.map((row) => [row.name, row.type, row.role, row.documents, row.healthy ? `ok (${row.latencyMs} ms)` : `${row.error?.code ?? ''} ${truncateMiddle(row.error?.message ?? '', 50)}`]);
    process.stdout.write(`${await renderTable(['backend', 'type', 'role', 'documents', 'health'], table, context.output.color)}\n`);
  }
  return ExitCode.ok;
}
