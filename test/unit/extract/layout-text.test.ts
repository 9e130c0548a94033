import { describe, expect, it } from 'vitest';
import { layoutText, type PositionedText } from '../../../src/extract/layout-text.js';

/** A text item of a 10-point font, about 5 points a character, at x and baseline y (y grows upwards). */
const item = (str: string, x: number, y: number, size = 10): PositionedText => ({ str, x, y, width: str.length * size * 0.5, height: size });

describe('text laid out by position', () => {
  it('puts items back on their lines, left to right, whatever order the page drew them in', () => {
    // Drawn as a PDF generator might: the column of labels first, then the column of values.
    const items = [item('Order no.', 50, 700), item('Delivery date', 50, 688), item('A-7781', 160, 700), item('2025-02-14', 160, 688)];
    expect(layoutText(items).split('\n')).toEqual([expect.stringMatching(/^Order no\. {2,}A-7781$/), expect.stringMatching(/^Delivery date {2,}2025-02-14$/)]);
  });

  it('keeps a value under its heading in the same character columns', () => {
    const items = [item('Customer', 50, 700), item('Reference', 250, 700), item('Due', 400, 700), item('C-100', 50, 688), item('R/2025/0042', 235, 688), item('1 March', 400, 688)];
    const [headings, values] = layoutText(items).split('\n') as [string, string];
    const heading = headings.indexOf('Reference');
    const value = values.indexOf('R/2025/0042');
    // Right-aligned under a shorter heading: the columns overlap.
    expect(value).toBeLessThan(heading + 'Reference'.length);
    expect(value + 'R/2025/0042'.length).toBeGreaterThan(heading);
  });

  it('joins the pieces of one phrase with one space and separates cells by at least two', () => {
    const items = [item('Total', 50, 500), item('due', 80, 500), item('12.50', 300, 500)];
    expect(layoutText(items)).toMatch(/^Total due {2,}12\.50$/);
  });

  it('treats baselines a little apart as one line and leaves an empty line between blocks', () => {
    const items = [item('Invoice', 50, 700), item('Seite 1', 300, 699), item('Thank you', 50, 600)];
    expect(layoutText(items).split('\n')).toEqual([expect.stringMatching(/^Invoice {2,}Seite 1$/), '', 'Thank you']);
  });

  it('leaves out blank items and gives nothing for a page without text', () => {
    expect(layoutText([item(' ', 50, 700), item('', 60, 700)])).toBe('');
    expect(layoutText([item(' ', 50, 700), item('Text', 60, 700)])).toBe('Text');
  });
});
