import { DoccatError, ExitCode } from '../errors.js';

/** A hook attempt that failed; `retryable` says whether trying again may help. */
export class HookError extends DoccatError {
  constructor(
    code: string,
    message: string,
    readonly retryable: boolean,
    hint?: string,
    /** How long the receiver asked to be left alone (Retry-After), if it did. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, { exitCode: ExitCode.someFailed, ...(hint ? { hint } : {}) });
    this.name = 'HookError';
  }
}
