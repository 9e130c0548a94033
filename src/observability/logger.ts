import pino, { type Logger } from 'pino';
import { redactLogLine } from './redact.js';

export interface LoggerOptions {
  level: string;
  file?: string | undefined;
  runId: string;
}

/** Keys whose values are never written, wherever they appear in a log object. */
const REDACT_PATHS = ['password', 'passwords', '*.password', '*.passwords', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'headers["x-api-key"]', 'headers["x-goog-api-key"]', 'token', '*.token', 'secret', '*.secret'];

/**
 * pino JSON logs to stderr or a file; off unless --log-level or log.level says otherwise. Every
 * line passes redactLogLine before it is written, so a secret or personal datum inside a message
 * string (an SDK error quoting a header, a URL) is masked as well as the known keys. A log file
 * doccat creates is 0600: its lines name documents, paths and errors.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: true, mode: 0o600 }) : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level,
      base: { runId: options.runId },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: redactLogLine },
    },
    destination,
  );
}
