import { randomInt } from 'node:crypto';

/**
 * Text from documents and file names on its way to a terminal. File names and document text are
 * written by others; a terminal obeys escape sequences wherever they come from (OSC 52 writes the
 * clipboard, CSI moves the cursor and clears the screen, bidi controls reorder what is shown). So
 * every control character in text meant for people is shown as a visible escape in the notation
 * JSON uses (`\u001b`, `\n`), which also keeps JSON exact and valid if it passes through here.
 *
 * doccat's own colours are the one exception, and only they: each of its style sequences carries
 * a mark that is random per process, made of control characters (which tables count as no
 * width) and taken out again at the terminal boundary. A style sequence inside a file name or a
 * title has no mark, so it is escaped like any other.
 */

/** SGR codes of doccat's own styles (cli/output.ts paint): [open, close]. */
export const STYLE_CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;

/** C0 controls that mean nothing to a terminal or to a table's layout, for the mark. */
const MARK_ALPHABET = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1c];
/** 20^12 (about 4e15) possible marks: a file name cannot guess this run's. */
const MARK = String.fromCharCode(...Array.from({ length: 12 }, () => MARK_ALPHABET[randomInt(MARK_ALPHABET.length)] as number));

/** One of doccat's own style sequences, marked as such. */
export function styleSequence(code: number): string {
  return `${MARK}\u001b[${code}m`;
}

/**
 * Shows the cursor again: what the spinner's exit hook (cli-cursor) writes to stderr when doccat
 * is stopped mid-run, from outside doccat's code. It passes at the terminal boundary, so the
 * cursor is never left hidden; the sequence that hides it is not let through.
 */
const CURSOR_SHOW = '\u001b[?25h';

const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

const escapeForRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/**
 * A marked style sequence of doccat's own, the cursor coming back, or one control character: C0
 * controls, DEL, C1 controls (U+0080-U+009F: 8-bit CSI, OSC...), the line and paragraph
 * separators, and the bidi embedding, override and isolate controls.
 */
const TOKEN = new RegExp(
  `${escapeForRegExp(MARK)}\\u001b\\[(?:${[...new Set(Object.values(STYLE_CODES).flat())].join('|')})m|${escapeForRegExp(CURSOR_SHOW)}|[${CONTROLS}]`,
  'g',
);

/** What JSON.stringify leaves raw that a terminal would still act on or reorder. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/** As JSON.stringify writes it: \n, \t..., else \u001b. */
function escaped(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`;
}

export interface TerminalTextOptions {
  /** Keep newlines and tabs (and CR before LF): whole output and multi-line fields. */
  multiline?: boolean;
  /**
   * doccat's own styles: `keep` them marked (a field or table cell on its way to the boundary),
   * `emit` them as plain sequences or `drop` them (the boundary, with or without colour).
   */
  styles?: 'keep' | 'emit' | 'drop';
}

/**
 * Every control character as a visible escape. By default for one field on one line (a name, a
 * title, a table cell): newlines and tabs too, so a name cannot forge a line of output.
 */
export function terminalSafe(text: string, options: TerminalTextOptions = {}): string {
  const styles = options.styles ?? 'keep';
  return text.replace(TOKEN, (match: string, offset: number) => {
    if (match === CURSOR_SHOW) return styles === 'keep' ? escaped('\u001b') + match.slice(1) : match;
    if (match.length > 1) return styles === 'keep' ? match : styles === 'emit' ? match.slice(MARK.length) : '';
    if (options.multiline && (match === '\n' || match === '\t' || (match === '\r' && text[offset + 1] === '\n'))) return match;
    return escaped(match);
  });
}

/** JSON text made safe to show raw: the characters above as \u escapes (still the same JSON). */
export function jsonForTerminal(json: string): string {
  return json.replace(JSON_UNSAFE, escaped);
}
