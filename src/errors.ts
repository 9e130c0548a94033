import { redactText } from './observability/redact.js';
/**
 * Every error a user can see carries a stable `code`, a message and a hint saying what to do.
 * The exit code is derived from the kind of error so that only cli/main.ts decides how to exit.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  someFailed: 3,
  backendUnavailable: 4,
  unhealthy: 5,
  /** `stats --check`: an alert rule fires. */
  alerting: 6,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface DoccatErrorOptions {
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

export class DoccatError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: DoccatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DoccatError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.internal;
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function usageError(code: string, message: string, hint?: string): DoccatError {
  return new DoccatError(code, message, { hint, exitCode: ExitCode.usage });
}

/** The shape of an error once it has crossed a worker boundary or been stored in the catalogue. */
export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string;
}

/** Turns anything thrown into a user-facing error description; unknown errors become E_INTERNAL. */
/**
 * The shape stored in the catalogue and printed in JSON. Messages can quote what a server said
 * (a URL with its password, a header): they pass the log redaction before going anywhere.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  const info = describeError(error);
  return { ...info, message: redactText(info.message), ...(info.hint === undefined ? {} : { hint: redactText(info.hint) }) };
}

function describeError(error: unknown): ErrorInfo {
  if (error instanceof DoccatError) return error.toJSON();
  const nodeCode = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (nodeCode) {
    case 'EACCES':
    case 'EPERM':
      return { code: 'E_FILE_UNREADABLE', message: 'permission denied', hint: 'check the file permissions or run doccat as a user that can read it' };
    case 'ENOENT':
      return { code: 'E_FILE_VANISHED', message: 'the file disappeared while it was being read', hint: 'if it was moved on purpose, ignore this; otherwise run ingest again' };
    case 'ELOOP':
      return { code: 'E_SYMLINK_LOOP', message: 'symbolic link loop', hint: 'fix or remove the link' };
    case 'EISDIR':
      return { code: 'E_NOT_A_FILE', message: 'is a directory', hint: 'give a folder without --no-recursive to walk it' };
    case 'EIO':
      return { code: 'E_FILE_UNREADABLE', message: 'input/output error while reading', hint: 'check the disk or network share' };
    default:
      return { code: 'E_INTERNAL', message, hint: 'this is a bug in doccat; please report it with --log-level debug output' };
  }
}
