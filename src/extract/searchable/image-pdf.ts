import type { PDFDocument, PDFRef } from 'pdf-lib';
import type { ExtractInput, ExtractResult } from '../extractor.js';
import type { UprightReading } from '../ocr-pages.js';
import { imageBytes, type PageImage, type PdfImage, type Resolution } from './images.js';
import { chain, formatMatrix, formatNumber, scale, unturn } from './matrix.js';
import { NO_SEARCHABLE_PDF, writeSearchablePdf } from './output.js';
import { contentId, declarePdfA2b, setFileId } from './pdfa.js';
import { loadPdfLib, TextLayerForms } from './text-layer.js';

type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

/** When a file does not say, a scan is taken to be 300 dpi (what scanners default to). */
export const DEFAULT_RESOLUTION: Resolution = { x: 300, y: 300 };
/** The largest page side PDF readers accept (200 inches; PDF/A's limit too). */
const MAX_PAGE_POINTS = 14_400;

interface PendingPage {
  image: PageImage['image'];
  resolution: Resolution;
  /** Clockwise, as the file says the image is to be shown (EXIF or TIFF orientation). */
  rotate: 0 | 90 | 180 | 270;
  reading?: UprightReading;
}

/**
 * A searchable PDF made of images (PNG, JPEG, TIFF pages...): each image on its own page, the
 * size the image is at its resolution, with the OCR's invisible words over it, and /Rotate when
 * the file says to show it turned (EXIF orientation). A page read best turned is not shown
 * turned: tesseract reads some sideways text as it is, so the turn that read best is not always
 * the one that makes the page upright. Pages are collected as the extractor decodes
 * them (each already compressed, so the decoded pixels can go) and written at the end. Best
 * effort: a page that cannot be added leaves the document without a searchable PDF and a warning.
 */
export class SearchableImagePdf {
  private readonly pages = new Map<number, PendingPage>();
  private bytes = 0;
  private problem: string | undefined;

  private constructor(private readonly input: ExtractInput) {}

  /** undefined when the input asks for no searchable PDF. */
  static for(input: ExtractInput): SearchableImagePdf | undefined {
    return input.searchablePdfPath === undefined ? undefined : new SearchableImagePdf(input);
  }

  /**
   * Adds page `index`'s image. `make` says why not with a string, or throws (a decoder's error):
   * either way the PDF is given up, never the extraction.
   */
  async addImage(index: number, make: () => Promise<PageImage | string>): Promise<void> {
    if (this.problem !== undefined) return;
    try {
      const made = await make();
      if (typeof made === 'string') {
        this.problem = made;
        return;
      }
      this.bytes += imageBytes(made.image);
      const limit = this.input.options.searchablePdfMaxBytes;
      if (limit !== undefined && this.bytes > limit) {
        this.giveUp(`the page images add up to more than the ${(limit / 1024 / 1024).toFixed(1)} MB allowed (a quarter of ingest.maxMemoryMb)`);
        return;
      }
      this.pages.set(index, { image: made.image, resolution: made.resolution ?? DEFAULT_RESOLUTION, rotate: made.rotate ?? 0 });
    } catch (error) {
      this.giveUp(error instanceof Error ? error.message : String(error));
    }
  }

  /** The page's OCR reading: its text layer and how it was turned. */
  addReading(index: number, reading: UprightReading): void {
    const page = this.pages.get(index);
    if (page) page.reading = reading;
  }

  giveUp(reason: string): void {
    this.problem ??= reason;
    this.pages.clear();
  }

  /** Writes the PDF where the input asked, or adds the warning saying why there is none. */
  async finish(result: ExtractResult): Promise<void> {
    if (this.problem !== undefined) {
      result.warnings.push({ code: NO_SEARCHABLE_PDF, message: `no searchable PDF: ${this.problem}` });
      return;
    }
    const indices = [...this.pages.keys()].sort((a, b) => a - b);
    const textPages = indices.filter((index) => hasTextLayer(this.pages.get(index)?.reading)).length;
    // Nothing read on any page: there would be nothing to search.
    if (textPages === 0 || indices.length !== result.pages || this.input.signal.aborted) return;
    await writeSearchablePdf(this.input, result, 0, textPages, () => this.build(indices, result.metadata.title));
  }

  private async build(indices: number[], title: string | undefined): Promise<{ bytes: Uint8Array; pdfa: boolean }> {
    const lib = await loadPdfLib();
    const document = await lib.PDFDocument.create({ updateMetadata: false });
    const forms = new TextLayerForms(lib, document);
    let deviceColoursOnly = true;
    const fileId = contentId(indices.flatMap((index) => {
      const page = this.pages.get(index) as PendingPage;
      return [page.image.data, page.reading?.textPdf ?? new Uint8Array(0)];
    }));
    for (const index of indices) {
      if (index % 20 === 19) this.input.onProgress?.();
      const page = this.pages.get(index) as PendingPage;
      if (page.image.colorSpace === 'DeviceCMYK') deviceColoursOnly = false;
      await addPage(lib, document, forms, page);
    }
    this.pages.clear();
    // CMYK images would need a CMYK output intent, and a file has one: such a PDF is not declared PDF/A.
    if (deviceColoursOnly) declarePdfA2b(lib, document, fileId, title);
    else setFileId(lib, document, fileId);
    return { bytes: await document.save({ useObjectStreams: true, addDefaultPage: false }), pdfa: deviceColoursOnly };
  }
}

async function addPage(lib: PdfLib, document: PDFDocument, forms: TextLayerForms, page: PendingPage): Promise<void> {
  const { image, resolution, reading, rotate } = page;
  // A very large image at a low resolution would make a page over the readers' limit: it gets a finer one.
  const floor = (Math.max(image.width, image.height) * 72) / MAX_PAGE_POINTS;
  const width = (image.width * 72) / Math.max(resolution.x, floor);
  const height = (image.height * 72) / Math.max(resolution.y, floor);
  const pdfPage = document.addPage([width, height]);
  const context = document.context;
  pdfPage.node.setXObject(lib.PDFName.of('Im0'), imageObject(lib, document, image));
  // The text goes under the image, as tesseract's own PDFs have it: invisible either way, and
  // selecting it works the same.
  let operators = '';
  const turned = reading?.turned ?? 0;
  if (reading?.textPdf && hasTextLayer(reading)) {
    const { ref, matrix } = await forms.form(reading.textPdf, chain(unturn(turned), scale(width, height)));
    pdfPage.node.setXObject(lib.PDFName.of('OCR0'), ref);
    operators += `q ${formatMatrix(matrix)} cm /OCR0 Do Q\n`;
  }
  operators += `q ${formatNumber(width)} 0 0 ${formatNumber(height)} 0 0 cm /Im0 Do Q\n`;
  pdfPage.node.set(lib.PDFName.of('Contents'), context.register(context.flateStream(operators)));
  if (rotate !== 0) pdfPage.node.set(lib.PDFName.of('Rotate'), lib.PDFNumber.of(rotate));
}

function hasTextLayer(reading: UprightReading | undefined): reading is UprightReading & { textPdf: Uint8Array } {
  return reading?.textPdf !== undefined && /[\p{L}\p{N}]/u.test(reading.text);
}

function imageObject(lib: PdfLib, document: PDFDocument, image: PdfImage): PDFRef {
  const context = document.context;
  const colorSpace =
    typeof image.colorSpace === 'string'
      ? image.colorSpace
      : context.obj([lib.PDFName.of('Indexed'), lib.PDFName.of('DeviceRGB'), image.colorSpace.entries - 1, lib.PDFHexString.of(Buffer.from(image.colorSpace.indexed.subarray(0, image.colorSpace.entries * 3)).toString('hex'))]);
  const softMask = image.softMask
    ? context.register(context.stream(image.softMask, { Type: 'XObject', Subtype: 'Image', Width: image.width, Height: image.height, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Filter: 'FlateDecode' }))
    : undefined;
  const stream = context.stream(image.data, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: image.width,
    Height: image.height,
    ColorSpace: colorSpace,
    BitsPerComponent: image.bitsPerComponent,
    Filter: image.filter,
    ...(image.decodeParms ? { DecodeParms: image.decodeParms } : {}),
    ...(image.decode ? { Decode: image.decode } : {}),
    ...(softMask ? { SMask: softMask } : {}),
  });
  return context.register(stream);
}
