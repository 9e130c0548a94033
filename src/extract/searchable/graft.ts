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
 * What the grafted PDF is: the original file followed by `bytes` (an incremental update), or,
 * for a file whose cross-reference section cannot be found, `bytes` alone (the whole file written
 * anew).
 */
export interface GraftedPdf {
  appended: boolean;
  bytes: Uint8Array;
}

/**
 * The original PDF with an invisible text layer under each OCRed page, as OCRmyPDF's sandwich
 * renderer grafts it: each text page becomes a form XObject drawn by a content stream put in
 * front of the page's own, which stays as it was, like every image and every other object.
 * Underneath, because the page's content then starts from the default graphics state, with
 * nothing of ours to undo. Pages without a layer are not touched at all.
 *
 * Written as an incremental update (PDF 7.5.6): the new objects and the pages that draw them,
 * after the original's last byte, with a cross-reference section pointing back at the original's.
 * The original bytes are not rewritten, so a 200-page scan costs its own size in memory once
 * (the file, which pdf-lib's streams are views into), not three times (the file, a copy of its
 * streams, and the rewritten file).
 */
export async function graftTextLayers(read: () => Promise<Uint8Array>, expectedPages: number, layers: readonly PageTextLayer[], onProgress?: () => void): Promise<GraftedPdf> {
  const lib = await loadPdfLib();
  const { document, length, previous } = await parse(lib, read);
  // pdf-lib cannot decrypt; and a copy without the owner's protection is not one to make.
  if (document.isEncrypted) throw new SearchablePdfError('the PDF is encrypted');
  try {
    const pages = document.getPages();
    // pdf.js and pdf-lib read the page tree separately; a text layer on the wrong page is worse than none.
    if (pages.length !== expectedPages) throw new SearchablePdfError(`pdf-lib finds ${pages.length} pages where pdf.js found ${expectedPages}`);
    // New objects are numbered past every number the original's last section declares in use.
    if (previous) document.context.largestObjectNumber = Math.max(document.context.largestObjectNumber, previous.size - 1);
    const firstNew = document.context.largestObjectNumber + 1;
    const changedPages = new Set<PDFRef>();
    const forms = new TextLayerForms(lib, document);
    for (const [index, layer] of layers.entries()) {
      if (index % PROGRESS_EVERY === PROGRESS_EVERY - 1) onProgress?.();
      const page = pages[layer.pageIndex];
      if (!page) throw new SearchablePdfError(`no page ${layer.pageIndex + 1}`);
      const { ref, matrix } = await forms.form(layer.textPdf, layer.toPage);
      const name = addXObject(lib, document, page.node, ref);
      prependContent(lib, document, page.node, `q ${formatMatrix(matrix)} cm /${name} Do Q\n`);
      changedPages.add(page.ref);
    }
    if (previous) return { appended: true, bytes: incrementalUpdate(lib, document, length, previous, (ref) => ref.objectNumber >= firstNew || changedPages.has(ref)) };
    // No object streams: the file keeps working in readers of the PDF version it declares.
    return { appended: false, bytes: await document.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false }) };
  } catch (error) {
    if (error instanceof SearchablePdfError) throw error;
    throw new SearchablePdfError(`pdf-lib cannot rewrite the PDF: ${(error as Error).message}`);
  }
}

type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

/**
 * The file as pdf-lib reads it, with what the update needs of its bytes (their length, the last
 * cross-reference section). pdf-lib takes each stream's contents with the bytes' slice(): a copy
 * from a plain Uint8Array, a view into a Buffer. Handed a Buffer over the same memory, it holds
 * the file once: a 111 MB scan's graft peaked at 379 MB of the extraction process with copies.
 */
async function parse(lib: PdfLib, read: () => Promise<Uint8Array>): Promise<{ document: PDFDocument; length: number; previous: CrossReference | undefined }> {
  const given = await read();
  const bytes = Buffer.isBuffer(given) ? given : Buffer.from(given.buffer, given.byteOffset, given.byteLength);
  try {
    const document = await quietly(() => lib.PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true }));
    return { document, length: bytes.length, previous: lastCrossReference(bytes) };
  } catch (error) {
    throw new SearchablePdfError(`pdf-lib cannot read the PDF: ${(error as Error).message}`);
  }
}

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

/** The original's last cross-reference section: where it starts, whether it is a stream, and the /Size it declares. */
interface CrossReference {
  offset: number;
  isStream: boolean;
  size: number;
}

const latin1 = (bytes: Uint8Array, start: number, end: number) => Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('latin1');

/**
 * Read from the file's end, as readers do: `startxref`, its offset, and at that offset a classic
 * `xref` table (with its trailer) or an xref stream object. Undefined when any of it is missing
 * or out of place: the file is then written anew rather than updated.
 */
function lastCrossReference(bytes: Uint8Array): CrossReference | undefined {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyword = file.lastIndexOf('startxref');
  if (keyword < 0 || keyword < file.length - 1024) return undefined;
  const match = /^startxref\s+(\d+)\s+%%EOF/.exec(latin1(bytes, keyword, file.length));
  const offset = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(offset) || offset <= 0 || offset >= keyword) return undefined;
  const head = latin1(bytes, offset, Math.min(file.length, offset + 64));
  const isStream = /^\d+\s+\d+\s+obj\b/.test(head);
  if (!isStream && !head.startsWith('xref')) return undefined;
  // The /Size of that section's trailer, or of the xref stream's dictionary (before its data).
  const dictionaryAt = isStream ? offset : file.indexOf('trailer', offset);
  if (dictionaryAt < 0 || dictionaryAt > keyword) return undefined;
  const window = latin1(bytes, dictionaryAt, Math.min(keyword, dictionaryAt + 4096));
  const dictionary = isStream ? window.slice(0, Math.max(0, window.indexOf('stream'))) : window;
  const size = /\/Size\s+(\d+)/.exec(dictionary);
  return size ? { offset, isStream, size: Number(size[1]) } : undefined;
}

/**
 * The update section: each object `include` picks, as `N G obj ... endobj`, then a cross-reference
 * section of the original's kind (a table, or a stream for files whose last section is one, so
 * that readers of either kind find it) and a trailer whose /Prev is the original's section.
 */
function incrementalUpdate(lib: PdfLib, document: PDFDocument, base: number, previous: CrossReference, include: (ref: PDFRef) => boolean): Uint8Array {
  const context = document.context;
  const objects = context.enumerateIndirectObjects().filter(([ref]) => include(ref));
  const chunks: Uint8Array[] = [Buffer.from('\n')];
  let offset = base + 1;
  const offsets: [PDFRef, number][] = [];
  const write = (ref: PDFRef, object: PDFObject) => {
    offsets.push([ref, offset]);
    const buffer = new Uint8Array(object.sizeInBytes());
    object.copyBytesInto(buffer, 0);
    for (const chunk of [Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), buffer, Buffer.from('\nendobj\n\n')]) {
      chunks.push(chunk);
      offset += chunk.length;
    }
  };
  for (const [ref, object] of objects) write(ref, object);
  const trailer = (size: number) =>
    context.obj({ Size: size, Prev: previous.offset, Root: context.trailerInfo.Root, ...(context.trailerInfo.Info ? { Info: context.trailerInfo.Info } : {}), ...(context.trailerInfo.ID ? { ID: context.trailerInfo.ID } : {}) });
  const sectionOffset = offset;
  if (previous.isStream) {
    const streamRef = context.nextRef();
    const stream = lib.PDFCrossRefStream.create(trailer(streamRef.objectNumber + 1), false);
    for (const [ref, at] of offsets) stream.addUncompressedEntry(ref, at);
    stream.addUncompressedEntry(streamRef, sectionOffset);
    write(streamRef, stream);
  } else {
    const table = lib.PDFCrossRefSection.create();
    for (const [ref, at] of offsets) table.addEntry(ref, at);
    const tableBytes = new Uint8Array(table.sizeInBytes());
    table.copyBytesInto(tableBytes, 0);
    const dictionary = lib.PDFTrailerDict.of(trailer(context.largestObjectNumber + 1));
    const dictionaryBytes = new Uint8Array(dictionary.sizeInBytes());
    dictionary.copyBytesInto(dictionaryBytes, 0);
    chunks.push(tableBytes, Buffer.from('\n'), dictionaryBytes, Buffer.from('\n'));
  }
  chunks.push(Buffer.from(`startxref\n${sectionOffset}\n%%EOF\n`));
  return Buffer.concat(chunks);
}
