import fsp from 'node:fs/promises';
import type { Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { decodeText, normalizeWhitespace } from '../decode-text.js';
import { formatMegabytes } from '../limits.js';

/**
 * Plain text, Markdown, CSV/TSV and JSON: decoded, whitespace-tidied, otherwise kept as written.
 * Only the first ingest.maxTextMb are read: a 450 MB one-line log must not be held in memory
 * (several times over, as bytes, as a string, tidied) to store text nobody will search through.
 */
export const extractText: Extractor = async (input) => {
  const limit = input.options.maxTextBytes;
  const handle = await fsp.open(input.path, 'r');
  let bytes: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    // One byte more than the limit tells whether anything was left out.
    const buffer = Buffer.alloc(Math.min(size, limit + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    bytes = buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
  if (bytes.length <= limit) return textResult(normalizeWhitespace(decodeText(bytes)));
  // Cut on a character boundary: whole UTF-16/32 units, and never inside a UTF-8 sequence.
  let end = limit - (limit % 4);
  for (let back = 0; back < 3 && end > 0 && ((bytes[end] as number) & 0xc0) === 0x80; back += 1) end -= 1;
  const result = textResult(normalizeWhitespace(decodeText(bytes.subarray(0, end))));
  result.warnings.push({ code: 'W_TEXT_TRUNCATED', message: `only the first ${formatMegabytes(limit)} of ${formatMegabytes(size)} were read (ingest.maxTextMb)` });
  return result;
};
