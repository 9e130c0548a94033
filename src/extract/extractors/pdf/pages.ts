import { DoccatError } from '../../../errors.js';
import type { ExtractInput, ExtractResult, ExtractWarning } from '../../extractor.js';
import { normalizeWhitespace } from '../../decode-text.js';
import { layoutText } from '../../layout-text.js';
import { tooLarge, formatPixels } from '../../limits.js';
import { mean, PageReader, parallelPages, recognizeUpright } from '../../ocr-pages.js';
import type { PageTextLayer } from '../../searchable/graft.js';
import { chain, unturn } from '../../searchable/matrix.js';
import { hasVisibleContent, pageRaster } from './page-raster.js';
import type { OpenedPdf } from './open.js';
import type { PdfJs, PdfPage, PdfWarnings } from './pdfjs.js';
import { isUsableText, readTextLayer } from './text-layer.js';

/** Pages whose text layer is also laid out by position (ExtractResult.layoutText): invoices say who and what on the first. */
const LAYOUT_PAGES = 2;

/**
 * The document is opened again between pages once pdf.js holds this many bytes of it: it keeps
 * every range it read until the document is destroyed, which for a scan is every page's image (a
 * 200-page scan: 108 MB). A text PDF seldom gets there, and reopening costs reading its
 * cross-reference table, page tree and fonts again. At 24 MB a 40-page scan's extraction
 * process peaked about 10 MB higher, for no measurable speed.
 */
const REOPEN_BYTES = 8 * 1024 * 1024;

/** After this many pages in a row that cannot be read, the page tree is taken to be broken. */
const MAX_CONSECUTIVE_PAGE_ERRORS = 5;

/**
 * Every page in turn: its text layer where it is usable, else its raster queued for OCR (several
 * pages at once); warnings and OCR text layers come back in page order.
 */
export async function extractPages(pdfjs: PdfJs, opened: OpenedPdf, input: ExtractInput, pdfWarnings: PdfWarnings): Promise<{ result: ExtractResult; layers: PageTextLayer[]; numberOfPages: number }> {
  /** One entry per page read (unreadable pages have none), filled in as their OCR finishes. */
  const texts: string[] = [];
  const layouts: string[] = [];
  const confidences: (number | undefined)[] = [];
  /** OCR text layers by page number: pages finish in any order, the searchable PDF wants page order. */
  const layersByPage: (PageTextLayer | undefined)[] = [];
  /** Warnings by page number, so that they come out in page order whatever order pages finish in. */
  const pageWarnings: ExtractWarning[][] = [];
  const warn = (pageNumber: number, warning: ExtractWarning) => (pageWarnings[pageNumber] ??= []).push(warning);
  let textPages = 0;
  let consecutiveErrors = 0;
  let pagesRead = 0;
  // Scanned pages are decoded here one at a time and read by the OCR engine several at a time.
  const reader = new PageReader<void>(parallelPages(input));
  const numberOfPages = opened.document.numPages;
  if (numberOfPages === 0) {
    throw new DoccatError('E_PDF_NO_PAGES', 'the PDF has no pages', { hint: 'the file is damaged or was saved empty; export it again' });
  }
  const isFatal = (error: unknown) => error instanceof DoccatError && (error.code === 'E_INTERRUPTED' || error.code === 'E_OCR_LANGUAGE_MISSING' || error.code === 'E_OCR_INIT');
  const pageFailed = (pageNumber: number, slot: number, error: unknown) => {
    if (isFatal(error)) throw error;
    warn(pageNumber, { code: error instanceof DoccatError ? error.code : 'W_PDF_PAGE_FAILED', message: `page ${pageNumber}: ${(error as Error).message}` });
    texts[slot] = '';
  };
  for (let pageNumber = 1; pageNumber <= numberOfPages; pageNumber += 1) {
    if (input.signal.aborted || reader.failed) break;
    // What pdf.js read for the pages done goes with the document it read them into.
    if (opened.bytesHeld > REOPEN_BYTES) await opened.reopen();
    let page: PdfPage;
    try {
      page = await opened.document.getPage(pageNumber);
    } catch (error) {
      consecutiveErrors += 1;
      warn(pageNumber, { code: 'W_PDF_PAGE_UNREADABLE', message: `page ${pageNumber}: ${(error as Error).message}` });
      if (consecutiveErrors >= MAX_CONSECUTIVE_PAGE_ERRORS) {
        warn(pageNumber, { code: 'W_PDF_PAGES_SKIPPED', message: `stopped after ${consecutiveErrors} unreadable pages in a row; the page tree claims ${numberOfPages}` });
        break;
      }
      continue;
    }
    consecutiveErrors = 0;
    pagesRead += 1;
    const slot = texts.length;
    texts.push('');
    const leftOutBefore = pdfWarnings.imagesLeftOut;
    try {
      const { text: layerText, items } = await readTextLayer(page);
      const usable = isUsableText(layerText, input.options.minTextCharsPerPage);
      const operators = usable || !input.options.ocrEnabled ? undefined : await page.getOperatorList();
      if (!operators || !hasVisibleContent(pdfjs, operators)) {
        texts[slot] = layerText;
        if (layerText.length > 0) textPages += 1;
        if (layerText.length > 0 && pageNumber <= LAYOUT_PAGES) layouts.push(layoutText(items));
        input.onPage?.({ ocr: false });
      } else {
        const { raster, dpi, toPage } = await pageRaster(pdfjs, page, operators, input);
        const number = pageNumber;
        reader.read(slot, async () => {
          try {
            const result = await recognizeUpright(input, raster, dpi);
            // Keep whichever is richer: a poor-but-real text layer beats OCR of a blank render.
            const ocrText = normalizeWhitespace(result.text);
            const ocrKept = ocrText.length >= layerText.length;
            texts[slot] = ocrKept ? ocrText : layerText;
            // The page's own text layer won: it stays the page's only one.
            if (ocrKept && ocrText.length > 0 && result.textPdf) layersByPage[number] = { pageIndex: number - 1, textPdf: result.textPdf, toPage: chain(unturn(result.turned), toPage) };
            confidences[slot] = result.confidence;
            input.onPage?.({ ocr: true });
          } catch (error) {
            pageFailed(number, slot, error);
          }
        });
      }
    } catch (error) {
      pageFailed(pageNumber, slot, error);
    } finally {
      page.cleanup();
      if (pdfWarnings.imagesLeftOut > leftOutBefore) {
        warn(pageNumber, { code: 'W_PDF_IMAGE_TOO_LARGE', message: `page ${pageNumber}: an image over ${formatPixels(input.options.maxImagePixels)} (ocr.maxImagePixels) was left out` });
      }
    }
    await reader.room();
  }
  await reader.done();
  const warnings = pageWarnings.flat();
  const ocrConfidences = confidences.filter((confidence): confidence is number => confidence !== undefined);
  const ocrPages = ocrConfidences.length;
  const text = texts.join('\n\f\n').trim();
  // Nothing readable, and what was there was too large to decode: say so rather than catalogue
  // an empty document as if it were blank.
  if (pdfWarnings.imagesLeftOut > 0 && !/[\p{L}\p{N}]/u.test(text)) {
    throw tooLarge("the PDF's only content is an image too large to decode", formatPixels(input.options.maxImagePixels), 'ocr.maxImagePixels');
  }
  if (pagesRead === 0) {
    throw new DoccatError('E_PDF_CORRUPT', `none of the PDF's ${numberOfPages} pages can be read`, { hint: 'the file is damaged; download or export it again' });
  }
  const metadata: ExtractResult['metadata'] = {};
  try {
    const info = (await opened.document.getMetadata()).info as { Title?: unknown; Author?: unknown };
    if (typeof info.Title === 'string' && info.Title.trim()) metadata.title = info.Title.trim();
    if (typeof info.Author === 'string' && info.Author.trim()) metadata.author = info.Author.trim();
  } catch {
    // Broken metadata does not make the document unreadable.
  }
  const result: ExtractResult = {
    text,
    pages: pagesRead,
    method: ocrPages === 0 ? (textPages === 0 ? 'none' : 'text-layer') : textPages === 0 ? 'ocr' : 'mixed',
    ocrConfidence: mean(ocrConfidences),
    ocrPages,
    metadata,
    warnings,
    ...(layouts.some((layout) => layout !== '') ? { layoutText: layouts.join('\n\f\n') } : {}),
  };
  const layers = layersByPage.filter((layer): layer is PageTextLayer => layer !== undefined);
  return { result, layers, numberOfPages };
}
