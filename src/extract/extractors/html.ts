import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';
import type { Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { decodeText, normalizeWhitespace } from '../decode-text.js';

/** Declared charset from <meta charset> or http-equiv, read from the ASCII-compatible head. */
export function declaredHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head);
  return match?.[1];
}

/** Real pages nest a few dozen elements deep; browsers give up on the tree far sooner than this. */
export const MAX_HTML_DEPTH = 1024;

/** Elements that have no end tag, or whose end tag the parser implies: they add no depth. */
const FLAT_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'rb', 'rt', 'rp']);

/**
 * How deep the elements nest, counted from the tags alone (a cheap scan, no tree). The parser
 * behind html-to-text slows down with the square of the depth (100,000 nested divs: minutes) and
 * the converter recurses per level, so a page like that is refused before it is parsed.
 */
export function htmlNestingDepth(html: string, stopAt = Number.POSITIVE_INFINITY): number {
  const tag = /<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let deepest = 0;
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    const name = (match[2] as string).toLowerCase();
    if (FLAT_ELEMENTS.has(name) || match[3]) continue;
    if (match[1]) depth = Math.max(0, depth - 1);
    else if (++depth > deepest) {
      deepest = depth;
      if (deepest > stopAt) break;
    }
  }
  return deepest;
}

export async function htmlToPlainText(html: string): Promise<{ text: string; title?: string }> {
  if (htmlNestingDepth(html, MAX_HTML_DEPTH) > MAX_HTML_DEPTH) {
    throw new DoccatError('E_MALFORMED', `the HTML nests elements more than ${MAX_HTML_DEPTH} levels deep`, {
      hint: 'real pages nest a few dozen levels at most; this file was probably made to break parsers. Save it again from a browser (or print it to PDF)',
    });
  }
  const { convert } = await import('html-to-text');
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
    ],
  });
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
  return title ? { text: normalizeWhitespace(text), title } : { text: normalizeWhitespace(text) };
}

export const extractHtml: Extractor = async (input) => {
  const bytes = await fsp.readFile(input.path);
  const { text, title } = await htmlToPlainText(decodeText(bytes, declaredHtmlCharset(bytes)));
  return textResult(text, title ? { title } : {});
};
