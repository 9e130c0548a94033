import fsp from 'node:fs/promises';
import type { Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { decodeText, normalizeWhitespace } from '../decode-text.js';

/** Plain text, Markdown, CSV/TSV and JSON: decoded, whitespace-tidied, otherwise kept as written. */
export const extractText: Extractor = async (input) => {
  const bytes = await fsp.readFile(input.path);
  return textResult(normalizeWhitespace(decodeText(bytes)));
};
