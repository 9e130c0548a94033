import type { ErrorInfo } from '../../errors.js';
import type { ExtractInput, ExtractResult } from '../extractor.js';
import type { OcrOrientation, OcrPageResult } from '../ocr/engine.js';

/**
 * Messages between the parent and an extraction child (child_process IPC with 'advanced'
 * serialization, so Buffers cross as bytes, not JSON). One file at a time per child.
 */

/** What crosses to the child: the OCR factory, the abort signal and callbacks stay in the parent. */
export type IsolatedExtractInput = Omit<ExtractInput, 'ocr' | 'signal' | 'onPage'>;

/**
 * One page to recognise: kept this narrow (pixels in, text out) so that another OCR engine can
 * answer it without the child knowing which one did.
 */
export type OcrRequest = {
  type: 'ocr';
  id: number;
  dpi?: number;
  /** Ask for the page's text-only PDF too (OcrPageResult.textPdf). */
  textPdf?: boolean;
} & PageImage;

/** The engine's one cheap orientation check of a page; answered null when it has none. */
export type OrientationRequest = {
  type: 'orientation';
  id: number;
  dpi?: number;
} & PageImage;

/** The page's bytes, or (normally) the file in the pool's page folder the child wrote them to. */
export type PageImage = { image: Uint8Array } | { imageFile: string };

export type ParentMessage =
  | { type: 'extract'; input: IsolatedExtractInput }
  | { type: 'ocr-result'; id: number; result: OcrPageResult }
  | { type: 'orientation-result'; id: number; result: OcrOrientation | null }
  | { type: 'ocr-failed'; id: number; error: ErrorInfo };

export type ChildMessage =
  /** Sent once the child has loaded: a file's deadline does not include starting a process. */
  | { type: 'ready' }
  | OcrRequest
  | OrientationRequest
  | { type: 'page'; ocr: boolean }
  /** Work without pages is going on (assembling a searchable PDF): the deadline starts again. */
  | { type: 'progress' }
  | { type: 'done'; result: ExtractResult }
  | { type: 'failed'; error: ErrorInfo };
