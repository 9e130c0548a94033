import os from 'node:os';

/**
 * The name this machine goes by in the catalogue (worker rows, job and claim owners).
 * DOCCAT_HOST_ID overrides the hostname: containers that share one, or tests that play several
 * machines on one. A process id is checked for life only on its own host.
 */
export function hostId(): string {
  return process.env.DOCCAT_HOST_ID?.trim() || os.hostname();
}
