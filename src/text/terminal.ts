/**
 * Text from documents and file names on its way to a terminal. File names and document text are
 * written by others; a terminal obeys escape sequences wherever they come from (OSC 52 writes the
 * clipboard, CSI moves the cursor and clears the screen, bidi controls reorder what is shown). So
 * every control character in text meant for people is shown as a visible `\u001b`-style escape,
 * the same notation JSON uses, which also keeps JSON exact and valid if it passes through here.
 */

/** SGR codes of doccat's own styles (cli/output.ts paint): [open, close]. */
export const STYLE_CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;

/**
 * Shows the cursor again: what the spinner's exit hook (cli-cursor) writes to stderr when doccat
 * is stopped mid-run. It passes wherever styles are not escaped, so the cursor is never left
 * hidden; the hiding sequence itself is not let through.
 */
const CURSOR_SHOW = '\u001b[?25h';

const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/**
 * One of doccat's own style sequences, or one control character: C0 controls, DEL, C1 controls
 * (U+0080-U+009F: 8-bit CSI, OSC...), the line and paragraph separators, and the bidi embedding,
 * override and isolate controls.
 */
const TOKEN = new RegExp(`\\u001b\\[(?:${[...new Set(Object.values(STYLE_CODES).flat())].join('|')})m|${CURSOR_SHOW.replace('[', '\\[').replace('?', '\\?')}|[${CONTROLS}]`, 'g');

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
  /** doccat's own styles: kept, dropped (output without colour) or escaped like the rest. */
  styles?: 'keep' | 'drop' | 'escape';
}

/**
 * Every control character as a visible escape. By default for one field on one line (a name, a
 * title, a table cell): newlines and tabs too, so a name cannot forge a line of output.
 */
export function terminalSafe(text: string, options: TerminalTextOptions = {}): string {
  const styles = options.styles ?? 'keep';
  return text.replace(TOKEN, (match: string, offset: number) => {
    if (match === CURSOR_SHOW && styles !== 'escape') return match;
    if (match.length > 1) return styles === 'keep' ? match : styles === 'drop' ? '' : `${escaped('\u001b')}${match.slice(1)}`;
    if (options.multiline && (match === '\n' || match === '\t' || (match === '\r' && text[offset + 1] === '\n'))) return match;
    return escaped(match);
  });
}

/** JSON text made safe to show raw: the characters above as \u escapes (still the same JSON). */
export function jsonForTerminal(json: string): string {
  return json.replace(JSON_UNSAFE, escaped);
}
