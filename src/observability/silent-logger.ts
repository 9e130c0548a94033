import type { Logger } from 'pino';

/**
 * The logger when logging is off (log.level "silent", the default): every method does nothing
 * and pino is never loaded. Loading pino and its streams was about 30 ms of every command's
 * start, for a logger that by default writes nothing.
 */
export function silentLogger(): Logger {
  const nothing = () => undefined;
  const logger = {
    level: 'silent',
    fatal: nothing,
    error: nothing,
    warn: nothing,
    info: nothing,
    debug: nothing,
    trace: nothing,
    silent: nothing,
    flush: nothing,
    isLevelEnabled: () => false,
    child: () => logger,
    bindings: () => ({}),
  };
  // The subset of pino's Logger doccat calls; a cast, because pino's type also carries its
  // event-emitter and serializer surface, which nothing here uses.
  return logger as unknown as Logger;
}
