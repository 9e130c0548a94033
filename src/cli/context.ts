import path from 'node:path';
import type { Command } from 'commander';
import { ulid } from 'ulid';
import { loadConfig } from '../config/load.js';
import { secretLookup } from '../config/secrets.js';
import { colorEnabled, type OutputMode } from './output.js';
import { usageError } from '../errors.js';
import { interruptSignal } from './interrupt.js';
import { currentActor } from '../observability/actor.js';
import { configureLogRedaction } from '../observability/redact.js';
import { silentLogger } from '../observability/silent-logger.js';
import type { AppContext } from '../app/context.js';

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  config?: string;
  catalog?: string;
  env?: string;
  json?: boolean;
  ndjson?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  logLevel?: string;
  logFile?: string;
  color?: boolean;
}

/** A run's AppContext (what app/ is given) and how this command prints. */
export interface CommandContext extends AppContext {
  output: OutputMode;
}

export async function createContext(command: Command, override: { configPath?: string } = {}): Promise<CommandContext> {
  const options = { ...command.optsWithGlobals<GlobalOptions>(), ...(override.configPath ? { config: override.configPath } : {}) };
  if (options.json && options.ndjson) throw usageError('E_USAGE', '--json and --ndjson cannot be used together', 'pick one output format');
  const runId = ulid();
  const loaded = await loadConfig({
    ...(options.config ? { configPath: options.config } : {}),
    ...(options.catalog ? { catalogDir: options.catalog } : {}),
    ...(options.env ? { environment: options.env } : {}),
  });
  configureLogRedaction({ patterns: loaded.config.redaction.patterns, builtIn: loaded.config.features.redaction });
  const level = options.logLevel ?? (options.verbose ? 'info' : loaded.config.log.level);
  const logger = level === 'silent' ? silentLogger() : (await import('../observability/logger.js')).createLogger({ level, file: options.logFile ?? loaded.config.log.file, runId }).child({ user: currentActor() });
  return {
    runId,
    config: loaded,
    logger,
    secret: secretLookup(loaded.filepath ? { baseDir: path.dirname(loaded.filepath) } : {}),
    signal: interruptSignal(),
    output: {
      json: Boolean(options.json),
      ndjson: Boolean(options.ndjson),
      quiet: Boolean(options.quiet),
      verbose: Boolean(options.verbose),
      color: colorEnabled(process.stdout, options.color),
      stderrColor: colorEnabled(process.stderr, options.color),
    },
  };
}
