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
}

export interface ExtractWarning {
  code: string;
  message: string;
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
}

export type Extractor = (input: ExtractInput) => Promise<ExtractResult>;

export function textResult(text: string, metadata: ExtractResult['metadata'] = {}, pages = 1): ExtractResult {
  return { text, pages, method: 'text', ocrConfidence: null, ocrPages: 0, metadata, warnings: [] };
}
