import { redactText } from '../observability/redact.js';
/** Writers for stdout (data) and stderr (people), aware of TTYs and NO_COLOR. */

export interface OutputMode {
  json: boolean;
  ndjson: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

export function colorEnabled(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const STYLES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;
export type Style = keyof typeof STYLES;

export function paint(enabled: boolean, style: Style, text: string): string {
  if (!enabled) return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeNdjson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export async function renderTable(head: string[], rows: (string | number)[][], color: boolean): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: head.map((cell) => paint(color, 'bold', cell)),
    style: { head: [], border: [], compact: true },
    chars: color ? {} : { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

/** One stderr line per problem: `path: CODE message (hint)`. */
export function problemLine(subject: string, error: { code: string; message: string; hint?: string }, color: boolean): string {
  const hint = error.hint ? ` (${error.hint})` : '';
  // stderr is often kept (cron mail, CI logs): it gets the same redaction as the log.
  return `${subject}: ${paint(color, 'red', error.code)} ${redactText(error.message)}${paint(color, 'dim', redactText(hint))}`;
}

export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max - 1;
  return `${text.slice(0, Math.ceil(keep / 3))}…${text.slice(text.length - Math.floor((keep * 2) / 3))}`;
}
