import type { OcrEngine } from './ocr/engine.js';

export type ExtractionMethod = 'text' | 'text-layer' | 'ocr' | 'mixed' | 'none';

export interface ExtractOptions {
  ocrEnabled: boolean;
  renderDpi: number;
  maxPagePixels: number;
  minTextCharsPerPage: number;
  pdfPasswords: readonly string[];
  /** Limits checked before decoding: over any of them the file fails with E_TOO_LARGE. */
  maxPages: number;
  maxImagePixels: number;
  /** Inflated bytes of an office file's zipped parts. */
  maxUnpackedBytes: number;
  /** Stored text is cut here (W_TEXT_TRUNCATED); plain text files are read only up to it. */
  maxTextBytes: number;
  /** Pages of one document sent to OCR at once: the OCR engine's size (default 1). */
  ocrParallelPages?: number;
  /**
   * A searchable PDF is assembled in memory: a PDF larger than this, or page images adding up to
   * more, get none (W_SEARCHABLE_PDF_SKIPPED) rather than the extraction running out of memory.
   */
  searchablePdfMaxBytes?: number;
  /** Archive listings: the most bytes decompressed and entries named (past them the listing is cut, W_LISTING_TRUNCATED). */
  maxListBytes?: number;
  maxListEntries?: number;
  /** ingest --unpack: a private folder archive members are written to (at most maxUnpackedBytes in all). */
  unpackTo?: string;
  /** Where and how many parts (e-mail attachments, mbox messages) to write; absent: none are written. */
  parts?: PartsOptions;
}

/**
 * Parts of a container (an e-mail's attachments, an mbox's messages) are written by the extraction
 * process as files of their own, so that the pipeline catalogues each like any file. Bounded before
 * anything is written.
 */
export interface PartsOptions {
  /**
   * A private folder made for this file by the pipeline (0700, its owner's pid in the name); parts
   * are 0600 files in it. Without it no part is written.
   */
  directory?: string;
  /** Attachments one message may have (inline images skipped are not counted): E_EMAIL_TOO_MANY_ATTACHMENTS. */
  maxAttachments: number;
  /** Their total size: E_EMAIL_ATTACHMENTS_TOO_LARGE. */
  maxAttachmentBytes: number;
  /** Messages one mbox file may hold: E_MBOX_TOO_MANY_MESSAGES. */
  maxMessages: number;
  /** Inline images (logos, signatures) smaller than this are not parts. */
  skipInlineImagesUnderBytes: number;
}

/** A part written by the extraction: hashed there, and hashed again by the pipeline before it is trusted. */
export interface ExtractedPart {
  path: string;
  sha256: string;
  size: number;
  /** Its name in the container: an attachment's file name, '' when it has none. */
  name: string;
  /** What the container said it is; the pipeline sniffs the bytes anyway. */
  declaredMime: string;
  kind: 'attachment' | 'message';
}

export interface ExtractInput {
  path: string;
  mime: string;
  size: number;
  options: ExtractOptions;
  /** Present when OCR is enabled; created lazily by the caller on first use. */
  ocr: () => OcrEngine;
  signal: AbortSignal;
  /** Called once per page so the caller can report progress. */
  onPage?: (info: { ocr: boolean }) => void;
  /** Called now and then during long work that has no pages (assembling a searchable PDF): not stuck. */
  onProgress?: () => void;
  /**
   * Where to write a searchable PDF (the original with the OCR text laid over the pages that were
   * read, or the images on pages) when pages are OCRed; absent, none is made.
   */
  searchablePdfPath?: string;
}

export interface ExtractWarning {
  code: string;
  message: string;
}

/**
 * What a reader of non-documents (executables, archives, packages, SBOMs, test and coverage
 * reports) found: the type it decides (no classifier is asked about a binary) and its fields.
 */
export interface ArtifactInfo {
  /** artifact, executable, archive, package, sbom, test-report or coverage-report. */
  type: string;
  title?: string;
  fields: Record<string, string>;
  /** ingest --unpack: the members written to ExtractOptions.unpackTo. */
  members?: { name: string; file: string; size: number }[];
}

export interface ExtractResult {
  text: string;
  pages: number;
  method: ExtractionMethod;
  /** Mean OCR confidence (0-100) over OCRed pages, or null when nothing was OCRed. */
  ocrConfidence: number | null;
  ocrPages: number;
  /** Title and similar facts the format itself states (PDF info, e-mail subject). */
  metadata: { title?: string; author?: string; from?: string; subject?: string; date?: string };
  warnings: ExtractWarning[];
  /** Written to input.searchablePdfPath. */
  searchablePdf?: SearchablePdf;
  /** Set by the artifact readers: the type and fields, instead of classification. */
  artifact?: ArtifactInfo;
  /** Files written for the parts of a container (options.parts), in their order in it. */
  parts?: ExtractedPart[];
  /**
   * The first pages' text laid out by position (PDF text layers, see layout-text.ts), where the
   * content stream's order parts labels from their values; for the invoice fields, not stored.
   */
  layoutText?: string;
}

export interface SearchablePdf {
  path: string;
  /** Pages given a text layer. */
  textPages: number;
  /** Declared PDF/A-2b: images made into a PDF here (a PDF original keeps its own standard). */
  pdfa: boolean;
}

export type Extractor = (input: ExtractInput) => Promise<ExtractResult>;

export function textResult(text: string, metadata: ExtractResult['metadata'] = {}, pages = 1): ExtractResult {
  return { text, pages, method: 'text', ocrConfidence: null, ocrPages: 0, metadata, warnings: [] };
}
