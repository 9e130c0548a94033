import { describe, expect, it } from 'vitest';
import { jsonForTerminal, styleSequence, terminalSafe } from '../../../src/text/terminal.js';

/** What a terminal acts on: C0 but newline and tab, DEL, C1, line separators, bidi controls. */
const ACTED_ON = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('text on its way to a terminal', () => {
  it('shows every control character of a field as a JSON-style escape, newlines and tabs too', () => {
    expect(terminalSafe('a\u001b]52;c;aGk=\u0007b')).toBe('a\\u001b]52;c;aGk=\\u0007b');
    expect(terminalSafe('\u009b2J \u0085 \u007f')).toBe('\\u009b2J \\u0085 \\u007f');
    expect(terminalSafe('report-\u202efdp.exe \u2066x\u2069')).toBe('report-\\u202efdp.exe \\u2066x\\u2069');
    expect(terminalSafe('one\ntwo\tthree\r\n\b\f')).toBe('one\\ntwo\\tthree\\r\\n\\b\\f');
    expect(terminalSafe('Müller 東京 ‏ok')).toBe('Müller 東京 ‏ok');
  });

  it('keeps newlines, tabs and CR LF in multi-line text, but not a lone CR that would overwrite a line', () => {
    expect(terminalSafe('a\nb\tc\r\nd\re\u001b[2J', { multiline: true })).toBe('a\nb\tc\r\nd\\re\\u001b[2J');
  });

  it("lets only doccat's own marked styles through: kept marked in a field, plain or dropped at the terminal", () => {
    const own = `${styleSequence(31)}failed${styleSequence(39)}`;
    const forged = '\u001b[31mforged\u001b[39m \u001b[8mhidden';
    expect(terminalSafe(`${own} ${forged}`)).toBe(`${own} \\u001b[31mforged\\u001b[39m \\u001b[8mhidden`);
    expect(terminalSafe(`${own} ${forged}`, { styles: 'emit' })).toBe('\u001b[31mfailed\u001b[39m \\u001b[31mforged\\u001b[39m \\u001b[8mhidden');
    expect(terminalSafe(`${own} ${forged}`, { styles: 'drop' })).toBe('failed \\u001b[31mforged\\u001b[39m \\u001b[8mhidden');
    // A field made safe twice, or painted twice (nested styles), keeps its styles.
    expect(terminalSafe(terminalSafe(own), { styles: 'emit' })).toBe('\u001b[31mfailed\u001b[39m');
    // The spinner's exit hook shows the cursor again at the boundary; in a field it is escaped,
    // and hiding the cursor is never let through.
    expect(terminalSafe('\u001b[?25h\u001b[?25l', { styles: 'drop' })).toBe('\u001b[?25h\\u001b[?25l');
    expect(terminalSafe('\u001b[?25h')).toBe('\\u001b[?25h');
  });

  it('leaves no character a terminal acts on, for every code point up to U+FFFF', () => {
    const all = Array.from({ length: 0x10000 }, (_, code) => (code >= 0xd800 && code <= 0xdfff ? '' : String.fromCharCode(code))).join('');
    expect(terminalSafe(all)).not.toMatch(ACTED_ON);
    expect(terminalSafe(all, { styles: 'emit' })).not.toMatch(ACTED_ON);
    expect(terminalSafe(all, { multiline: true, styles: 'drop' })).not.toMatch(ACTED_ON);
  });

  it('writes JSON that a terminal can show raw and that parses back to exactly the same data', () => {
    const all = Array.from({ length: 0x10000 }, (_, code) => (code >= 0xd800 && code <= 0xdfff ? '' : String.fromCharCode(code))).join('');
    const value = { title: all, nested: [`osc \u001b]52;c;aGk=\u0007 c1 \u009b bidi \u202e ls \u2028`] };
    const json = jsonForTerminal(JSON.stringify(value, null, 2));
    expect(json.replace(/\n/g, '')).not.toMatch(ACTED_ON);
    expect(JSON.parse(json)).toEqual(value);
    expect(jsonForTerminal(JSON.stringify('\u0085\u2029'))).toBe('"\\u0085\\u2029"');
  });
});
