import type { Command } from 'commander';
import { createContext } from '../context.js';
import { deleteDocuments } from '../../app/delete.js';
import { formatDocumentId } from '../../app/ids.js';
import { problemLine, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';

export interface DeleteFlags {
  yes?: boolean;
  keepBlob?: boolean;
}

/** `doccat delete ID...`: removes documents and their blobs (app/delete.ts), after a confirmation unless --yes. */
export async function deleteCommand(idTexts: string[], options: DeleteFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const report = await deleteDocuments(
    context,
    { ids: idTexts, ...(options.keepBlob ? { keepBlob: true } : {}) },
    {
      ...(options.yes
        ? {}
        : {
            confirm: async (ids) => {
              // Deleting is not undone: a person confirms it; a script says so with --yes.
              if (!process.stdin.isTTY || !process.stderr.isTTY) {
                throw usageError('E_CONFIRM_NEEDED', `deleting ${ids.length} document(s) needs --yes when stdin is not a terminal`, 'add --yes to delete without asking');
              }
              const prompts = await import('@clack/prompts');
              const answer = await prompts.confirm({ message: `Delete ${ids.map(formatDocumentId).join(', ')} and ${ids.length === 1 ? 'its original' : 'their originals'}?`, initialValue: false, output: process.stderr });
              return !prompts.isCancel(answer) && answer;
            },
          }),
      blobKept: (id, what, _reason, hint) => {
        if (!context.output.quiet) process.stderr.write(`${formatDocumentId(id)}: deleted from the catalogue; ${what} was kept (${hint})\n`);
      },
      blobFailed: (id, what, info) => {
        process.stderr.write(`${problemLine(`${formatDocumentId(id)}: deleted from the catalogue, but ${what} was not`, { ...info, hint: 'run `doccat storage verify --repair` later to remove it' }, context.output.stderrColor)}\n`);
      },
    },
  );
  if (!report) {
    process.stderr.write('nothing deleted\n');
    return ExitCode.ok;
  }
  const results = report.documents;
  if (context.output.json) writeJson(report);
  else for (const result of results) process.stdout.write(`${result.ref}: ${result.deleted ? `deleted${result.blob === 'kept' ? ' (original kept)' : result.blob === 'failed' ? ' (original not deleted)' : ''}` : 'already gone'}\n`);
  return results.some((result) => result.blob === 'failed' || result.searchablePdf?.blob === 'failed') ? ExitCode.someFailed : ExitCode.ok;
}
