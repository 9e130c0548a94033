import type { ExtractInput, ExtractResult } from './extractor.js';
import type { Raster } from './raster.js';
import { normalizeWhitespace } from './decode-text.js';

/** OCRs a sequence of page rasters one at a time (bounded memory) and builds the result. */
export async function ocrRasters(input: ExtractInput, pages: AsyncIterable<{ raster: Raster; dpi?: number }>): Promise<ExtractResult> {
  const texts: string[] = [];
  const confidences: number[] = [];
  for await (const { raster, dpi } of pages) {
    if (input.signal.aborted) break;
    const result = await input.ocr().recognize(raster.image, dpi ? { dpi: dpi * raster.scale, signal: input.signal } : { signal: input.signal });
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

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 10) / 10;
}
