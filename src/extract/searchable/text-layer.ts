import { createHash } from 'node:crypto';
import type { PDFContext, PDFDict, PDFDocument, PDFObject, PDFRef } from 'pdf-lib';
import { chain, formatMatrix, rotateAround, scale, translate, type Matrix } from './matrix.js';

/**
 * The OCR engine's text-only page (tesseract's PDF renderer with textonly_pdf: invisible words in
 * a glyphless font, the page the size of the image at its dpi) and what is done with it: turned
 * to undo a deskew, and carried into another document as a form XObject.
 */

type PdfLib = typeof import('pdf-lib');
let pdfLibModule: Promise<PdfLib> | undefined;

/** pdf-lib is loaded on first use: runs without scans never need it. */
export function loadPdfLib(): Promise<PdfLib> {
  pdfLibModule ??= import('pdf-lib');
  return pdfLibModule;
}

export interface TextPage {
  /** The page's content, decoded and joined. */
  content: Uint8Array;
  resources: PDFDict | undefined;
  /** The page's MediaBox [x0 y0 x1 y1]. */
  box: [number, number, number, number];
  context: PDFContext;
}

export async function readTextPage(bytes: Uint8Array): Promise<TextPage> {
  const lib = await loadPdfLib();
  const document = await lib.PDFDocument.load(bytes, { updateMetadata: false });
  const page = document.getPage(0).node;
  const box = page.MediaBox().asArray().map((value) => (value instanceof lib.PDFNumber ? value.asNumber() : Number.NaN));
  if (box.length !== 4 || box.some((value) => !Number.isFinite(value))) throw new Error('the text page has no usable MediaBox');
  return { content: pageContent(lib, document.context, page.get(lib.PDFName.of('Contents'))), resources: page.Resources(), box: box as [number, number, number, number], context: document.context };
}

function pageContent(lib: PdfLib, context: PDFContext, contents: PDFObject | undefined): Uint8Array {
  const resolved = contents === undefined ? undefined : context.lookup(contents);
  const streams = resolved instanceof lib.PDFArray ? resolved.asArray().map((item) => context.lookup(item)) : resolved === undefined ? [] : [resolved];
  const parts: Uint8Array[] = [];
  for (const stream of streams) {
    if (stream instanceof lib.PDFRawStream) parts.push(lib.decodePDFRawStream(stream).decode());
    else if (stream instanceof lib.PDFContentStream) parts.push(stream.getUnencodedContents());
    else continue;
    parts.push(new Uint8Array([0x0a]));
  }
  return Buffer.concat(parts);
}

/**
 * The same text page with its words turned by `radians` (counter-clockwise) around the page's
 * centre. tesseract.js deskews a page (rotateAuto) before reading it, so its words are placed on
 * the straightened image; turning them back puts them on the image the caller gave.
 */
export async function rotateTextPdf(bytes: Uint8Array, radians: number): Promise<Uint8Array> {
  const lib = await loadPdfLib();
  const document = await lib.PDFDocument.load(bytes, { updateMetadata: false });
  const page = document.getPage(0).node;
  const { width, height, x, y } = document.getPage(0).getMediaBox();
  const turn = rotateAround(radians, x + width / 2, y + height / 2);
  const content = pageContent(lib, document.context, page.get(lib.PDFName.of('Contents')));
  const wrapped = Buffer.concat([Buffer.from(`q ${formatMatrix(turn)} cm\n`, 'latin1'), content, Buffer.from('\nQ\n', 'latin1')]);
  page.set(lib.PDFName.of('Contents'), document.context.register(document.context.flateStream(wrapped)));
  return document.save({ useObjectStreams: false, addDefaultPage: false });
}

/**
 * Brings text pages into one document as form XObjects. Every page of tesseract's output carries
 * the same glyphless font; it is copied once per distinct font (by content), not once per page.
 */
export class TextLayerForms {
  private readonly copiedFonts = new Map<string, PDFRef>();

  constructor(
    private readonly lib: PdfLib,
    private readonly target: PDFDocument,
  ) {}

  /**
   * The text page as a form XObject, and the transform that lays it over a region: `toRegion`
   * maps the unit square (y up) onto that region in the target page's user space.
   */
  async form(textPdf: Uint8Array, toRegion: Matrix): Promise<{ ref: PDFRef; matrix: Matrix }> {
    const { lib, target } = this;
    const page = await readTextPage(textPdf);
    const [x0, y0, x1, y1] = page.box;
    const resources = target.context.obj({});
    const fonts = page.resources?.lookupMaybe(lib.PDFName.of('Font'), lib.PDFDict);
    if (fonts) {
      const copied = target.context.obj({});
      for (const [name, font] of fonts.entries()) copied.set(name, this.copyFont(page.context, font));
      resources.set(lib.PDFName.of('Font'), copied);
    }
    const form = target.context.flateStream(page.content, {
      Type: 'XObject',
      Subtype: 'Form',
      FormType: 1,
      BBox: [x0, y0, x1, y1],
      Resources: resources,
    });
    const matrix = chain(translate(-x0, -y0), scale(1 / (x1 - x0), 1 / (y1 - y0)), toRegion);
    return { ref: target.context.register(form), matrix };
  }

  private copyFont(source: PDFContext, font: PDFObject): PDFRef {
    const key = fingerprint(this.lib, source, font);
    let ref = this.copiedFonts.get(key);
    if (!ref) {
      const copy = this.lib.PDFObjectCopier.for(source, this.target.context).copy(source.lookup(font) as PDFObject);
      ref = this.target.context.register(copy);
      this.copiedFonts.set(key, ref);
    }
    return ref;
  }
}

/** A hash of an object and everything it refers to, streams by their bytes. */
function fingerprint(lib: PdfLib, context: PDFContext, object: PDFObject): string {
  const hash = createHash('sha256');
  const seen = new Set<PDFObject>();
  const visit = (value: PDFObject | undefined): void => {
    const resolved = value instanceof lib.PDFRef ? context.lookup(value) : value;
    if (resolved === undefined) {
      hash.update('undefined;');
      return;
    }
    if (seen.has(resolved)) {
      hash.update('seen;');
      return;
    }
    seen.add(resolved);
    if (resolved instanceof lib.PDFDict) {
      hash.update('<<');
      for (const [key, entry] of resolved.entries().sort(([a], [b]) => a.asString().localeCompare(b.asString()))) {
        hash.update(key.asString());
        visit(entry);
      }
      hash.update('>>');
    } else if (resolved instanceof lib.PDFArray) {
      hash.update('[');
      for (const entry of resolved.asArray()) visit(entry);
      hash.update(']');
    } else if (resolved instanceof lib.PDFStream) {
      visit(resolved.dict);
      hash.update('stream');
      hash.update(resolved.getContents());
    } else {
      hash.update(`${resolved.toString()};`);
    }
  };
  visit(object);
  return hash.digest('hex');
}
