import { createRequire } from 'node:module';
import type { Worker as TesseractWorker } from 'tesseract.js';
import { DoccatError } from '../../errors.js';
import { abortError, errorMessage, imageBytes, parseTsv, timeoutError, type OcrEngine, type OcrImage, type OcrEngineInfo, type OcrPageResult, type OcrRecognizeOptions } from './engine.js';
import { resolveLanguageData, type LanguageData } from './languages.js';

export { abortError } from './engine.js';
export type { OcrEngine, OcrPageResult } from './engine.js';

export interface OcrPoolOptions {
  languages: readonly string[];
  langPath?: string;
  size: number;
  pageTimeoutMs: number;
  recycleAfterPages: number;
  /**
   * A worker left without a page this long is stopped. A tesseract.js worker keeps the
   * WebAssembly memory its largest page needed (about 200 MB for a 300-dpi A3 page) until it
   * ends; between scans that memory serves nobody.
   */
  idleTimeoutMs?: number;
}

/**
 * A page image larger than this (a PGM is one byte per pixel: larger than A4 at 300 dpi, 8.7 M)
 * leaves its worker holding a few hundred MB; such pages are rare, so that worker is replaced.
 */
const LARGE_PAGE_BYTES = 12_000_000;

interface Slot {
  worker: TesseractWorker | undefined;
  pages: number;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (error: unknown) => void;
}

/**
 * A fixed number of tesseract.js workers (each one a worker thread). tesseract.js's own scheduler
 * has no per-job timeout and never replaces a worker, but its workers grow in memory and a bad
 * image can wedge one, so this pool recycles each worker after N pages and kills it on timeout.
 */
export class OcrPool implements OcrEngine {
  private readonly slots: Slot[];
  private readonly waiters: Waiter[] = [];
  private languageData: LanguageData | undefined;
  private closed = false;
  private recognized = 0;

  constructor(private readonly options: OcrPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, options.size) }, () => ({ worker: undefined, pages: 0, busy: false }));
  }

  get pagesRecognized(): number {
    return this.recognized;
  }

  get info(): OcrEngineInfo {
    return { engine: 'tesseract.js', version: tesseractJsVersion(), languages: this.options.languages, dataPath: this.checkLanguages().langPath, orientation: false };
  }

  /** Fails fast (before any file is processed) when the language data is missing. */
  checkLanguages(): LanguageData {
    this.languageData ??= resolveLanguageData(this.options.languages, this.options.langPath);
    return this.languageData;
  }

  async recognize(input: OcrImage, options: OcrRecognizeOptions = {}): Promise<OcrPageResult> {
    if (options.signal?.aborted) throw abortError();
    const slot = await this.acquire();
    try {
      // Read once a worker is free: pages waiting for one hold no memory here.
      const image = await imageBytes(input);
      const worker = await this.workerFor(slot);
      await worker.setParameters({ user_defined_dpi: options.dpi ? String(Math.round(options.dpi)) : '0' });
      // rotateAuto straightens small skews (a page fed in at an angle) before recognition.
      // TSV: the same word boxes and confidences the native engine reads from tesseract's TSV renderer.
      // pdfTextOnly: the page's PDF holds only the invisible words (laid over the original by the searchable PDF).
      const output = options.textPdf ? { text: true, tsv: true, pdf: true } : { text: true, tsv: true };
      const result = await this.withTimeout(slot, worker.recognize(image, { rotateAuto: true, pdfTextOnly: true }, output), options.signal);
      slot.pages += 1;
      this.recognized += 1;
      // The worker's WebAssembly memory grew to fit this page and would stay that size.
      if (image.length > LARGE_PAGE_BYTES) await this.retire(slot);
      const page: OcrPageResult = { text: result.data.text, confidence: result.data.confidence, words: parseTsv(result.data.tsv ?? '').words };
      if (options.textPdf && result.data.pdf) page.textPdf = await textPdfOnImage(Uint8Array.from(result.data.pdf), result.data.rotateRadians ?? 0);
      return page;
    } catch (error) {
      if (error instanceof DoccatError) throw error;
      throw new DoccatError('E_OCR_FAILED', `OCR failed: ${errorMessage(error)}`, { hint: 'the image may be corrupt or in an unsupported pixel format', cause: error });
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) clearTimeout(slot.idleTimer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(abortError());
    await Promise.all(this.slots.map((slot) => this.retire(slot)));
  }

  private async workerFor(slot: Slot): Promise<TesseractWorker> {
    if (slot.worker && slot.pages >= this.options.recycleAfterPages) await this.retire(slot);
    if (!slot.worker) {
      const data = this.checkLanguages();
      const { createWorker } = await import('tesseract.js');
      let initError: unknown;
      const worker = await createWorker([...this.options.languages], 1, {
        langPath: data.langPath,
        gzip: data.gzip,
        cacheMethod: 'none',
        // Without an errorHandler tesseract.js throws asynchronously in the worker and kills the process.
        errorHandler: (error: unknown) => {
          initError = error;
        },
        logger: () => undefined,
      });
      if (initError) {
        await worker.terminate().catch(() => undefined);
        throw new DoccatError('E_OCR_INIT', `OCR engine failed to start: ${errorMessage(initError)}`, { hint: 'check ocr.languages and ocr.langPath' });
      }
      // Tesseract prints diagnostics ("Image too small to scale!!") to stderr, which is ours.
      // The API defaults to one uniform block of text (PSM 6); the tesseract CLI, and real pages
      // with columns, letterheads and tables, need automatic layout analysis (PSM 3).
      await worker.setParameters({ debug_file: '/dev/null', tessedit_pageseg_mode: '3' } as Parameters<TesseractWorker['setParameters']>[0]);
      slot.worker = worker;
      slot.pages = 0;
    }
    return slot.worker;
  }

  private async withTimeout<T>(slot: Slot, work: Promise<T>, signal?: AbortSignal): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(this.options.pageTimeoutMs)), this.options.pageTimeoutMs);
      onAbort = () => reject(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, stop]);
    } catch (error) {
      // The worker may still be busy with the abandoned page: replace it.
      await this.retire(slot);
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private async retire(slot: Slot): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.pages = 0;
    if (worker) await worker.terminate().catch(() => undefined);
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(abortError());
    // A slot whose worker is still loaded first: starting a worker costs a second or two.
    const free = this.slots.find((slot) => !slot.busy && slot.worker) ?? this.slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      clearTimeout(free.idleTimer);
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) {
      next.resolve(slot);
      return;
    }
    slot.busy = false;
    const idleTimeoutMs = this.options.idleTimeoutMs;
    if (idleTimeoutMs !== undefined && slot.worker) {
      slot.idleTimer = setTimeout(() => {
        if (!slot.busy) void this.retire(slot);
      }, idleTimeoutMs);
      slot.idleTimer.unref();
    }
  }
}

/**
 * rotateAuto read a deskewed copy of the image, so the words in tesseract's PDF sit on that copy;
 * turned back by the same angle they sit on the image as given.
 */
async function textPdfOnImage(pdf: Uint8Array, rotateRadians: number): Promise<Uint8Array> {
  if (rotateRadians === 0) return pdf;
  const { rotateTextPdf } = await import('../searchable/text-layer.js');
  return rotateTextPdf(pdf, rotateRadians);
}

const require = createRequire(import.meta.url);
let version: string | undefined;

function tesseractJsVersion(): string {
  version ??= (require('tesseract.js/package.json') as { version: string }).version;
  return version;
}
