import { createHash } from 'node:crypto';
import type { NewDocument } from '../../src/db/documents.js';

/** A document as the pipeline would commit it, distinct per `key` and index, with overrides. */
export function newDocument(key: string, index: number, overrides: Partial<NewDocument> = {}): NewDocument {
  return {
    sha256: createHash('sha256').update(`${key} ${index}`).digest('hex'),
    size: 100,
    mime: 'application/pdf',
    originalName: `doc-${index}.pdf`,
    blobBackend: 'local',
    blobKey: `sha256/x/${index}`,
    method: 'text-layer',
    pages: 1,
    words: 10,
    language: 'en',
    ocrConfidence: null,
    type: 'other',
    title: `Document ${index}`,
    tags: [],
    documentDate: null,
    correspondent: null,
    classConfidence: 0.5,
    classRule: 'test',
    classifier: 'local',
    fields: {},
    warnings: [],
    text: '',
    metadata: {},
    ...overrides,
  };
}
