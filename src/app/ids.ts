import type { DocumentRepository } from '../db/documents.js';
import { DoccatError, ExitCode } from '../errors.js';

/** Document ids as people type them: 12, #12 or D12. */
export function parseDocumentId(text: string): number | undefined {
  const match = /^(?:#|d)?(\d{1,15})$/i.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

export function formatDocumentId(id: number): string {
  return `D${id}`;
}

/** Resolves every id first, so a typo changes nothing rather than half of the documents. */
export async function resolveDocumentIds(repository: DocumentRepository, texts: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const text of texts) {
    const id = parseDocumentId(text);
    if (id === undefined || !(await repository.getDocument(id))) {
      throw new DoccatError('E_NOT_FOUND', `no document ${text} in the catalogue`, {
        hint: 'ids look like 12 or D12; find them with `doccat list` or `doccat search`',
        exitCode: ExitCode.usage,
      });
    }
    ids.push(id);
  }
  return [...new Set(ids)];
}
