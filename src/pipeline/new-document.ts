import path from 'node:path';
import type { Classification } from '../classify/classifier.js';
import { documentClassification } from '../db/document-classification.js';
import type { NewDocument } from '../db/documents.js';
import type { ExtractResult, ExtractWarning } from '../extract/extractor.js';

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/**
 * A document's row from what extraction read and the classifier decided, the same for a file and
 * for a part of one (an e-mail's attachment); the caller adds where its blob is.
 */
export function describedDocument(
  name: string,
  sha256: string,
  mime: string,
  extracted: ExtractResult,
  classification: Classification,
  warnings: ExtractWarning[],
): Omit<NewDocument, 'blobBackend' | 'blobKey' | 'size'> {
  const words = countWords(extracted.text);
  return {
    sha256,
    mime,
    originalName: path.basename(name),
    method: words === 0 && extracted.method === 'text' ? 'none' : extracted.method,
    pages: extracted.pages,
    words,
    ocrConfidence: extracted.ocrConfidence,
    ...documentClassification(classification),
    warnings,
    text: extracted.text,
    metadata: Object.fromEntries(Object.entries(extracted.metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
  };
}
