/**
 * A page's text as it is laid out, not as its content stream lists it: pdf.js gives text items in
 * the order they were drawn, which on many invoices puts a row of labels before the row of their
 * values, or a whole column before another. Here items are put back on the lines they sit on
 * (by baseline), left to right, each starting near the character column of its position, like
 * `pdftotext -layout`. Items far apart on a line are separated by at least two spaces, so that a
 * reader can tell cells apart; a label's value is then the cell beside it or the cell below it in
 * the same columns. The plain text stays as it was (search, snippets): this is an extra view.
 */

export interface PositionedText {
  str: string;
  /** Left edge and baseline in the page's user space (points, y grows upwards). */
  x: number;
  y: number;
  width: number;
  /** Font size: the line height the item stands for. */
  height: number;
}

/** Items whose baselines differ by less than this share a line (a fraction of the font size). */
const SAME_LINE = 0.4;
/** A gap wider than this many characters starts a new cell; narrower ones are one space. */
const CELL_GAP_CHARS = 1.5;
/** Lines further apart than this many line heights get an empty line between them. */
const PARAGRAPH_GAP = 1.9;
/** A page wider than this many columns is squeezed: positions stay proportional. */
const MAX_COLUMNS = 220;

interface Line {
  y: number;
  height: number;
  items: PositionedText[];
}

export function layoutText(items: readonly PositionedText[]): string {
  const kept = items.filter((item) => item.str.trim() !== '' && Number.isFinite(item.x) && Number.isFinite(item.y) && item.height > 0);
  if (kept.length === 0) return '';
  // The width of a character, from the items themselves: a grid finer than the text would
  // spread it out, a coarser one would merge cells.
  const perChar = kept.filter((item) => item.str.trim().length >= 2 && item.width > 0).map((item) => item.width / item.str.length).sort((a, b) => a - b);
  const median = perChar[perChar.length >> 1] ?? Math.min(...kept.map((item) => item.height)) * 0.5;
  const left = Math.min(...kept.map((item) => item.x));
  const right = Math.max(...kept.map((item) => item.x + item.width));
  const charWidth = Math.max(median, (right - left) / MAX_COLUMNS, 0.01);

  const lines: Line[] = [];
  for (const item of [...kept].sort((a, b) => b.y - a.y || a.x - b.x)) {
    // Items come top to bottom, so only the last lines can be the item's: a page of many small
    // items costs no more than a scan.
    const line = lines.slice(-3).find((candidate) => Math.abs(candidate.y - item.y) < SAME_LINE * Math.min(candidate.height, item.height));
    if (line) line.items.push(item);
    else lines.push({ y: item.y, height: item.height, items: [item] });
  }
  lines.sort((a, b) => b.y - a.y);

  const out: string[] = [];
  let previous: Line | undefined;
  for (const line of lines) {
    if (previous && previous.y - line.y > PARAGRAPH_GAP * Math.max(previous.height, line.height)) out.push('');
    out.push(renderLine(line, left, charWidth));
    previous = line;
  }
  return out.join('\n');
}

function renderLine(line: Line, left: number, charWidth: number): string {
  let text = '';
  let end = -Infinity;
  for (const item of line.items.sort((a, b) => a.x - b.x)) {
    const str = item.str.replace(/\s+/g, ' ').trim();
    const gap = (item.x - end) / charWidth;
    if (text === '') text = ' '.repeat(Math.max(0, Math.round((item.x - left) / charWidth)));
    else if (gap >= CELL_GAP_CHARS) text = text.padEnd(Math.max(text.length + 2, Math.round((item.x - left) / charWidth)));
    else if (gap > 0.2) text += ' ';
    text += str;
    end = Math.max(end, item.x + item.width);
  }
  return text.trimEnd();
}
