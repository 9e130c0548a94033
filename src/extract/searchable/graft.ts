import type { PDFArray, PDFDict, PDFDocument, PDFObject, PDFPageLeaf, PDFRef } from 'pdf-lib';
import { formatMatrix, type Matrix } from './matrix.js';
import { loadPdfLib, TextLayerForms } from './text-layer.js';

/** One OCRed page's text layer and where on the page it goes. */
export interface PageTextLayer {
  /** Zero-based, in the page tree's order. */
  pageIndex: number;
  /** The engine's text-only page (OcrPageResult.textPdf). */
  textPdf: Uint8Array;
  /** The unit square (y up) of the image that was read, onto the page's user space. */
  toPage: Matrix;
}

export class SearchablePdfError extends Error {}

/**
 * The original PDF with an invisible text layer under each OCRed page, as OCRmyPDF's sandwich
 * renderer grafts it: each text page becomes a form XObject drawn by a content stream put in
 * front of the page's own, which stays as it was, like every image and every other object
 * (pdf-lib rewrites the file around them; stream bytes are copied, never re-encoded).
 * Underneath, because the page's content then starts from the default graphics state, with
 * nothing of ours to undo. Pages without a layer are not touched at all.
 */
export async function graftTextLayers(original: Uint8Array, expectedPages: number, layers: readonly PageTextLayer[], onProgress?: () => void): Promise<Uint8Array> {
  const lib = await loadPdfLib();
  let document: PDFDocument;
  try {
    document = await quietly(() => lib.PDFDocument.load(original, { updateMetadata: false, ignoreEncryption: true }));
  } catch (error) {
    throw new SearchablePdfError(`pdf-lib cannot read the PDF: ${(error as Error).message}`);
  }
  // pdf-lib cannot decrypt; and a copy without the owner's protection is not one to make.
  if (document.isEncrypted) throw new SearchablePdfError('the PDF is encrypted');
  try {
    const pages = document.getPages();
    // pdf.js and pdf-lib read the page tree separately; a text layer on the wrong page is worse than none.
    if (pages.length !== expectedPages) throw new SearchablePdfError(`pdf-lib finds ${pages.length} pages where pdf.js found ${expectedPages}`);
    const forms = new TextLayerForms(lib, document);
    for (const [index, layer] of layers.entries()) {
      if (index % PROGRESS_EVERY === PROGRESS_EVERY - 1) onProgress?.();
      const page = pages[layer.pageIndex];
      if (!page) throw new SearchablePdfError(`no page ${layer.pageIndex + 1}`);
      const { ref, matrix } = await forms.form(layer.textPdf, layer.toPage);
      const name = addXObject(lib, document, page.node, ref);
      prependContent(lib, document, page.node, `q ${formatMatrix(matrix)} cm /${name} Do Q\n`);
    }
    // No object streams: the file keeps working in readers of the PDF version it declares.
    return await document.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
  } catch (error) {
    if (error instanceof SearchablePdfError) throw error;
    throw new SearchablePdfError(`pdf-lib cannot rewrite the PDF: ${(error as Error).message}`);
  }
}

type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

/** Layers grafted between two progress calls (a few hundred milliseconds of work). */
const PROGRESS_EVERY = 20;

/** pdf-lib reports each damaged object it skips with console.log; the warning on the document says enough. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    return await work();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * Registers the form in the page's own resources under a new name. Resources are often inherited
 * from the page tree or shared between pages: the page gets its own shallow copy first, so no
 * other page's resources change (the objects inside are shared, not copied).
 */
function addXObject(lib: PdfLib, document: PDFDocument, page: PDFPageLeaf, form: PDFRef): string {
  const context = document.context;
  const resources = (page.Resources() ?? context.obj({})).clone(context);
  const existing = resources.lookupMaybe(lib.PDFName.of('XObject'), lib.PDFDict);
  const xObjects: PDFDict = existing ? existing.clone(context) : context.obj({});
  let index = 0;
  while (xObjects.has(lib.PDFName.of(`OCR${index}`))) index += 1;
  const name = `OCR${index}`;
  xObjects.set(lib.PDFName.of(name), form);
  resources.set(lib.PDFName.of('XObject'), xObjects);
  page.set(lib.PDFName.of('Resources'), resources);
  return name;
}

function prependContent(lib: PdfLib, document: PDFDocument, page: PDFPageLeaf, operators: string): void {
  const context = document.context;
  const ours = context.register(context.stream(operators));
  const current: PDFObject | undefined = page.get(lib.PDFName.of('Contents'));
  const resolved = current === undefined ? undefined : context.lookup(current);
  const streams: PDFObject[] = [ours];
  if (resolved instanceof lib.PDFArray) streams.push(...(resolved as PDFArray).asArray());
  else if (current !== undefined) streams.push(current);
  page.set(lib.PDFName.of('Contents'), context.obj(streams));
}
