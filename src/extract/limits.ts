import { DoccatError } from '../errors.js';
import type { ExtractResult, ExtractWarning } from './extractor.js';

/**
 * Limits checked before anything is decoded: a small file can describe a huge one (a zip bomb,
 * a 30000x30000 TIFF in 109 KB, a PDF page tree of 100,000 pages), and decoding it first would
 * cost the memory the limit is there to protect.
 */
export function tooLarge(what: string, limit: string, setting: string): DoccatError {
  return new DoccatError('E_TOO_LARGE', `${what}, over the limit of ${limit}`, {
    hint: `raise ${setting} in the config if this really is a document you want catalogued`,
  });
}

export function formatPixels(pixels: number): string {
  return pixels >= 1e6 ? `${Math.round(pixels / 1e5) / 10} M pixels` : `${pixels} pixels`;
}

export function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

export function checkImagePixels(width: number, height: number, maxImagePixels: number, what = 'the image'): void {
  if (width * height > maxImagePixels) {
    throw tooLarge(`${what} is ${width}x${height} pixels (${formatPixels(width * height)})`, formatPixels(maxImagePixels), 'ocr.maxImagePixels');
  }
}

export function checkPageCount(pages: number, maxPages: number, what: string): void {
  if (pages > maxPages) throw tooLarge(`${what} has ${pages} pages`, `${maxPages} pages`, 'pdf.maxPages');
}

/**
 * Cuts text to at most maxBytes of UTF-8 (on a character boundary) and says so in a warning.
 * Search and classification need the words, not every byte of a 450 MB log.
 */
export function capText(result: ExtractResult, maxBytes: number): ExtractResult {
  if (result.text.length * 3 <= maxBytes || Buffer.byteLength(result.text, 'utf8') <= maxBytes) return result;
  const bytes = Buffer.from(result.text, 'utf8');
  let end = maxBytes;
  // Back up to the start of a UTF-8 sequence so no character is cut in half.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end -= 1;
  const warning: ExtractWarning = { code: 'W_TEXT_TRUNCATED', message: `the text was cut at ${formatMegabytes(maxBytes)} of ${formatMegabytes(bytes.length)} (ingest.maxTextMb)` };
  return { ...result, text: bytes.subarray(0, end).toString('utf8'), warnings: [...result.warnings, warning] };
}

/** V8 and parsers that recurse per nesting level fail with this; it is the input's shape, not a bug. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

export function nestedTooDeeply(what: string, cause: unknown): DoccatError {
  return new DoccatError('E_MALFORMED', `${what} is nested too deeply to read`, {
    hint: 'real documents nest a few dozen levels at most; this file was probably made to break parsers. Save or export it again from the program that made it',
    cause,
  });
}
