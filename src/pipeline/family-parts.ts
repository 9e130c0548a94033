import { DoccatError, ExitCode } from '../errors.js';
import type { Classification } from '../classify/classifier.js';
import type { NewDocument } from '../db/documents.js';
import type { ExtractOptions, ExtractResult } from '../extract/extractor.js';
import { countWords, describedDocument } from './new-document.js';

/** Types whose extraction can yield parts. */
export const CONTAINERS = new Set(['message/rfc822', 'application/mbox']);

/** A part found and prepared, before anything is stored. */
export interface PreparedPart {
  name: string;
  sha256: string;
  mime: string;
  /** Already a document (in the catalogue, or committed earlier in this run as an mbox message). */
  existingId?: number;
  /** New content: what will be committed once its blob is stored. */
  document?: Omit<NewDocument, 'blobBackend' | 'blobKey' | 'size'>;
  stagedPath?: string;
  /** The same content as a part prepared earlier in this family. */
  sameAs?: boolean;
  /** Committed by this run (an mbox message, committed on its own). */
  catalogued?: boolean;
  type?: string;
  size: number;
  children: PreparedPart[];
}

/** Whether a type may hold parts (the staging folder is made only for those). */
export function mayHaveParts(mime: string): boolean {
  return CONTAINERS.has(mime);
}

export function interrupted(): DoccatError {
  return new DoccatError('E_INTERRUPTED', 'interrupted', { hint: 'run the same command again to finish the rest', exitCode: ExitCode.interrupted });
}

export function withoutParts(options: ExtractOptions): ExtractOptions {
  const { parts: _parts, ...rest } = options;
  return rest;
}

export function flatten(parts: readonly PreparedPart[]): PreparedPart[] {
  return parts.flatMap((part) => [part, ...flatten(part.children)]);
}

/** Interrupted, or an error every further file would hit too (a backend that is gone). */
export function isStopping(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted || (error as { name?: string }).name === 'AbortError') return true;
  return error instanceof DoccatError && (error.exitCode === ExitCode.usage || error.exitCode === ExitCode.backendUnavailable || error.code === 'E_OCR_INIT' || error.code === 'E_INTERRUPTED');
}

/** A new part's row as it will be committed, once its blob is stored. */
export function partDocument(name: string, sha256: string, mime: string, extracted: ExtractResult, classification: Classification): Omit<NewDocument, 'blobBackend' | 'blobKey' | 'size'> {
  const warnings = [...extracted.warnings];
  if (countWords(extracted.text) === 0) warnings.push({ code: 'W_NO_TEXT', message: 'no text found' });
  return describedDocument(name, sha256, mime, extracted, classification, warnings);
}
