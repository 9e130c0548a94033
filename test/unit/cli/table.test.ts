import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/output.js';
import { drawTable } from '../../../src/cli/table.js';
import { styleSequence } from '../../../src/text/terminal.js';

describe('tables', () => {
  it('draws ASCII borders without colour and sizes columns to the widest cell', () => {
    expect(drawTable(['id', 'title'], [['D1', 'Invoice'], ['D10', '']], true)).toBe(
      ['+-----+---------+', '| id  | title   |', '+-----+---------+', '| D1  | Invoice |', '| D10 |         |', '+-----+---------+'].join('\n'),
    );
  });

  it('counts wide characters as two columns and combining marks, emoji sequences and style sequences by what they show', () => {
    const bold = `${styleSequence(1)}id${styleSequence(22)}`;
    expect(drawTable([bold, 'b'], [['日本', 'e\u0301cole'], ['👩‍👩‍👧', '🇩🇪']], false)).toBe(
      ['┌──────┬───────┐', `│ ${bold}   │ b     │`, '├──────┼───────┤', '│ 日本 │ e\u0301cole │', '│ 👩‍👩‍👧   │ 🇩🇪    │', '└──────┴───────┘'].join('\n'),
    );
  });

  it('draws the head alone when there are no rows', () => {
    expect(drawTable(['a', 'bb'], [], false)).toBe('┌───┬────┐\n│ a │ bb │\n└───┴────┘');
  });

  it('renders what files hold as safe text before the layout', async () => {
    const table = await renderTable(['name'], [['bad\u001b]0;title\u0007name'], [42]], false);
    expect(table).not.toMatch(/[\u0000-\u0008\u001b\u007f]/);
    const lines = table.split('\n');
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});
