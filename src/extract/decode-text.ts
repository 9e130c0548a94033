import { analyse } from 'chardet';

/**
 * Turns bytes of unknown encoding into a string: BOMs for UTF-8/16/32, then strict UTF-8, then
 * the legacy encoding chardet finds most likely (windows-1251, KOI8-R, Shift_JIS, ISO-8859-2 ...),
 * else windows-1252 (a superset of ISO-8859-1 for printable text).
 */
export function decodeText(bytes: Uint8Array, declaredCharset?: string): string {
  const bom = detectBom(bytes);
  if (bom) return decodeWith(bom.encoding, bytes.subarray(bom.length));
  if (declaredCharset) {
    // As browsers do (WHATWG Encoding), these labels all mean windows-1252.
    if (/^(windows-1252|cp1252|x-cp1252|iso-8859-1|iso8859-1|latin-?1|l1|us-ascii|ascii)$/i.test(declaredCharset.trim())) return decodeWindows1252(bytes);
    try {
      return new TextDecoder(declaredCharset.toLowerCase(), { fatal: false }).decode(bytes);
    } catch {
      // Unknown label: fall through to detection.
    }
  }
  const utf16 = guessUtf16WithoutBom(bytes);
  if (utf16) return decodeWith(utf16, bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeLegacy(bytes);
  }
}

/** Below this chardet confidence (0-100) a guess is no better than windows-1252. */
const MIN_CHARSET_CONFIDENCE = 20;

function decodeLegacy(bytes: Uint8Array): string {
  for (const candidate of analyse(bytes.subarray(0, 64 * 1024))) {
    if (candidate.confidence < MIN_CHARSET_CONFIDENCE) break;
    const name = candidate.name.toLowerCase();
    // Strict UTF-8 has failed already, and UTF-16/32 without a BOM were ruled out above.
    if (name.startsWith('utf') || name === 'ascii') continue;
    if (name === 'iso-8859-1' || name === 'windows-1252') return decodeWindows1252(bytes);
    try {
      return new TextDecoder(name, { fatal: true }).decode(bytes);
    } catch {
      // Not an encoding this runtime has, or the bytes are not valid in it: the next guess.
    }
  }
  return decodeWindows1252(bytes);
}

/** 0x80-0x9F of windows-1252; Node's TextDecoder treats the label as plain ISO-8859-1. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes).replace(/[\u0080-\u009f]/g, (char) => CP1252_HIGH[char.charCodeAt(0) - 0x80] as string);
}

/** True when the bytes look like text in some encoding we can decode (no binary control bytes). */
export function looksLikeText(sample: Uint8Array): boolean {
  if (sample.length === 0) return true;
  if (detectBom(sample) || guessUtf16WithoutBom(sample)) return true;
  let suspicious = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    // Tab, newline, form feed, carriage return and escape occur in text; other controls do not.
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) suspicious += 1;
  }
  return suspicious / sample.length < 0.01;
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

export function detectBom(bytes: Uint8Array): { encoding: Encoding; length: number } | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return { encoding: 'utf-32le', length: 4 };
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/** ASCII text in UTF-16 without a BOM has a zero in every other byte. */
function guessUtf16WithoutBom(bytes: Uint8Array): Encoding | undefined {
  const length = Math.min(bytes.length, 512) & ~1;
  if (length < 8) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < length; index += 2) {
    if (bytes[index] === 0) evenZeros += 1;
    if (bytes[index + 1] === 0) oddZeros += 1;
  }
  const pairs = length / 2;
  if (oddZeros / pairs > 0.7 && evenZeros / pairs < 0.1) return 'utf-16le';
  if (evenZeros / pairs > 0.7 && oddZeros / pairs < 0.1) return 'utf-16be';
  return undefined;
}

function decodeWith(encoding: Encoding, bytes: Uint8Array): string {
  if (encoding === 'utf-32le' || encoding === 'utf-32be') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const codePoints: string[] = [];
    for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
      const codePoint = view.getUint32(offset, encoding === 'utf-32le');
      codePoints.push(codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\uFFFD');
    }
    return codePoints.join('');
  }
  return new TextDecoder(encoding).decode(bytes);
}

/** Collapses runs of blank lines and trailing spaces so stored text is compact but keeps lines. */
export function normalizeWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
