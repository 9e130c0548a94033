import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { formatDocumentId, resolveDocumentIds } from '../../app/ids.js';
import { problemLine, writeJson } from '../output.js';
import { blobStores } from '../../app/stores.js';
import { ExitCode, toErrorInfo, usageError } from '../../errors.js';
import type { BlobKeptReason } from '../../pipeline/remove-blob.js';

export interface DeleteFlags {
  yes?: boolean;
  keepBlob?: boolean;
}

/**
 * `doccat delete ID...`: removes documents from the catalogue (row, tags, history, search entry,
 * sources) in one transaction that also writes the audit entry, then deletes each original and
 * searchable PDF. A crash between the two leaves orphan blobs, which `storage verify --repair`
 * removes; never a row without its blob.
 */
export async function deleteCommand(idTexts: string[], options: DeleteFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const ids = await resolveDocumentIds(catalog.repository, idTexts);
    if (!options.yes) {
      // Deleting is not undone: a person confirms it; a script says so with --yes.
      if (!process.stdin.isTTY || !process.stderr.isTTY) {
        throw usageError('E_CONFIRM_NEEDED', `deleting ${ids.length} document(s) needs --yes when stdin is not a terminal`, 'add --yes to delete without asking');
      }
      const prompts = await import('@clack/prompts');
      const answer = await prompts.confirm({ message: `Delete ${ids.map(formatDocumentId).join(', ')} and ${ids.length === 1 ? 'its original' : 'their originals'}?`, initialValue: false, output: process.stderr });
      if (prompts.isCancel(answer) || !answer) {
        process.stderr.write('nothing deleted\n');
        return ExitCode.ok;
      }
    }
    const stores = await blobStores(context, { catalog, register: false });
    const [{ ClaimRepository }, { keptHint, removeUnusedBlob, REMOVAL_CLAIM_MS }] = await Promise.all([import('../../db/claims.js'), import('../../pipeline/remove-blob.js')]);
    const claims = new ClaimRepository(catalog.database.db, context.runId, REMOVAL_CLAIM_MS);
    type BlobOutcome = { blob: 'deleted' | 'kept' | 'failed'; reason?: BlobKeptReason | 'requested'; error?: { code: string; message: string } };
    const results: ({ id: number; ref: string; deleted: boolean; searchablePdf?: BlobOutcome } & BlobOutcome)[] = [];
    // Not while an ingest stores the same content, nor from a store another catalogue uses.
    const removeBlob = async (id: number, what: string, backend: string, key: string): Promise<BlobOutcome> => {
      try {
        const removal = await removeUnusedBlob(await stores.open(backend), key, { repository: catalog.repository, claims, otherCatalogs: () => stores.otherCatalogsIn(backend) });
        if (removal.removed) return { blob: 'deleted' };
        if (!context.output.quiet) process.stderr.write(`${formatDocumentId(id)}: deleted from the catalogue; ${what} was kept (${keptHint(removal.kept)})\n`);
        return { blob: 'kept', reason: removal.kept };
      } catch (error) {
        const info = toErrorInfo(error);
        process.stderr.write(`${problemLine(`${formatDocumentId(id)}: deleted from the catalogue, but ${what} was not`, { ...info, hint: 'run `doccat storage verify --repair` later to remove it' }, context.output.stderrColor)}\n`);
        return { blob: 'failed', error: { code: info.code, message: info.message } };
      }
    };
    for (const id of ids) {
      const removed = await catalog.repository.deleteDocument(id, context.runId);
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
    if (context.output.json) writeJson({ runId: context.runId, documents: results });
    else for (const result of results) process.stdout.write(`${result.ref}: ${result.deleted ? `deleted${result.blob === 'kept' ? ' (original kept)' : result.blob === 'failed' ? ' (original not deleted)' : ''}` : 'already gone'}\n`);
    return results.some((result) => result.blob === 'failed' || result.searchablePdf?.blob === 'failed') ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    await catalog.close();
  }
}
