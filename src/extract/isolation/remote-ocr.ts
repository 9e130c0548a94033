import { DoccatError } from '../../errors.js';
import type { OcrEngine, OcrPageResult } from '../ocr/pool.js';
import type { ChildMessage, ParentMessage } from './protocol.js';

/**
 * The OCR engine as an extraction child sees it: each page goes to the parent, whose OCR pool
 * (tesseract.js workers shared by every child) answers. The child never loads tesseract.
 */
export class RemoteOcr implements OcrEngine {
  private nextId = 1;
  private recognized = 0;
  private readonly pending = new Map<number, { resolve: (result: OcrPageResult) => void; reject: (error: unknown) => void }>();

  constructor(private readonly send: (message: ChildMessage) => void) {}

  get pagesRecognized(): number {
    return this.recognized;
  }

  recognize(image: Buffer, options: { dpi?: number; textPdf?: boolean } = {}): Promise<OcrPageResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'ocr', id, image, ...(options.dpi === undefined ? {} : { dpi: options.dpi }), ...(options.textPdf ? { textPdf: true } : {}) });
    }).then((result) => {
      this.recognized += 1;
      return result as OcrPageResult;
    });
  }

  /** Settles the request a parent message answers; returns false for other messages. */
  settle(message: ParentMessage): boolean {
    if (message.type !== 'ocr-result' && message.type !== 'ocr-failed') return false;
    const waiter = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!waiter) return true;
    if (message.type === 'ocr-result') waiter.resolve(message.result);
    else waiter.reject(new DoccatError(message.error.code, message.error.message, message.error.hint === undefined ? {} : { hint: message.error.hint }));
    return true;
  }

  async close(): Promise<void> {
    // The parent owns the engine.
  }
}
