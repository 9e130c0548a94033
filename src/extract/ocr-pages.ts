import type { ExtractInput, ExtractResult } from './extractor.js';
import type { OcrPageResult } from './ocr/pool.js';
import { rotateRaster, type Raster } from './raster.js';
import { normalizeWhitespace } from './decode-text.js';

/**
 * OCRs a sequence of page rasters one at a time (bounded memory) and builds the result;
 * `onRead` gets each page's reading (with its text layer when the input asks for one).
 */
export async function ocrRasters(input: ExtractInput, pages: AsyncIterable<{ raster: Raster; dpi?: number }>, onRead?: (pageIndex: number, reading: UprightReading) => void): Promise<ExtractResult> {
  const texts: string[] = [];
  const confidences: number[] = [];
  for await (const { raster, dpi } of pages) {
    if (input.signal.aborted) break;
    const result = await recognizeUpright(input, raster, dpi ? dpi * raster.scale : undefined);
    onRead?.(texts.length, result);
    texts.push(normalizeWhitespace(result.text));
    confidences.push(result.confidence);
    input.onPage?.({ ocr: true });
  }
  return {
    text: texts.join('\n\f\n'),
    pages: texts.length,
    method: 'ocr',
    ocrConfidence: mean(confidences),
    ocrPages: texts.length,
    metadata: {},
    warnings: [],
  };
}

/** Below this mean word confidence a page may be lying on its side or upside down. */
const UPRIGHT_CONFIDENCE = 60;

/**
 * Reads a page and, when tesseract is unsure, reads it again turned by 180, 90 and 270 degrees
 * and keeps the most confident reading. Scanners feed pages in every orientation, and the
 * orientation detector (OSD) needs legacy model data that is not shipped offline.
 */
export async function recognizeUpright(input: ExtractInput, raster: Raster, dpi: number | undefined): Promise<UprightReading> {
  const options = { ...(dpi ? { dpi } : {}), ...(input.searchablePdfPath === undefined ? {} : { textPdf: true }), signal: input.signal };
  let best: UprightReading = { ...(await input.ocr().recognize(raster.image, options)), turned: 0 };
  if (best.confidence >= UPRIGHT_CONFIDENCE || !raster.gray) return best;
  for (const degrees of [180, 90, 270] as const) {
    const turned = await input.ocr().recognize(rotateRaster(raster, degrees).image, options);
    if (turned.confidence > best.confidence) best = { ...turned, turned: degrees };
    if (best.confidence >= UPRIGHT_CONFIDENCE + 20) break;
  }
  return best;
}

/** A page's reading, and how far (clockwise) the image was turned for the reading kept. */
export interface UprightReading extends OcrPageResult {
  turned: 0 | 90 | 180 | 270;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 10) / 10;
}
