import fsp from 'node:fs/promises';
import type { Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { decodeText, normalizeWhitespace } from '../decode-text.js';

/** Declared charset from <meta charset> or http-equiv, read from the ASCII-compatible head. */
export function declaredHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head);
  return match?.[1];
}

export async function htmlToPlainText(html: string): Promise<{ text: string; title?: string }> {
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
