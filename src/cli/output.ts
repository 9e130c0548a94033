import tty from 'node:tty';
import { redactText } from '../observability/redact.js';
import { jsonForTerminal, STYLE_CODES, styleSequence, terminalSafe } from '../text/terminal.js';
import { drawTable } from './table.js';
/** Writers for stdout (data) and stderr (people), aware of TTYs and NO_COLOR. */

export interface OutputMode {
  json: boolean;
  ndjson: boolean;
  quiet: boolean;
  verbose: boolean;
  /** Colour on stdout; stderr decides for itself (`doccat ... 2>log` on a terminal). */
  color: boolean;
  stderrColor: boolean;
}

/**
 * Colour for one stream (stdout and stderr decide apart: `doccat ingest dir > out.txt` on a
 * terminal still colours its stderr). The usual conventions, first match wins: --no-color; FORCE_COLOR
 * (0 or false: off, any other non-empty value: on, as Node and supports-color read it); NO_COLOR
 * (any non-empty value: off); TERM=dumb: off; otherwise whether the stream is a terminal.
 */
export function colorEnabled(stream: Pick<NodeJS.WriteStream, 'isTTY'>, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export type Style = keyof typeof STYLE_CODES;

export function paint(enabled: boolean, style: Style, text: string): string {
  const safe = terminalSafe(text);
  if (!enabled) return safe;
  const [open, close] = STYLE_CODES[style];
  return `${styleSequence(open)}${safe}${styleSequence(close)}`;
}

/** Data stays exact; what JSON leaves raw and a terminal would act on is written as \u escapes. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${jsonForTerminal(JSON.stringify(value, null, 2))}\n`);
}

export function writeNdjson(value: unknown): void {
  process.stdout.write(`${jsonForTerminal(JSON.stringify(value))}\n`);
}

let unguarded: NodeJS.WriteStream | undefined;

/**
 * The terminal boundary, set up once by main.ts: whatever any part of doccat writes as text to
 * stdout or stderr passes terminalSafe, so a file name or a document's title can never reach the
 * terminal as an escape sequence, whichever printer (a table, a problem line, a watch line, an
 * error, a future command) put it there. Newlines and tabs stay; doccat's own styles (marked by
 * paint) become plain style sequences where that stream has colour and are dropped where it has
 * none, while one inside a name is escaped. Bytes (doccat get -o -) pass as they are; JSON has
 * nothing left to change (writeJson).
 */
export function guardTerminalOutput(colorFlag: boolean | undefined): void {
  for (const stream of [process.stdout, process.stderr]) {
    const styles = colorEnabled(stream, colorFlag) ? 'emit' : 'drop';
    const write = stream.write.bind(stream) as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
    const guarded = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' && (typeof encoding !== 'string' || /^utf-?8$/i.test(encoding));
      return write(text ? terminalSafe(chunk, { multiline: true, styles }) : chunk, encoding, callback);
    };
    stream.write = guarded as typeof stream.write;
  }
}

/**
 * stderr without the guard, for the progress spinner and the init wizard, whose cursor movements
 * are doccat's own and show nothing read from files. Both run on a terminal only.
 */
export function unguardedStderr(): NodeJS.WriteStream {
  if (!process.stderr.isTTY) return process.stderr;
  unguarded ??= new tty.WriteStream(2);
  return unguarded;
}

export async function renderTable(head: string[], rows: (string | number)[][], color: boolean): Promise<string> {
  // Cells are made safe before the layout, so widths are those of what is shown.
  return drawTable(
    head.map((cell) => paint(color, 'bold', cell)),
    rows.map((row) => row.map((cell) => terminalSafe(String(cell)))),
    !color,
  );
}

/** One stderr line per problem: `path: CODE message (hint)`. */
export function problemLine(subject: string, error: { code: string; message: string; hint?: string }, color: boolean): string {
  // stderr is often kept (cron mail, CI logs): it gets the same redaction as the log. And it is
  // one line, whatever the name or the message holds.
  const hint = error.hint ? ` (${terminalSafe(redactText(error.hint))})` : '';
  return `${terminalSafe(subject)}: ${paint(color, 'red', error.code)} ${terminalSafe(redactText(error.message))}${paint(color, 'dim', hint)}`;
}

/** A field shortened for a table: made safe first, so that escapes count in its length. */
export function truncateMiddle(field: string, max: number): string {
  const text = terminalSafe(field);
  if (text.length <= max) return text;
  const keep = max - 1;
  return `${text.slice(0, Math.ceil(keep / 3))}…${text.slice(text.length - Math.floor((keep * 2) / 3))}`;
}
