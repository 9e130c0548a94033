import { createRequire } from 'node:module';

/**
 * doccat's own version. package.json is two folders up both from dist/cli/ (tsc's output) and from
 * dist/app/ (the bundle, where every module of the CLI lands), so a module anywhere under src/
 * asks this one instead of counting its own folders.
 */
export function doccatVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
