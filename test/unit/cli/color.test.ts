import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../../src/cli/output.js';

const terminal = { isTTY: true };
const pipe = { isTTY: false };

describe('colour follows the usual conventions, per stream', () => {
  it('turns colour off with FORCE_COLOR=0 or false, even on a terminal', () => {
    expect(colorEnabled(terminal, undefined, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('forces colour into a pipe with any other FORCE_COLOR, and ignores an empty one', () => {
    for (const value of ['1', '2', '3', 'true']) expect(colorEnabled(pipe, undefined, { FORCE_COLOR: value })).toBe(true);
    expect(colorEnabled(pipe, undefined, { FORCE_COLOR: '' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { FORCE_COLOR: '' })).toBe(true);
  });

  it('lets --no-color win over everything, and FORCE_COLOR over NO_COLOR (as Node does)', () => {
    expect(colorEnabled(terminal, false, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled(pipe, undefined, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });

  it('turns colour off with a non-empty NO_COLOR or TERM=dumb, and otherwise follows the stream', () => {
    expect(colorEnabled(terminal, undefined, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(terminal, undefined, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(terminal, undefined, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(terminal, undefined, {})).toBe(true);
    expect(colorEnabled(pipe, undefined, {})).toBe(false);
  });
});
