import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../catalog.js';
import { formatDocumentId, resolveDocumentIds } from '../ids.js';
import { problemLine, writeJson } from '../output.js';
import { blobStores } from '../stores.js';
import { ExitCode, toErrorInfo, usageError } from '../../errors.js';
import type { BlobKeptReason } from '../../pipeline/remove-blob.js';

interface DeleteFlags {
  yes?: boolean;
  keepBlob?: boolean;
}

/**
 * `doccat delete ID...`: removes documents from the catalogue (row, tags, history, search entry,
 * sources) in one transaction that also writes the audit entry, then deletes each original. A
 * crash between the two leaves an orphan blob, which `storage verify --repair` removes; never a
 * row without its blob.
 */
export async function deleteCommand(idTexts: string[], flags: Record<string, unknown>, command: Command): Promise<number> {
  const options = flags as DeleteFlags;
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
    const results: { id: number; ref: string; deleted: boolean; blob: 'deleted' | 'kept' | 'failed'; reason?: BlobKeptReason | 'requested'; error?: { code: string; message: string } }[] = [];
    for (const id of ids) {
      const removed = await catalog.repository.deleteDocument(id, context.runId);
      if (!removed) {
        results.push({ id, ref: formatDocumentId(id), deleted: false, blob: 'kept' });
        continue;
      }
      if (options.keepBlob) {
        results.push({ id, ref: formatDocumentId(id), deleted: true, blob: 'kept', reason: 'requested' });
        continue;
      }
      try {
        // Not while an ingest stores the same content, nor from a store another catalogue uses.
        const removal = await removeUnusedBlob(await stores.open(removed.blobBackend), removed.blobKey, {
          repository: catalog.repository,
          claims,
          otherCatalogs: () => stores.otherCatalogsIn(removed.blobBackend),
        });
        if (removal.removed) {
          results.push({ id, ref: formatDocumentId(id), deleted: true, blob: 'deleted' });
        } else {
          results.push({ id, ref: formatDocumentId(id), deleted: true, blob: 'kept', reason: removal.kept });
          if (!context.output.quiet) process.stderr.write(`${formatDocumentId(id)}: deleted from the catalogue; its original was kept (${keptHint(removal.kept)})\n`);
        }
      } catch (error) {
        const info = toErrorInfo(error);
        process.stderr.write(`${problemLine(`${formatDocumentId(id)}: deleted from the catalogue, but its original was not`, { ...info, hint: 'run `doccat storage verify --repair` later to remove it' }, context.output.color)}\n`);
        results.push({ id, ref: formatDocumentId(id), deleted: true, blob: 'failed', error: { code: info.code, message: info.message } });
      }
    }
    if (context.output.json) writeJson({ runId: context.runId, documents: results });
    else for (const result of results) process.stdout.write(`${result.ref}: ${result.deleted ? `deleted${result.blob === 'kept' ? ' (original kept)' : result.blob === 'failed' ? ' (original not deleted)' : ''}` : 'already gone'}\n`);
    return results.some((result) => result.blob === 'failed') ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    await catalog.close();
  }
}
