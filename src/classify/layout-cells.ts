/**
 * Cells of a text laid out by position (a PDF page through extract/layout-text.ts, or a plain
 * text file aligned with spaces): a line splits into cells at runs of two or more spaces, and each
 * cell keeps the character columns it covers, so that a label's value can be looked for beside it
 * or in the same columns on the line below, as a reader's eye would.
 */

export interface Cell {
  text: string;
  /** First column and the column after the last. */
  start: number;
  end: number;
}

/** Each line's cells; an empty line has none and separates blocks. */
export function cellRows(layout: string): Cell[][] {
  return layout.split('\n').map((line) => [...line.replace(/\t/g, '    ').matchAll(/\S+(?: \S+)*/g)].map((match) => ({ text: match[0], start: match.index, end: match.index + match[0].length })));
}

/** The cell right of a cell on its line. */
export function cellBeside(rows: readonly Cell[][], row: number, index: number): Cell | undefined {
  return rows[row]?.[index + 1];
}

/**
 * The cell on the next line that shares most columns with a cell: the value under a column
 * heading, left-aligned, right-aligned or centred. Not across an empty line: that is another block.
 */
export function cellBelow(rows: readonly Cell[][], row: number, cell: Cell): Cell | undefined {
  let best: Cell | undefined;
  let bestOverlap = 0;
  for (const candidate of rows[row + 1] ?? []) {
    const overlap = Math.min(cell.end, candidate.end) - Math.max(cell.start, candidate.start);
    if (overlap > bestOverlap) {
      best = candidate;
      bestOverlap = overlap;
    }
  }
  return best;
}
