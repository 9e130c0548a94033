import type { Logger } from 'pino';
import type { ClaimRepository } from '../db/claims.js';
import type { BlobLocation, BlobRole, DocumentRepository } from '../db/documents.js';
import { DoccatError, toErrorInfo, type ErrorInfo } from '../errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import { copyVerified, verifyBlob, type BlobState } from '../storage/copy.js';
import { forEachLimit } from '../system/concurrency.js';
import { removeUnusedBlob, type BlobKeptReason } from './remove-blob.js';

export interface VerifyOptions {
  repair: boolean;
  /** Backends to look through for orphans and for good copies to repair from. */
  backends: readonly string[];
  orphanGraceMs: number;
  concurrency: number;
  signal: AbortSignal;
  now?: Date;
}

export interface VerifyDependencies {
  repository: DocumentRepository;
  open(name: string): Promise<BlobStore>;
  logger: Logger;
  /** For repair: an orphan's content claim is taken before it is deleted (pipeline/remove-blob.ts). */
  claims?: ClaimRepository;
  /** For repair: other catalogues registered in a store; none of its orphans is deleted then. */
  otherCatalogs?(name: string): Promise<readonly string[]>;
}

export interface BlobProblem {
  id: number;
  /** The document's original, or its searchable PDF. */
  role: BlobRole;
  key: string;
  backend: string;
  problem: Exclude<BlobState, 'ok'> | 'unreadable';
  /** With --repair: restored from this backend, or why not. */
  repairedFrom?: string;
  repairError?: ErrorInfo;
}

export interface Orphan {
  backend: string;
  key: string;
  size: number;
  modified: string | null;
  removed: boolean;
  /** With --repair, why an orphan old enough to go was kept. */
  kept?: Exclude<BlobKeptReason, 'referenced'>;
}

export interface VerifyReport {
  checked: number;
  problems: BlobProblem[];
  orphans: Orphan[];
  repaired: number;
  interrupted: boolean;
}

const PAGE = 500;

/**
 * Every document's blob exists with its size and its sha256 (read back, not trusted from
 * metadata); blobs no document refers to are orphans. With repair, a damaged or missing blob is
 * copied back from another backend holding a verified copy, and orphans older than the grace
 * period (which protects ingests still running) are deleted.
 */
export async function verifyBlobs(options: VerifyOptions, deps: VerifyDependencies, onChecked?: (problem: BlobProblem | undefined) => void): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, problems: [], orphans: [], repaired: 0, interrupted: false };
  for (let afterId = 0; !options.signal.aborted; ) {
    const { blobs, documents, lastId } = await deps.repository.blobPage(afterId, PAGE);
    await forEachLimit(blobs, { limit: options.concurrency, signal: options.signal }, async (row) => {
      const problem = await checkOne(row, options, deps);
      report.checked += 1;
      if (problem) {
        report.problems.push(problem);
        if (problem.repairedFrom) report.repaired += 1;
      }
      onChecked?.(problem);
    });
    if (documents < PAGE) break;
    afterId = lastId;
  }
  if (!options.signal.aborted) report.orphans = await findOrphans(options, deps);
  report.problems.sort((a, b) => a.id - b.id);
  report.interrupted = options.signal.aborted;
  return report;
}

async function checkOne(row: BlobLocation, options: VerifyOptions, deps: VerifyDependencies): Promise<BlobProblem | undefined> {
  const store = await deps.open(row.blob_backend);
  let state: BlobState | 'unreadable';
  try {
    state = await verifyBlob(store, row.blob_key, row.sha256, row.size);
  } catch (error) {
    // A store that cannot be reached fails every blob alike: that is an outage, not a finding.
    if (error instanceof DoccatError && (error.code === 'E_STORAGE_UNAVAILABLE' || error.code === 'E_STORAGE_AUTH')) throw error;
    deps.logger.warn({ documentId: row.id, role: row.role, backend: row.blob_backend, code: toErrorInfo(error).code }, 'blob unreadable');
    state = 'unreadable';
  }
  if (state === 'ok') return undefined;
  const problem: BlobProblem = { id: row.id, role: row.role, key: row.blob_key, backend: row.blob_backend, problem: state };
  if (!options.repair) return problem;
  for (const name of options.backends) {
    if (name === row.blob_backend) continue;
    try {
      const candidate = await deps.open(name);
      if ((await verifyBlob(candidate, row.blob_key, row.sha256, row.size)) !== 'ok') continue;
      await copyVerified(candidate, store, row.blob_key, row.sha256, row.size);
      return { ...problem, repairedFrom: name };
    } catch (error) {
      problem.repairError = toErrorInfo(error);
    }
  }
  problem.repairError ??=
    row.role === 'original'
      ? { code: 'E_NO_GOOD_COPY', message: 'no other backend holds a copy with the right checksum', hint: 'ingest the original file again, or restore it from a backup' }
      : { code: 'E_NO_GOOD_COPY', message: 'no other backend holds a copy of the searchable PDF with the right checksum', hint: 'delete the document and ingest its original again to make a new searchable PDF' };
  return problem;
}

async function findOrphans(options: VerifyOptions, deps: VerifyDependencies): Promise<Orphan[]> {
  // A copy left on another backend by a migration without --delete-source is still referenced by
  // its key, so it is kept as a spare; an orphan is a blob no document refers to at all.
  const referenced = await deps.repository.referencedKeys();
  const now = (options.now ?? new Date()).getTime();
  const orphans: Orphan[] = [];
  for (const name of options.backends) {
    const store = await deps.open(name);
    // Blobs another catalogue may have written: not this catalogue's to judge, nor to delete.
    const shared = ((await deps.otherCatalogs?.(name)) ?? []).length > 0;
    for await (const blob of store.list('sha256/')) {
      if (referenced.has(blob.key)) continue;
      const old = blob.modified !== undefined && now - blob.modified.getTime() > options.orphanGraceMs;
      const orphan: Orphan = { backend: name, key: blob.key, size: blob.size, modified: blob.modified?.toISOString() ?? null, removed: false };
      if (shared) orphan.kept = 'shared';
      else if (options.repair && old) {
        if (!deps.claims) throw new Error('verifyBlobs: repair needs claims');
        const removal = await removeUnusedBlob(store, blob.key, { repository: deps.repository, claims: deps.claims, otherCatalogs: () => deps.otherCatalogs?.(name) ?? Promise.resolve([]) });
        if (removal.removed) orphan.removed = true;
        // Committed by an ingest since the list of referenced keys was read: not an orphan.
        else if (removal.kept === 'referenced') continue;
        else orphan.kept = removal.kept;
      }
      orphans.push(orphan);
    }
  }
  return orphans;
}
