import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { blobStores } from './stores.js';
import { toErrorInfo, usageError, type ErrorInfo } from '../errors.js';
import type { BlobMove, MigrateSummary } from '../pipeline/migrate-blobs.js';
import type { BlobProblem, VerifyReport } from '../pipeline/verify-blobs.js';
import { backendNames } from '../storage/registry.js';

/**
 * The storage jobs of `doccat storage`: moving blobs between backends (migrate, sync), checking
 * them (verify, repair) and the backends' state (list). Each opens what it needs, records its run
 * in the catalogue and returns what happened; the command shows progress from the events.
 */

export interface MigrateJobOptions {
  to: string;
  from?: string;
  concurrency?: number;
  deleteSource?: boolean;
  dryRun?: boolean;
  /** The run's name in the catalogue: storage migrate or storage sync. */
  command: string;
}

export interface MigrateJobEvents {
  /** The catalogue is open and the backends are known: the moves are about to be counted. */
  started?(): Promise<void> | void;
  total?(total: number): void;
  move?(move: BlobMove): void;
  /** The moves stopped on an error (thrown next); what was moved before it is committed. */
  failed?(moves: readonly BlobMove[]): void;
}

export interface MigrateJobReport {
  summary: MigrateSummary;
  /** In the order they were done. */
  moves: BlobMove[];
}

/** Moves blobs to another backend (migrate), every copy or those of one backend (--from). */
export async function migrateStorage(context: AppContext, options: MigrateJobOptions, events: MigrateJobEvents = {}): Promise<MigrateJobReport> {
  const names = backendNames((await blobStores(context)).setup);
  for (const name of [options.to, options.from]) {
    if (name !== undefined && !names.includes(name)) throw usageError('E_STORAGE_UNKNOWN', `no storage backend named "${name}"`, `configured: ${names.join(', ')}`);
  }
  if (options.from === options.to) throw usageError('E_USAGE', '--from and --to name the same backend', 'pick two different backends');
  const catalog = await openCatalog(context, { readonly: false });
  const moves: BlobMove[] = [];
  try {
    await events.started?.();
    // The destination is written to: it gets this catalogue's registration.
    const stores = await blobStores(context, { catalog, register: !options.dryRun });
    if (!options.dryRun) await catalog.repository.startRun(context.runId, options.command);
    const { migrateBlobs } = await import('../pipeline/migrate-blobs.js');
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
          events.move?.(move);
        },
        (total) => events.total?.(total),
      );
    } catch (error) {
      if (!options.dryRun) await catalog.repository.finishRun(context.runId, 'failed', { moved: moves.filter((move) => move.status !== 'failed').length });
      events.failed?.(moves);
      throw error;
    }
    if (!options.dryRun) await catalog.repository.finishRun(context.runId, summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok', { total: summary.total, copied: summary.copied, present: summary.present, failed: summary.failed, deleted: summary.deleted });
    return { summary, moves };
  } finally {
    await catalog.close();
  }
}

/** Moves blobs that went to the fallback while the primary was down back to the primary. */
export async function syncStorage(context: AppContext, options: Pick<MigrateJobOptions, 'concurrency' | 'dryRun'>, events: MigrateJobEvents = {}): Promise<MigrateJobReport & { to: string; from: string }> {
  const { storage } = context.config.config;
  if (!storage.fallback) throw usageError('E_USAGE', 'no fallback backend is configured, so there is nothing to sync', 'set storage.fallback to use one');
  const route = { to: storage.backend, from: storage.fallback };
  return { ...route, ...(await migrateStorage(context, { ...options, ...route, deleteSource: true, command: 'storage sync' }, events)) };
}

export interface VerifyJobOptions {
  repair?: boolean;
  concurrency?: number;
}

export interface VerifyJobEvents {
  /** The catalogue is open: the blobs are about to be counted. */
  started?(): Promise<void> | void;
  total?(total: number): void;
  /** One blob checked: its problem, if it has one. */
  checked?(problem: BlobProblem | undefined): void;
}

/** Checks every blob the catalogue refers to and looks for orphans; repair restores and clears. */
export async function verifyStorage(context: AppContext, options: VerifyJobOptions, events: VerifyJobEvents = {}): Promise<VerifyReport> {
  const catalog = await openCatalog(context, { readonly: !options.repair });
  try {
    await events.started?.();
    // Repair writes blobs (copies restored from another backend) and deletes orphans.
    const stores = await blobStores(context, { catalog, register: Boolean(options.repair) });
    const { ClaimRepository } = await import('../db/claims.js');
    const { REMOVAL_CLAIM_MS } = await import('../pipeline/remove-blob.js');
    events.total?.(await catalog.repository.countBlobs());
    const { verifyBlobs } = await import('../pipeline/verify-blobs.js');
    return await verifyBlobs(
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
      (problem) => events.checked?.(problem),
    );
  } finally {
    await catalog.close();
  }
}

export interface BackendState {
  name: string;
  type: string;
  role: string;
  documents: number;
  healthy: boolean;
  latencyMs: number | null;
  error: ErrorInfo | null;
}

/** Configured backends, their role, how many documents each holds, and a live health probe. */
export async function storageBackends(context: AppContext): Promise<BackendState[]> {
  const stores = await blobStores(context);
  const { storage } = context.config.config;
  const catalog = await openCatalog(context, { readonly: true }).catch(() => undefined);
  const counts = (await catalog?.repository.countByBackend()) ?? new Map<string, number>();
  await catalog?.close();
  const names = [...new Set([...backendNames(stores.setup), ...counts.keys()])];
  return Promise.all(
    names.map(async (name): Promise<BackendState> => {
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
}
