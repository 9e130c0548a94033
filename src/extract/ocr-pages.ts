import type { ExtractInput, ExtractResult } from './extractor.js';
import type { OcrEngine, OcrPageResult } from './ocr/engine.js';
import { cropRaster, rotateRaster, scaleRaster, type Raster } from './raster.js';
import { normalizeWhitespace } from './decode-text.js';
import { lineDirection, straighten } from './deskew.js';
import { rotateTextPdf } from './searchable/text-layer.js';

/**
 * Pages of one document in flight to the OCR engine at once. Pages are decoded one after
 * another here (in the extraction process) and read in parallel by the engine (in doccat's
 * process), so a 40-page scan keeps every OCR slot busy instead of one. At most `parallelPages`
 * pages wait for OCR while the next one is decoded: the memory a document holds is bounded by
 * that many pages of at most ocr.maxPagePixels, however long the document is.
 */
export class PageReader<T> {
  private readonly pending: Promise<void>[] = [];
  private readonly results: (T | undefined)[] = [];
  private readonly failures: { page: number; error: unknown }[] = [];
  private inFlight = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly parallelPages: number) {}

  /** Starts reading page `index` (0-based); its result lands in that slot, whatever order pages finish in. */
  read(index: number, work: () => Promise<T>): void {
    this.inFlight += 1;
    this.pending.push(
      work().then(
        (result) => {
          this.results[index] = result;
        },
        (error: unknown) => {
          this.failures.push({ page: index, error });
        },
      ).finally(() => {
        this.inFlight -= 1;
        this.wake?.();
      }),
    );
  }

  /** Resolves once another page may be decoded: fewer than parallelPages pages are being read. */
  async room(): Promise<void> {
    while (this.inFlight >= Math.max(1, this.parallelPages) && this.failures.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Whether a page already failed: the caller stops decoding more. */
  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** Every page's result in page order; throws the error of the first page (in page order) that failed. */
  async done(): Promise<(T | undefined)[]> {
    await Promise.all(this.pending);
    const first = this.failures.sort((a, b) => a.page - b.page)[0];
    if (first) throw first.error;
    return this.results;
  }
}

/** Pages of one document read at once: one per OCR slot, and one more being decoded meanwhile. */
export function parallelPages(input: ExtractInput): number {
  return Math.max(1, input.options.ocrParallelPages ?? 1) + 1;
}

/**
 * OCRs a sequence of page rasters, several at a time (bounded memory), and builds the result;
 * `onRead` gets each page's reading (with its text layer when the input asks for one) as it
 * finishes, with its index in page order (pages may finish in any order).
 */
export async function ocrRasters(input: ExtractInput, pages: AsyncIterable<{ raster: Raster; dpi?: number }>, onRead?: (pageIndex: number, reading: UprightReading) => void): Promise<ExtractResult> {
  const reader = new PageReader<UprightPage>(parallelPages(input));
  let count = 0;
  for await (const { raster, dpi } of pages) {
    if (input.signal.aborted || reader.failed) break;
    const index = count;
    reader.read(index, async () => {
      const result = await recognizeUpright(input, raster, dpi ? dpi * raster.scale : undefined);
      onRead?.(index, result);
      input.onPage?.({ ocr: true });
      return result;
    });
    count += 1;
    await reader.room();
  }
  const results = (await reader.done()) as UprightPage[];
  const texts = results.map((result) => normalizeWhitespace(result.text));
  return {
    text: texts.join('\n\f\n'),
    pages: texts.length,
    method: 'ocr',
    ocrConfidence: mean(results.map((result) => result.confidence)),
    ocrPages: texts.length,
    metadata: {},
    warnings: [],
  };
}

/** Below this mean word confidence a page may be lying on its side or upside down. */
const UPRIGHT_CONFIDENCE = 60;
/** OSD saying "upright" this sure (its own scale) is believed; less sure, the probe decides. */
const OSD_TRUSTED_CONFIDENCE = 2;

/**
 * A page's reading, with how the page was turned to read it. Word boxes are in the image read
 * (turned, then deskewed); the text-only PDF is turned back by the deskew, so that it lies on the
 * page turned by `turned` only (the searchable PDF undoes that turn with unturn()).
 */
export interface UprightPage extends OcrPageResult {
  /** Quarter turns clockwise applied before reading. */
  turned: 0 | 90 | 180 | 270;
  /** Then turned back by this skew (degrees, clockwise positive; 0 when level). */
  deskewed: number;
}

/** The name the searchable PDF code knows a page's reading by. */
export type UprightReading = UprightPage;

type Degrees = 0 | 90 | 180 | 270;

/**
 * Reads a page straightened of small skews and, when tesseract is unsure of it, checks its
 * orientation once: tesseract's OSD where the engine has it, otherwise a probe on a downscaled
 * part of the page. Only a page found to be turned is read a second time, the right way up; the
 * more confident reading is kept. A page whose lines run up and down (on its side) is checked
 * before its first reading, which would only be garbage. (Before, every unsure page was read
 * again turned by 180, 90 and 270 degrees: up to four full readings of a faint upright page.)
 */
export async function recognizeUpright(input: ExtractInput, raster: Raster, dpi: number | undefined): Promise<UprightPage> {
  const page = await readUpright(input, raster, dpi);
  if (!page.textPdf || page.deskewed === 0) return page;
  // The words sit on the straightened image; the page that was given (turned by page.turned) is
  // the straightened one turned back, counter-clockwise by the skew: PDF's y points up, so a turn
  // back clockwise by `deskewed` degrees on screen is a negative angle there.
  return { ...page, textPdf: await rotateTextPdf(page.textPdf, (-page.deskewed * Math.PI) / 180) };
}

async function readUpright(input: ExtractInput, raster: Raster, dpi: number | undefined): Promise<UprightPage> {
  const engine = input.ocr();
  // Only full readings ask for the text-only PDF; the orientation probe never does.
  const options = { ...(dpi ? { dpi } : {}), ...(input.searchablePdfPath === undefined ? {} : { textPdf: true }), signal: input.signal };
  const read = async (page: Raster, turned: Degrees, deskewed: number): Promise<UprightPage> => ({ ...(await engine.recognize(page.image, options)), turned, deskewed });
  const level = straighten(raster);
  if (!raster.gray) return read(level.raster, 0, level.degrees);
  const direction = lineDirection(level.raster);
  let upright: UprightPage | undefined;
  if (direction !== 'vertical') {
    upright = await read(level.raster, 0, level.degrees);
    if (upright.confidence >= UPRIGHT_CONFIDENCE) return upright;
  }
  const candidates: readonly Degrees[] = direction === 'vertical' ? [0, 90, 270] : direction === 'horizontal' ? [0, 180] : [0, 90, 180, 270];
  const degrees = await orientationOf(engine, level.raster, dpi, input.signal, candidates);
  if (degrees === 0) return upright ?? (await read(level.raster, 0, level.degrees));
  const straightened = straighten(rotateRaster(raster, degrees));
  const turned = await read(straightened.raster, degrees, straightened.degrees);
  if (upright) return turned.confidence > upright.confidence ? turned : upright;
  if (turned.confidence >= UPRIGHT_CONFIDENCE) return turned;
  // What looked like lines running up and down may have been a table's rules: try the page as it came.
  const asItCame = await read(level.raster, 0, level.degrees);
  return turned.confidence > asItCame.confidence ? turned : asItCame;
}

async function orientationOf(engine: OcrEngine, raster: Raster, dpi: number | undefined, signal: AbortSignal, candidates: readonly Degrees[]): Promise<Degrees> {
  const osd = engine.detectOrientation ? await engine.detectOrientation(raster.image, dpi ? { dpi, signal } : { signal }) : null;
  // A turned page is read again either way (and kept only if it reads better), so OSD's "turned" is
  // cheap to follow; its "upright" ends the matter, and should be sure.
  if (osd && (osd.degrees !== 0 || osd.confidence >= OSD_TRUSTED_CONFIDENCE)) return osd.degrees;
  return probeOrientation(engine, raster, dpi, signal, candidates);
}

/** The probe reads text about this size: 150 dpi still reads, at a quarter of the pixels of 300. */
const PROBE_DPI = 150;
/** The middle of the page, where the text is; margins, letterheads and footers are left out. */
const PROBE_CROP = 0.7;

/**
 * Orientation without OSD: the middle of the page at half resolution (an eighth of the pixels)
 * read each way round that the lines allow (two, when they are known to run across or up and
 * down); the way that reads most confidently wins. Each reading costs about an eighth of a full one.
 */
export async function probeOrientation(engine: OcrEngine, raster: Raster, dpi: number | undefined, signal: AbortSignal, candidates: readonly Degrees[] = [0, 90, 180, 270]): Promise<Degrees> {
  const scale = Math.min(1, PROBE_DPI / (dpi ?? 300));
  const small = cropRaster(scaleRaster(raster, scale), PROBE_CROP);
  const probeDpi = dpi ? dpi * scale : undefined;
  const options = probeDpi ? { dpi: probeDpi, signal } : { signal };
  let best: { degrees: Degrees; score: number } = { degrees: candidates[0] ?? 0, score: -1 };
  for (const degrees of candidates) {
    const image = degrees === 0 ? small : rotateRaster(small, degrees);
    const result = await engine.recognize(image.image, options);
    const score = readingScore(result);
    if (score > best.score) best = { degrees, score };
  }
  return best.degrees;
}

/**
 * How well a reading went: confident words of some length. The mean confidence alone rewards a
 * reading that found two lucky words in noise.
 */
export function readingScore(result: OcrPageResult): number {
  if (!result.words) return result.confidence;
  return result.words.reduce((sum, word) => sum + (/[\p{L}\p{N}]{3,}/u.test(word.text) ? Math.max(0, word.confidence - 50) : 0), 0);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 10) / 10;
}
