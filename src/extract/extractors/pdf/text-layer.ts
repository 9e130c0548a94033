import { normalizeWhitespace } from '../../decode-text.js';
import type { PositionedText } from '../../layout-text.js';
import { multiply, type PdfPage } from './pdfjs.js';

/** A page's own text, and the pieces of it that read left to right with their positions (for layoutText). */
export async function readTextLayer(page: PdfPage): Promise<{ text: string; items: PositionedText[] }> {
  const content = await page.getTextContent();
  // Positions as the page is shown (its /Rotate and crop box applied), y turned back upwards.
  const view = page.getViewport({ scale: 1 }).transform as number[];
  const items: PositionedText[] = [];
  let text = '';
  for (const item of content.items) {
    if (!('str' in item)) continue;
    text += item.str;
    if (item.hasEOL) text += '\n';
    else if (item.str.length > 0 && !text.endsWith(' ')) text += ' ';
    const [a, b, c, d, e, f] = multiply(view, item.transform as number[]) as [number, number, number, number, number, number];
    // Only text that reads left to right on the shown page; turned text (margins, stamps) is left out.
    if (a > 0 && Math.abs(b) < 0.05 * a && Math.abs(c) < 0.05 * Math.abs(d)) items.push({ str: item.str, x: e, y: -f, width: item.width, height: Math.abs(d) });
  }
  return { text: normalizeWhitespace(text.replace(/ +/g, ' ')), items };
}

/**
 * A text layer is usable when it has enough characters and most of them are letters or digits;
 * fonts without a Unicode map yield control or private-use characters instead.
 */
export function isUsableText(text: string, minChars: number): boolean {
  const visible = text.replace(/\s+/g, '');
  if (visible.length < Math.max(1, minChars)) return false;
  const good = visible.match(/[\p{L}\p{N}\p{P}\p{S}]/gu)?.length ?? 0;
  const bad = visible.match(/[\p{Cc}\p{Co}\p{Cs}\uFFFD]/gu)?.length ?? 0;
  return bad / visible.length < 0.1 && good / visible.length > 0.8;
}
