import path from 'node:path';
import type { Classification } from '../classify/classifier.js';
import type { ErrorInfo } from '../errors.js';
import type { DoccatError } from '../errors.js';
import { isArtifactType } from '../extract/artifacts/formats.js';
import type { ArtifactInfo, ExtractResult } from '../extract/extractor.js';
import { hasExtractor } from '../extract/registry.js';
import { unsupportedTypeError } from './sniff.js';

/**
 * What ingest does with files that are not documents (issue 19): executables, archives, packages,
 * images it cannot OCR, unknown binaries. `ingest.unknownFiles`: `catalogue` (default) stores,
 * hashes and sniffs them like any file, with `method: none`, type `artifact` or what a reader
 * found (executable, archive, package); `skip` reports them as skipped; `fail` keeps the old
 * E_UNSUPPORTED_TYPE. A document that cannot be opened (encrypted, corrupt) fails whatever the
 * policy: that is a real failure, not a kind of file.
 */
export type UnknownFilesPolicy = 'catalogue' | 'skip' | 'fail';

export type UnreadDecision = { action: 'read' } | { action: 'catalogue' } | { action: 'skip'; warning: ErrorInfo } | { action: 'fail'; error: DoccatError };

/** Types that name a document doccat cannot open, rather than a kind of file it does not read. */
const REFUSED = new Set(['application/x-ooxml-encrypted']);

export function decideUnread(mime: string, policy: UnknownFilesPolicy): UnreadDecision {
  if (REFUSED.has(mime)) return { action: 'fail', error: unsupportedTypeError(mime) };
  const isDocument = hasExtractor(mime) && !isArtifactType(mime);
  if (isDocument) return { action: 'read' };
  if (policy === 'fail') return { action: 'fail', error: unsupportedTypeError(mime) };
  if (policy === 'skip') {
    return { action: 'skip', warning: { code: 'W_NOT_A_DOCUMENT', message: `${mime} is not a document format; skipped (ingest.unknownFiles: skip)`, hint: 'set ingest.unknownFiles to catalogue to keep such files in the catalogue, or exclude them with --exclude' } };
  }
  return { action: hasExtractor(mime) ? 'read' : 'catalogue' };
}

/** The extraction result of a file no reader opens: nothing but the bytes, and why (for formats a person may want read). */
export function unreadResult(mime: string): ExtractResult {
  const legacy = LEGACY_DOCUMENT_TYPES[mime];
  const warnings = legacy ? [{ code: 'W_NOT_READ', message: `${unsupportedTypeError(mime).message}: stored and catalogued without text (${unsupportedTypeError(mime).hint ?? ''})` }] : [];
  return { text: '', pages: 0, method: 'none', ocrConfidence: null, ocrPages: 0, metadata: {}, warnings, artifact: { type: legacy ?? 'artifact', fields: {} } };
}

/**
 * Legacy Office formats doccat stores without reading: documents all the same, whose format says
 * what kind they are (a workbook, a slide deck, an Outlook message), or at least that they are a
 * document ('other'), not a build artifact.
 */
const LEGACY_DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  'application/msword': 'other',
  'application/x-cfb': 'other',
  'application/vnd.ms-excel': 'spreadsheet',
  'application/vnd.ms-powerpoint': 'presentation',
  'application/vnd.ms-outlook': 'email',
};

/** An artifact's classification is what its reader found; no classifier (or AI provider) is asked about a binary. */
export function artifactClassification(artifact: ArtifactInfo, filePath: string): Classification {
  return {
    type: artifact.type,
    title: artifact.title ?? path.basename(filePath),
    tags: [],
    date: null,
    correspondent: null,
    language: null,
    confidence: 1,
    rule: `reader:${artifact.fields['archive.format'] ?? artifact.fields['executable.format'] ?? artifact.fields['sbom.format'] ?? artifact.fields['coverage.format'] ?? artifact.type}`,
    classifier: 'artifact',
    fields: artifact.fields,
  };
}
