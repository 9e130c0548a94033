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

function width(cell: string): number {
  return fastStringWidth(cell.replace(INVISIBLE, ''));
}

/** Columns wide enough for every cell (display width: wide characters count two, styles none). */
export function drawTable(head: string[], rows: string[][], ascii: boolean): string {
  const border: Border = ascii ? ASCII : BOX;
  const columns = Math.max(head.length, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) => Math.max(0, ...[head, ...rows].map((row) => width(row[column] ?? ''))));
  const rule = ([left, line, cross, right]: Border['top']) => `${left}${widths.map((size) => line.repeat(size + 2)).join(cross)}${right}`;
  const line = (row: string[]) => {
    const cells = widths.map((size, column) => {
      const cell = row[column] ?? '';
      return ` ${cell}${' '.repeat(size - width(cell))} `;
    });
    return `${border.side}${cells.join(border.side)}${border.side}`;
  };
  const lines = [rule(border.top), line(head)];
  if (rows.length > 0) lines.push(rule(border.mid), ...rows.map(line));
  lines.push(rule(border.bottom));
  return lines.join('\n');
}
