import fsp from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DoccatError } from '../../errors.js';
import type { ExtractInput, ExtractResult, ExtractWarning, Extractor } from '../extractor.js';
import { normalizeWhitespace } from '../decode-text.js';
import { mean, PageReader, parallelPages, recognizeUpright } from '../ocr-pages.js';
import { decodedImageToRaster, fitScale, rgbaToRaster, type DecodedImage, type Raster } from '../raster.js';
import { checkPageCount, formatPixels, tooLarge } from '../limits.js';
import { chain, invert, unturn, type Matrix } from '../searchable/matrix.js';
import type { PageTextLayer } from '../searchable/graft.js';
import { writeSearchablePdf } from '../searchable/output.js';
import { layoutText, type PositionedText } from '../layout-text.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

const require = createRequire(import.meta.url);
let pdfjsModule: Promise<PdfJs> | undefined;
let pdfjsRoot: string | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= (async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
    // In Node pdf.js runs its "worker" in this thread; it still needs to know where the code is.
    pdfjs.GlobalWorkerOptions.workerSrc = pathToFileURL(path.join(pdfjsRoot, 'legacy/build/pdf.worker.mjs')).href;
    return pdfjs;
  })();
  return pdfjsModule;
}

/** Pages whose text layer is also laid out by position (ExtractResult.layoutText): invoices say who and what on the first. */
const LAYOUT_PAGES = 2;

/** After this many pages in a row that cannot be read, the page tree is taken to be broken. */
const MAX_CONSECUTIVE_PAGE_ERRORS = 5;

/**
 * PDF: the text layer where it is real, OCR of the rendered page where it is missing or garbage
 * (scans, text drawn as curves, fonts without a Unicode map). Pages are handled one at a time
 * and released, so memory stays bounded on long documents.
 */
export const extractPdf: Extractor = async (input) => {
  const pdfjs = await loadPdfJs();
  const root = pdfjsRoot as string;
  const data = new Uint8Array(await fsp.readFile(input.path));
  const warnings = watchPdfWarnings();
  let extracted: { result: ExtractResult; layers: PageTextLayer[]; numberOfPages: number };
  try {
    const document = await openDocument(pdfjs, data, root, input);
    try {
      // The page count is in the page tree's root: refuse a 100,000-page file before reading any page.
      checkPageCount(document.numPages, input.options.maxPages, 'the PDF');
      extracted = await extractPages(pdfjs, document, input, warnings);
    } finally {
      await document.destroy().catch(() => undefined);
    }
  } finally {
    warnings.stop();
  }
  const { result, layers, numberOfPages } = extracted;
  if (input.searchablePdfPath !== undefined && layers.length > 0 && !input.signal.aborted) {
    const { graftTextLayers } = await import('../searchable/graft.js');
    await writeSearchablePdf(input, result, data.byteLength, layers.length, async () => ({ bytes: await graftTextLayers(data, numberOfPages, layers, input.onProgress), pdfa: false }));
  }
  return result;
};

/**
 * pdf.js leaves out an image over maxImageSize and only says so in a console warning; this counts
 * those warnings (and keeps pdf.js's other warnings off our stderr) while a PDF is read.
 */
interface PdfWarnings {
  readonly imagesLeftOut: number;
  stop(): void;
}

function watchPdfWarnings(): PdfWarnings {
  // biome-ignore lint/suspicious/noConsole: pdf.js reports through console.warn; its warnings are counted, others passed on.
  const original = console.warn;
  let imagesLeftOut = 0;
  console.warn = (...args: unknown[]) => {
    const message = typeof args[0] === 'string' ? args[0] : '';
    if (!message.startsWith('Warning: ')) return original.apply(console, args);
    if (message.includes('Image exceeded maximum allowed size')) imagesLeftOut += 1;
  };
  return {
    get imagesLeftOut() {
      return imagesLeftOut;
    },
    stop() {
      // biome-ignore lint/suspicious/noConsole: see above.
      if (console.warn !== original) console.warn = original;
    },
  };
}

async function openDocument(pdfjs: PdfJs, data: Uint8Array, root: string, input: ExtractInput): Promise<PdfDocument> {
  // Some encryption revisions (AES-256 R5) make pdf.js compare the password as UTF-8 bytes in a
  // binary string; try that form too for passwords with non-ASCII characters.
  // AES-256 R6 also runs the password through SASLprep, which pdf.js leaves to the caller.
  const candidates = new Set<string>();
  for (const password of input.options.pdfPasswords) {
    for (const form of [password, saslPrep(password)]) {
      candidates.add(form);
      candidates.add(Buffer.from(form, 'utf8').toString('latin1'));
    }
  }
  const passwords: (string | undefined)[] = [undefined, ...candidates];
  let lastPasswordError: unknown;
  for (const password of passwords) {
    const task = pdfjs.getDocument({
      // pdf.js transfers (detaches) the buffer it is given, so each attempt gets its own copy.
      data: data.slice(),
      ...(password === undefined ? {} : { password }),
      isEvalSupported: false,
      enableXfa: false,
      disableFontFace: true,
      useSystemFonts: false,
      // Warnings (1) carry the one notice of an image left out for its size; watchPdfWarnings keeps them.
      verbosity: 1,
      stopAtErrors: false,
      // Checked against the image's declared width x height before it is decoded.
      maxImageSize: input.options.maxImagePixels,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      standardFontDataUrl: path.join(root, 'standard_fonts') + path.sep,
      cMapUrl: path.join(root, 'cmaps') + path.sep,
      cMapPacked: true,
      wasmUrl: path.join(root, 'wasm') + path.sep,
      iccUrl: path.join(root, 'iccs') + path.sep,
    });
    try {
      return await task.promise;
    } catch (error) {
      await task.destroy().catch(() => undefined);
      const name = (error as { name?: string }).name;
      if (name === 'PasswordException') {
        lastPasswordError = error;
        continue;
      }
      if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException') {
        throw new DoccatError('E_PDF_CORRUPT', `not a readable PDF: ${(error as Error).message}`, {
          hint: 'the file is damaged or truncated; download or export it again; `qpdf --check FILE` tells more',
          cause: error,
        });
      }
      throw new DoccatError('E_PDF_CORRUPT', `cannot open the PDF: ${(error as Error).message}`, {
        hint: 'the file is damaged or truncated; download or export it again',
        cause: error,
      });
    }
  }
  const tried = input.options.pdfPasswords.length;
  throw new DoccatError('E_PDF_ENCRYPTED', tried > 0 ? `the PDF is encrypted and none of the ${tried} configured passwords opens it` : 'the PDF is encrypted and needs a password', {
    hint: 'add its password to pdf.passwords in the config (or DOCCAT_PDF_PASSWORDS), or save an unencrypted copy',
    cause: lastPasswordError,
  });
}

/** RFC 4013 SASLprep, the parts that matter for passwords: drop "mapped to nothing", space, NFKC. */
export function saslPrep(password: string): string {
  return password
    // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is dropped on its own, combining or not.
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .normalize('NFKC');
}

async function extractPages(pdfjs: PdfJs, document: PdfDocument, input: ExtractInput, pdfWarnings: PdfWarnings): Promise<{ result: ExtractResult; layers: PageTextLayer[]; numberOfPages: number }> {
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
  const numberOfPages = document.numPages;
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
    let page: PdfPage;
    try {
      page = await document.getPage(pageNumber);
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
    const info = (await document.getMetadata()).info as { Title?: unknown; Author?: unknown };
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

async function readTextLayer(page: PdfPage): Promise<{ text: string; items: PositionedText[] }> {
  const content = await page.getTextContent();
  // Positions as the page is shown (its /Rotate and crop box applied), y turned back upwards.
  const view = page.getViewport({ scale: 1 }).transform as number[];
  const items: PositionedText[] = [];
  let text = '';
  for (const item of content.items) {
    if (!('str' in item)) continue;
    text += item.str;
    if (item.hasEOL) text += '\n';
    else if (item.str.length > 0 && !text.endsWith(' ')) text += ' ';
    const [a, b, c, d, e, f] = multiply(view, item.transform as number[]) as [number, number, number, number, number, number];
    // Only text that reads left to right on the shown page; turned text (margins, stamps) is left out.
    if (a > 0 && Math.abs(b) < 0.05 * a && Math.abs(c) < 0.05 * Math.abs(d)) items.push({ str: item.str, x: e, y: -f, width: item.width, height: Math.abs(d) });
  }
  return { text: normalizeWhitespace(text.replace(/ +/g, ' ')), items };
}

/**
 * A text layer is usable when it has enough characters and most of them are letters or digits;
 * fonts without a Unicode map yield control or private-use characters instead.
 */
export function isUsableText(text: string, minChars: number): boolean {
  const visible = text.replace(/\s+/g, '');
  if (visible.length < Math.max(1, minChars)) return false;
  const good = visible.match(/[\p{L}\p{N}\p{P}\p{S}]/gu)?.length ?? 0;
  const bad = visible.match(/[\p{Cc}\p{Co}\p{Cs}\uFFFD]/gu)?.length ?? 0;
  return bad / visible.length < 0.1 && good / visible.length > 0.8;
}

type OperatorList = Awaited<ReturnType<PdfPage['getOperatorList']>>;

/** Blank pages are not worth rendering: only pages that paint images or shapes can hold a scan. */
function hasVisibleContent(pdfjs: PdfJs, list: OperatorList): boolean {
  const ops = pdfjs.OPS;
  const painting = new Set<number>([
    ops.paintImageXObject,
    ops.paintInlineImageXObject,
    ops.paintImageMaskXObject,
    ops.paintImageXObjectRepeat,
    ops.paintImageMaskXObjectRepeat,
    ops.paintInlineImageXObjectGroup,
    ops.paintImageMaskXObjectGroup,
    ops.constructPath,
    ops.showText,
    ops.showSpacedText,
  ]);
  return list.fnArray.some((fn) => painting.has(fn));
}

/**
 * The one image a scanned page consists of, upright and unscaled by anything but its size on the
 * page, with its resolution; undefined when the page paints anything else (text, shapes, masks,
 * a second image) or turns the image, which then needs rendering.
 */
async function soleImage(pdfjs: PdfJs, page: PdfPage, list: OperatorList): Promise<{ image: DecodedImage; dpi: number; matrix: Matrix } | undefined> {
  const ops = pdfjs.OPS;
  const harmless = new Set<number>([ops.save, ops.restore, ops.transform, ops.dependency, ops.clip, ops.eoClip, ops.endPath, ops.setGState, ops.setRenderingIntent, ops.setFlatness]);
  let matrix = [1, 0, 0, 1, 0, 0];
  const saved: number[][] = [];
  let found: { name: string; matrix: number[] } | undefined;
  for (let index = 0; index < list.fnArray.length; index += 1) {
    const fn = list.fnArray[index] as number;
    const args = list.argsArray[index] as unknown[] | null;
    if (fn === ops.save) saved.push(matrix);
    else if (fn === ops.restore) matrix = saved.pop() ?? matrix;
    else if (fn === ops.transform) matrix = multiply(matrix, args as number[]);
    // A clipping path (painted with "no paint"): it can only hide part of the image.
    else if (fn === ops.constructPath && args?.[0] === ops.endPath) continue;
    else if (fn === ops.paintImageXObject && !found) found = { name: args?.[0] as string, matrix };
    else if (!harmless.has(fn)) return undefined;
  }
  if (!found || page.rotate % 360 !== 0) return undefined;
  const [a, b, c, d] = found.matrix as [number, number, number, number];
  if (b !== 0 || c !== 0 || !(a > 0) || !(d > 0)) return undefined;
  // Pixels stretched more one way than the other (aspect.pdf) read wrongly unless rendered.
  const stretch = (found.matrix[0] as number) / (found.matrix[3] as number);
  const name = found.name;
  const image = await new Promise<unknown>((resolve) => (name.startsWith('g_') ? page.commonObjs : page.objs).get(name, resolve));
  const decoded = image as Partial<DecodedImage> | null;
  if (!decoded?.data || !decoded.width || !decoded.height || ![1, 2, 3].includes(decoded.kind as number)) return undefined;
  if (decoded.data.length < expectedBytes(decoded as DecodedImage)) return undefined;
  if (Math.abs(stretch / (decoded.width / decoded.height) - 1) > 0.01) return undefined;
  // User space is in points (1/72 in): the image's pixels over its width on the page.
  return { image: decoded as DecodedImage, dpi: (decoded.width / a) * 72, matrix: found.matrix as unknown as Matrix };
}

function expectedBytes(image: DecodedImage): number {
  return image.kind === 1 ? ((image.width + 7) >> 3) * image.height : image.width * image.height * (image.kind === 2 ? 3 : 4);
}

function multiply(m: number[], n: number[]): number[] {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const [a2, b2, c2, d2, e2, f2] = n as [number, number, number, number, number, number];
  return [a2 * a + b2 * c, a2 * b + b2 * d, c2 * a + d2 * c, c2 * b + d2 * d, e2 * a + f2 * c + e, e2 * b + f2 * d + f];
}

/**
 * A page to OCR: a scan (one image, nothing else) is read from pdf.js's decoded image directly,
 * scaled down on the way; anything else is rendered. Rendering a page around a large image costs
 * the page canvas, a scratch canvas of the image's full size and the RGBA copy getImageData
 * makes (enormous.pdf's 9000x9000 scan: 1.9 GB); taking the image costs only its decoding.
 */
async function pageRaster(pdfjs: PdfJs, page: PdfPage, list: OperatorList, input: ExtractInput): Promise<{ raster: Raster; dpi: number; toPage: Matrix }> {
  const scan = await soleImage(pdfjs, page, list);
  if (scan) {
    // No finer than a render would be: tesseract reads a 2400-dpi scan worse than the same at 300.
    const atRenderDpi = scan.image.width * scan.image.height * Math.min(1, (input.options.renderDpi / scan.dpi) ** 2);
    const raster = decodedImageToRaster(scan.image, Math.min(input.options.maxPagePixels, Math.max(1, Math.floor(atRenderDpi))));
    // The decoded image (243 MB for enormous.pdf) is not needed while the page waits for OCR.
    scan.image.data = new Uint8Array(0);
    page.cleanup();
    // In an extraction process (started with --expose-gc) give the memory back before OCR starts.
    (globalThis as { gc?: () => void }).gc?.();
    // An image is painted on the unit square through the transform in force.
    return { raster, dpi: scan.dpi * raster.scale, toPage: scan.matrix };
  }
  const base = page.getViewport({ scale: 1 });
  const wanted = input.options.renderDpi / 72;
  const scale = wanted * fitScale(base.width * wanted, base.height * wanted, input.options.maxPagePixels);
  const viewport = page.getViewport({ scale });
  const { createCanvas } = await import('@napi-rs/canvas');
  const canvas = createCanvas(Math.max(1, Math.ceil(viewport.width)), Math.max(1, Math.ceil(viewport.height)));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  // pdf.js types its canvas as the DOM's; @napi-rs/canvas implements the same 2D API.
  type RenderParameters = Parameters<PdfPage['render']>[0];
  await page.render({ canvas: canvas as unknown as RenderParameters['canvas'], canvasContext: context as unknown as RenderParameters['canvasContext'], viewport, background: 'white' }).promise;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const raster = rgbaToRaster(pixels, canvas.width, canvas.height, Number.MAX_SAFE_INTEGER);
  // The canvas's unit square (y up) to its pixels (y down), then back through the viewport to the page.
  const toPage = chain([canvas.width, 0, 0, -canvas.height, 0, canvas.height], invert(viewport.transform as unknown as Matrix));
  return { raster, dpi: scale * 72, toPage };
}
