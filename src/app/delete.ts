import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { formatDocumentId, resolveDocumentIds } from './ids.js';
import { blobStores } from './stores.js';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import type { BlobKeptReason } from '../pipeline/remove-blob.js';

export type { BlobKeptReason };

export interface DeleteOptions {
  /** The documents as the user typed them (12, #12, D12); all are resolved before anything is deleted. */
  ids: readonly string[];
  /** Leave the originals and searchable PDFs in their stores. */
  keepBlob?: boolean;
}

/** What the command hears while documents are deleted. */
export interface DeleteEvents {
  /**
   * The ids are resolved and nothing is deleted yet: false (or a thrown error) stops here. Absent,
   * the deletion goes ahead (the caller has confirmed already, e.g. with --yes).
   */
  confirm?(ids: readonly number[]): Promise<boolean> | boolean;
  /** A document left the catalogue and one of its blobs stays: `what` is "its original" or "its searchable PDF". */
  blobKept?(id: number, what: string, reason: BlobKeptReason, hint: string): void;
  /** A document left the catalogue and one of its blobs could not be deleted. */
  blobFailed?(id: number, what: string, error: ErrorInfo): void;
}

export interface BlobOutcome {
  blob: 'deleted' | 'kept' | 'failed';
  reason?: BlobKeptReason | 'requested';
  error?: { code: string; message: string };
}

export type DeletedDocument = { id: number; ref: string; deleted: boolean; searchablePdf?: BlobOutcome } & BlobOutcome;

export interface DeleteReport {
  runId: string;
  documents: DeletedDocument[];
}

/**
 * Removes documents from the catalogue (row, tags, history, search entry, sources) in one
 * transaction that also writes the audit entry, then deletes each original and searchable PDF.
 * A crash between the two leaves orphan blobs, which `storage verify --repair` removes; never a
 * row without its blob. Undefined when the deletion was not confirmed.
 */
export async function deleteDocuments(context: AppContext, options: DeleteOptions, events: DeleteEvents = {}): Promise<DeleteReport | undefined> {
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const ids = await resolveDocumentIds(catalog.documents, options.ids);
    if (events.confirm && !(await events.confirm(ids))) return undefined;
    const stores = await blobStores(context, { catalog, register: false });
    const { keptHint, removeUnusedBlob, REMOVAL_CLAIM_MS } = await import('../pipeline/remove-blob.js');
    const claims = catalog.claims(context.runId, REMOVAL_CLAIM_MS);
    const results: DeletedDocument[] = [];
    // Not while an ingest stores the same content, nor from a store another catalogue uses.
    const removeBlob = async (id: number, what: string, backend: string, key: string): Promise<BlobOutcome> => {
      try {
        const removal = await removeUnusedBlob(await stores.open(backend), key, { repository: catalog.documents, claims, otherCatalogs: () => stores.otherCatalogsIn(backend) });
        if (removal.removed) return { blob: 'deleted' };
        events.blobKept?.(id, what, removal.kept, keptHint(removal.kept));
        return { blob: 'kept', reason: removal.kept };
      } catch (error) {
        const info = toErrorInfo(error);
        events.blobFailed?.(id, what, info);
        return { blob: 'failed', error: { code: info.code, message: info.message } };
      }
    };
    for (const id of ids) {
      const removed = await catalog.documents.deleteDocument(id, context.runId);
      if (!removed) {
        results.push({ id, ref: formatDocumentId(id), deleted: false, blob: 'kept' });
        continue;
      }
      if (options.keepBlob) {
        results.push({ id, ref: formatDocumentId(id), deleted: true, blob: 'kept', reason: 'requested', ...(removed.searchable ? { searchablePdf: { blob: 'kept', reason: 'requested' } } : {}) });
        continue;
      }
      const original = await removeBlob(id, 'its original', removed.blobBackend, removed.blobKey);
      // Its searchable PDF goes the same way (and stays while another document's blob has the same bytes).
      const searchable = removed.searchable && (await removeBlob(id, 'its searchable PDF', removed.searchable.backend, removed.searchable.key));
      results.push({ id, ref: formatDocumentId(id), deleted: true, ...original, ...(searchable ? { searchablePdf: searchable } : {}) });
    }
    return { runId: context.runId, documents: results };
  } finally {
    await catalog.close();
  }
}
