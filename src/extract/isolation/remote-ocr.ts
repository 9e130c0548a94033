import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';
import type { OcrEngine, OcrImage, OcrOrientation, OcrPageResult, OcrRecognizeOptions } from '../ocr/engine.js';
import { pageFile } from './page-files.js';
import type { ChildMessage, PageImage, ParentMessage } from './protocol.js';

type Answer = OcrPageResult | OcrOrientation | null;

/**
 * The OCR engine as an extraction child sees it: each page goes to the parent, whose OCR engine
 * (tesseract processes or tesseract.js workers, shared by every child) answers. The child never
 * loads tesseract. Several pages of one file may be asked for at once; each answer names its
 * request. With a page folder, a page is written there and only its name crosses the channel.
 */
export class RemoteOcr implements OcrEngine {
  private nextId = 1;
  private recognized = 0;
  private readonly pending = new Map<number, { resolve: (result: Answer) => void; reject: (error: unknown) => void }>();

  constructor(
    private readonly send: (message: ChildMessage) => void,
    private readonly pageFolder?: string,
  ) {}

  get pagesRecognized(): number {
    return this.recognized;
  }

  async recognize(image: OcrImage, options: OcrRecognizeOptions = {}): Promise<OcrPageResult> {
    const result = (await this.ask(image, (id, page) => ({ type: 'ocr', id, ...page, ...(options.dpi === undefined ? {} : { dpi: options.dpi }), ...(options.textPdf ? { textPdf: true } : {}) }))) as OcrPageResult;
    this.recognized += 1;
    return result;
  }

  async detectOrientation(image: OcrImage, options: { dpi?: number } = {}): Promise<OcrOrientation | null> {
    return (await this.ask(image, (id, page) => ({ type: 'orientation', id, ...page, ...(options.dpi === undefined ? {} : { dpi: options.dpi }) }))) as OcrOrientation | null;
  }

  /** Settles the request a parent message answers; returns false for other messages. */
  settle(message: ParentMessage): boolean {
    if (message.type !== 'ocr-result' && message.type !== 'orientation-result' && message.type !== 'ocr-failed') return false;
    const waiter = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!waiter) return true;
    if (message.type === 'ocr-failed') waiter.reject(new DoccatError(message.error.code, message.error.message, message.error.hint === undefined ? {} : { hint: message.error.hint }));
    else waiter.resolve(message.result);
    return true;
  }

  async close(): Promise<void> {
    // The parent owns the engine.
  }

  private async ask(image: OcrImage, message: (id: number, page: PageImage) => ChildMessage): Promise<Answer> {
    const id = this.nextId++;
    let written: string | undefined;
    let page: PageImage;
    if (!Buffer.isBuffer(image)) page = { imageFile: image.file };
    else if (this.pageFolder) {
      written = pageFile(this.pageFolder, id);
      await fsp.writeFile(written, image, { mode: 0o600 });
      page = { imageFile: written };
    } else page = { image };
    try {
      return await new Promise<Answer>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.send(message(id, page));
      });
    } finally {
      if (written) await fsp.rm(written, { force: true });
    }
  }
}
