import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { SecretLookup } from '../config/secrets.js';

/**
 * What every flow of a run is given, whichever command started it: the configuration loaded
 * (settings, and where the catalogue and the config file are), the run's logger and id, the
 * signal that stops it, and the secret lookup for the references the configuration holds. It
 * knows nothing of flags or of how results are printed: a command's CommandContext (cli/context.ts)
 * is one of these with its output mode added, so a command passes its own context to app/.
 */
export interface AppContext {
  runId: string;
  config: LoadedConfig;
  logger: Logger;
  signal: AbortSignal;
  /** The run's secret references, resolved by config/ when first asked (relative to the config file). */
  secret: SecretLookup;
}
