import type { ErrorInfo } from '../../errors.js';
import type { ExtractInput, ExtractResult } from '../extractor.js';
import type { OcrPageResult } from '../ocr/pool.js';

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
export interface OcrRequest {
  type: 'ocr';
  id: number;
  image: Uint8Array;
  dpi?: number;
  /** Also the page's invisible text as a one-page PDF (for the searchable PDF). */
  textPdf?: boolean;
}

export type ParentMessage =
  | { type: 'extract'; input: IsolatedExtractInput }
  | { type: 'ocr-result'; id: number; result: OcrPageResult }
  | { type: 'ocr-failed'; id: number; error: ErrorInfo };

export type ChildMessage =
  /** Sent once the child has loaded: a file's deadline does not include starting a process. */
  | { type: 'ready' }
  | OcrRequest
  | { type: 'page'; ocr: boolean }
  /** Work without pages is going on (assembling a searchable PDF): the deadline starts again. */
  | { type: 'progress' }
  | { type: 'done'; result: ExtractResult }
  | { type: 'failed'; error: ErrorInfo };
