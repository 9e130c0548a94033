import type { Logger } from 'pino';
import type { BlobLocation, BlobRole, DocumentRepository } from '../db/documents.js';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import { copyVerified } from '../storage/copy.js';
import { forEachLimit } from '../system/concurrency.js';

export interface MigrateOptions {
  to: string;
  /** Only blobs on this backend; otherwise every blob not already on `to`. */
  from?: string;
  concurrency: number;
  deleteSource: boolean;
  dryRun: boolean;
  signal: AbortSignal;
  runId: string;
  /** Recorded in the audit trail: "storage migrate" or "storage sync". */
  command: string;
}

export interface MigrateDependencies {
  repository: DocumentRepository;
  open(name: string): Promise<BlobStore>;
  logger: Logger;
  /** Other catalogues registered in a store: with them, the old copy is not deleted (it may be theirs). */
  otherCatalogs?(name: string): Promise<readonly string[]>;
}

export interface BlobMove {
  id: number;
  /** The document's original, or its searchable PDF. */
  role: BlobRole;
  key: string;
  from: string;
  to: string;
  /** copied: transferred and verified; present: a verified copy was already there; planned: --dry-run. */
  status: 'copied' | 'present' | 'planned' | 'failed';
  bytes: number;
  sourceDeleted: boolean;
  /**
   * With deleteSource, why the old copy was kept: another catalogue uses that store, or another
   * document of this one still refers to the same key there (a searchable PDF can be byte for
   * byte another document's original, or another's searchable PDF).
   */
  sourceKept?: 'shared' | 'referenced';
  error?: ErrorInfo;
}

export interface MigrateSummary {
  total: number;
  copied: number;
  present: number;
  planned: number;
  failed: number;
  deleted: number;
  bytes: number;
  interrupted: boolean;
}

const PAGE = 500;

/**
 * Moves blobs to another backend: copy, verify there, then point the row at the new copy in one
 * transaction, and only then (with deleteSource) delete the old copy. Killed at any moment, the
 * row still points at a complete blob; run again, it continues, and a copy already verified at
 * the destination is not transferred again.
 */
export async function migrateBlobs(options: MigrateOptions, deps: MigrateDependencies, onMove: (move: BlobMove) => void, onTotal?: (total: number) => void): Promise<MigrateSummary> {
  const filter = options.from !== undefined ? { on: options.from } : { notOn: options.to };
  const destination = await deps.open(options.to);
  const pending: BlobLocation[] = [];
  for (let afterId = 0; ; ) {
    const { blobs, documents, lastId } = await deps.repository.blobPage(afterId, PAGE, filter);
    pending.push(...blobs.filter((row) => row.blob_backend !== options.to));
    if (documents < PAGE) break;
    afterId = lastId;
  }
  onTotal?.(pending.length);
  const summary: MigrateSummary = { total: pending.length, copied: 0, present: 0, planned: 0, failed: 0, deleted: 0, bytes: 0, interrupted: false };

  const moveOne = async (row: BlobLocation): Promise<BlobMove> => {
    const base = { id: row.id, role: row.role, key: row.blob_key, from: row.blob_backend, to: options.to, bytes: 0, sourceDeleted: false };
    if (options.dryRun) return { ...base, status: 'planned' };
    const source = await deps.open(row.blob_backend);
    const status = await copyVerified(source, destination, row.blob_key, row.sha256, row.size);
    const moved = await deps.repository.moveBlob(row.id, row.blob_backend, options.to, options.command, options.runId, row.role);
    let sourceDeleted = false;
    let sourceKept: BlobMove['sourceKept'];
    // Only a copy that is verified and that the row now points at makes the old one redundant.
    if (moved && options.deleteSource) {
      if (((await deps.otherCatalogs?.(row.blob_backend)) ?? []).length > 0) sourceKept = 'shared';
      else if (await deps.repository.isBlobKeyReferencedOn(row.blob_key, row.blob_backend)) sourceKept = 'referenced';
      else {
        await source.delete(row.blob_key);
        sourceDeleted = true;
      }
    }
    return { ...base, status, bytes: status === 'copied' ? row.size : 0, sourceDeleted, ...(sourceKept ? { sourceKept } : {}) };
  };

  await forEachLimit(pending, { limit: options.concurrency, signal: options.signal }, async (row) => {
    let move: BlobMove;
    try {
      move = await moveOne(row);
    } catch (error) {
      // A store that is unreachable fails every blob alike: stop, and let a re-run continue.
      if (error instanceof DoccatError && error.exitCode === ExitCode.backendUnavailable && error.code !== 'E_STORAGE_CORRUPT') throw error;
      deps.logger.warn({ documentId: row.id, key: row.blob_key, code: toErrorInfo(error).code }, 'blob not migrated');
      move = { id: row.id, role: row.role, key: row.blob_key, from: row.blob_backend, to: options.to, status: 'failed', bytes: 0, sourceDeleted: false, error: toErrorInfo(error) };
    }
    summary[move.status] += 1;
    summary.bytes += move.bytes;
    if (move.sourceDeleted) summary.deleted += 1;
    onMove(move);
  });
  summary.interrupted = options.signal.aborted;
  return summary;
}
