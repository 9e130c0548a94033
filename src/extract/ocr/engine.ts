import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';

/**
 * The OCR engine contract. Two engines implement it: the installed tesseract command
 * (native.ts, one process per page) and tesseract.js (pool.ts, WebAssembly in worker threads).
 * test/unit/extract/ocr-engine.contract.test.ts runs the same suite against both.
 */

export type OcrEngineName = 'tesseract' | 'tesseract.js';

/** One recognised word; the box is in pixels of the image that was read, origin top left. */
export interface OcrWord {
  text: string;
  /** 0-100 */
  confidence: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrPageResult {
  text: string;
  /** Mean word confidence, 0-100 (0 when no word was found). */
  confidence: number;
  words?: OcrWord[];
  /**
   * With options.textPdf: a one-page PDF holding only the invisible text of this page, its page
   * size the image at its dpi (tesseract's text-only PDF renderer: native `-c textonly_pdf=1 ... pdf`,
   * tesseract.js `output: { pdf: true }` with `pdfTextOnly: true`).
   */
  textPdf?: Uint8Array;
}

/**
 * A page to read: its encoded bytes, or a file holding them. An extraction child hands its pages
 * over as files: an 8.7 MB page then crosses no IPC channel and sits in no second process's heap
 * (the native engine gives tesseract the path; tesseract.js reads it when a worker is free).
 */
export type OcrImage = Buffer | { file: string };

/** The page's bytes, read from its file if need be. */
export async function imageBytes(image: OcrImage): Promise<Buffer> {
  return Buffer.isBuffer(image) ? image : fsp.readFile(image.file);
}

export interface OcrRecognizeOptions {
  /** The image's resolution; tesseract guesses (badly, for small images) without it. */
  dpi?: number;
  signal?: AbortSignal;
  textPdf?: boolean;
}

/** How far the page must be turned clockwise to stand upright, as tesseract's OSD reports it. */
export interface OcrOrientation {
  degrees: 0 | 90 | 180 | 270;
  /** OSD's own confidence: above about 2 it is seldom wrong; OCRmyPDF acts above 14 by default. */
  confidence: number;
}

export interface OcrEngineInfo {
  engine: OcrEngineName;
  version: string;
  languages: readonly string[];
  /** Folder the language data is read from. */
  dataPath: string;
  /** Whether detectOrientation can answer (tesseract with osd.traineddata). */
  orientation: boolean;
}

export interface OcrEngine {
  recognize(image: OcrImage, options: OcrRecognizeOptions): Promise<OcrPageResult>;
  /**
   * One cheap orientation check of a page (tesseract OSD, `--psm 0`), or null when this engine
   * cannot tell (no osd.traineddata, too little text on the page): the caller then probes.
   * Optional: an engine without it is asked nothing.
   */
  detectOrientation?(image: OcrImage, options: { dpi?: number; signal?: AbortSignal }): Promise<OcrOrientation | null>;
  readonly pagesRecognized: number;
  /** What is reading the pages: recorded per document, shown by health and stats. */
  readonly info?: OcrEngineInfo;
  close(): Promise<void>;
}

/** "tesseract 5.3.0": the engine as recorded on a document and split out by stats. */
export function engineLabel(info: Pick<OcrEngineInfo, 'engine' | 'version'>): string {
  return `${info.engine} ${info.version}`;
}

export function abortError(): DoccatError {
  return new DoccatError('E_INTERRUPTED', 'interrupted', { hint: 'run the same command again to finish the rest' });
}

export function timeoutError(pageTimeoutMs: number): DoccatError {
  return new DoccatError('E_OCR_TIMEOUT', `OCR of one page took longer than ${pageTimeoutMs} ms`, { hint: 'raise ocr.pageTimeoutMs, or lower ocr.renderDpi for very large pages' });
}

export function ocrFailed(error: unknown, hint = 'the image may be corrupt or in an unsupported pixel format'): DoccatError {
  if (error instanceof DoccatError) return error;
  return new DoccatError('E_OCR_FAILED', `OCR failed: ${errorMessage(error)}`, { hint, cause: error });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/**
 * Words and mean confidence from tesseract's TSV output (the same renderer in both engines):
 * level 5 rows are words, conf -1 marks rows that are not. The mean is tesseract's
 * MeanTextConf: every word counts once.
 */
export function parseTsv(tsv: string): { words: OcrWord[]; confidence: number } {
  const words: OcrWord[] = [];
  let sum = 0;
  let counted = 0;
  for (const line of tsv.split('\n')) {
    if (!line.startsWith('5\t')) continue;
    const fields = line.split('\t');
    if (fields.length < 12) continue;
    const confidence = Number(fields[10]);
    if (!(confidence >= 0)) continue;
    sum += confidence;
    counted += 1;
    const text = fields.slice(11).join('\t').replace(/\r$/, '');
    if (text.trim() === '') continue;
    const left = Number(fields[6]);
    const top = Number(fields[7]);
    words.push({ text, confidence: Math.round(confidence * 100) / 100, x0: left, y0: top, x1: left + Number(fields[8]), y1: top + Number(fields[9]) });
  }
  return { words, confidence: counted === 0 ? 0 : Math.round((sum / counted) * 100) / 100 };
}
