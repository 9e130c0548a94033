import fastStringWidth from 'fast-string-width';

/**
 * The bordered tables doccat prints, drawn here rather than with cli-table3: its load and first
 * render (string-width's emoji regular expression, @colors/colors) cost `doccat search` about a
 * fifth of its start-up, and doccat's tables are one shape only: one line per cell, left-aligned,
 * a head, no lines between body rows. The layout is cli-table3's compact style, so output is
 * unchanged.
 */
const BOX = { top: ['┌', '─', '┬', '┐'], mid: ['├', '─', '┼', '┤'], bottom: ['└', '─', '┴', '┘'], side: '│' } as const;
const ASCII = { top: ['+', '-', '+', '+'], mid: ['+', '-', '+', '+'], bottom: ['+', '-', '+', '+'], side: '|' } as const;

interface Border {
  top: readonly [string, string, string, string];
  mid: readonly [string, string, string, string];
  bottom: readonly [string, string, string, string];
  side: string;
}

// Style sequences (doccat's own, behind a mark of C0 controls: text/terminal.ts) take no room.
const INVISIBLE = /\u001b\[[0-9;]*m|[\u0000-\u001f\u007f-\u009f]/g;

// Most cells are plain ASCII, one column per character: measured without fast-string-width's
// regular expressions, whose first use was most of drawing a page of search results.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function width(cell: string): number {
  return PRINTABLE_ASCII.test(cell) ? cell.length : fastStringWidth(cell.replace(INVISIBLE, ''));
}

/** Columns wide enough for every cell (display width: wide characters count two, styles none). */
export function drawTable(head: string[], rows: string[][], ascii: boolean): string {
  const border: Border = ascii ? ASCII : BOX;
  const columns = Math.max(head.length, ...rows.map((row) => row.length));
  // Each cell measured once: for its column's width, then for its padding.
  const measured = [head, ...rows].map((row) => Array.from({ length: columns }, (_, column) => width(row[column] ?? '')));
  const widths = Array.from({ length: columns }, (_, column) => Math.max(0, ...measured.map((cells) => cells[column] ?? 0)));
  const rule = ([left, line, cross, right]: Border['top']) => `${left}${widths.map((size) => line.repeat(size + 2)).join(cross)}${right}`;
  const line = (row: string[], index: number) => {
    const cells = widths.map((size, column) => ` ${row[column] ?? ''}${' '.repeat(size - (measured[index]?.[column] ?? 0))} `);
    return `${border.side}${cells.join(border.side)}${border.side}`;
  };
  const lines = [rule(border.top), line(head, 0)];
  if (rows.length > 0) lines.push(rule(border.mid), ...rows.map((row, index) => line(row, index + 1)));
  lines.push(rule(border.bottom));
  return lines.join('\n');
}
