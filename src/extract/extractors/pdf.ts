import fsp from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DoccatError } from '../../errors.js';
import type { ExtractInput, ExtractResult, ExtractWarning, Extractor } from '../extractor.js';
import { normalizeWhitespace } from '../decode-text.js';
import { mean, recognizeUpright } from '../ocr-pages.js';
import { fitScale, rgbaToRaster } from '../raster.js';

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
  const document = await openDocument(pdfjs, data, root, input);
  try {
    return await extractPages(pdfjs, document, input);
  } finally {
    await document.destroy().catch(() => undefined);
  }
};

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
      verbosity: 0,
      stopAtErrors: false,
      maxImageSize: input.options.maxPagePixels * 4,
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
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .normalize('NFKC');
}

async function extractPages(pdfjs: PdfJs, document: PdfDocument, input: ExtractInput): Promise<ExtractResult> {
  const texts: string[] = [];
  const confidences: number[] = [];
  const warnings: ExtractWarning[] = [];
  let textPages = 0;
  let ocrPages = 0;
  let consecutiveErrors = 0;
  let pagesRead = 0;
  const numberOfPages = document.numPages;
  if (numberOfPages === 0) {
    throw new DoccatError('E_PDF_NO_PAGES', 'the PDF has no pages', { hint: 'the file is damaged or was saved empty; export it again' });
  }
  for (let pageNumber = 1; pageNumber <= numberOfPages; pageNumber += 1) {
    if (input.signal.aborted) break;
    let page: PdfPage;
    try {
      page = await document.getPage(pageNumber);
    } catch (error) {
      consecutiveErrors += 1;
      warnings.push({ code: 'W_PDF_PAGE_UNREADABLE', message: `page ${pageNumber}: ${(error as Error).message}` });
      if (consecutiveErrors >= MAX_CONSECUTIVE_PAGE_ERRORS) {
        warnings.push({ code: 'W_PDF_PAGES_SKIPPED', message: `stopped after ${consecutiveErrors} unreadable pages in a row; the page tree claims ${numberOfPages}` });
        break;
      }
      continue;
    }
    consecutiveErrors = 0;
    pagesRead += 1;
    try {
      const layerText = await readTextLayer(page);
      const usable = isUsableText(layerText, input.options.minTextCharsPerPage);
      if (usable || !input.options.ocrEnabled || !(await hasVisibleContent(pdfjs, page))) {
        texts.push(layerText);
        if (layerText.length > 0) textPages += 1;
        input.onPage?.({ ocr: false });
      } else {
        const result = await ocrPage(page, input);
        // Keep whichever is richer: a poor-but-real text layer beats OCR of a blank render.
        const ocrText = normalizeWhitespace(result.text);
        texts.push(ocrText.length >= layerText.length ? ocrText : layerText);
        confidences.push(result.confidence);
        ocrPages += 1;
        input.onPage?.({ ocr: true });
      }
    } catch (error) {
      if (error instanceof DoccatError && (error.code === 'E_INTERRUPTED' || error.code === 'E_OCR_LANGUAGE_MISSING' || error.code === 'E_OCR_INIT')) throw error;
      warnings.push({ code: error instanceof DoccatError ? error.code : 'W_PDF_PAGE_FAILED', message: `page ${pageNumber}: ${(error as Error).message}` });
      texts.push('');
    } finally {
      page.cleanup();
    }
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
  return {
    text: texts.join('\n\f\n').trim(),
    pages: pagesRead,
    method: ocrPages === 0 ? (textPages === 0 ? 'none' : 'text-layer') : textPages === 0 ? 'ocr' : 'mixed',
    ocrConfidence: mean(confidences),
    ocrPages,
    metadata,
    warnings,
  };
}

async function readTextLayer(page: PdfPage): Promise<string> {
  const content = await page.getTextContent();
  let text = '';
  for (const item of content.items) {
    if (!('str' in item)) continue;
    text += item.str;
    if (item.hasEOL) text += '\n';
    else if (item.str.length > 0 && !text.endsWith(' ')) text += ' ';
  }
  return normalizeWhitespace(text.replace(/ +/g, ' '));
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

/** Blank pages are not worth rendering: only pages that paint images or shapes can hold a scan. */
async function hasVisibleContent(pdfjs: PdfJs, page: PdfPage): Promise<boolean> {
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
  const list = await page.getOperatorList();
  return list.fnArray.some((fn) => painting.has(fn));
}

async function ocrPage(page: PdfPage, input: ExtractInput): Promise<{ text: string; confidence: number }> {
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
  return recognizeUpright(input, raster, scale * 72);
}
