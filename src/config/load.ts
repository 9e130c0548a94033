import os from 'node:os';
import path from 'node:path';
import { findConfigFile, readConfigFile } from './config-file.js';
import { isRecord, mergeOverlay } from './overlay.js';
import { parsedConfigEntry } from './parsed-cache.js';
import type { DoccatConfig } from './schema.js';
import { usageError } from '../errors.js';

export interface LoadedConfig {
  config: DoccatConfig;
  /** The file's own settings before defaults and DOCCAT_* overrides, for `config show`. */
  fileConfig: unknown;
  /** The environment chosen with --env or DOCCAT_ENV, and its overlay as written in the file. */
  environment: string | undefined;
  overlayConfig: unknown;
  /** The file the configuration came from, if any. */
  filepath: string | undefined;
  /** Resolved catalogue folder (database + blobs). */
  catalogDir: string;
  databasePath: string;
  blobDir: string;
}

export interface LoadOptions {
  configPath?: string;
  catalogDir?: string;
  /** An overlay under `environments` in the file; default $DOCCAT_ENV. */
  environment?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const found = options.configPath ? await readConfigFile(path.resolve(cwd, options.configPath), { explicit: true }) : await findConfigFile(cwd, env);
  return await finish(found?.config ?? {}, found?.filepath, cwd, options, env);
}

/** The file's settings checked (or known to be good), then the places they name resolved. */
async function finish(raw: unknown, filepath: string | undefined, cwd: string, options: LoadOptions, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const environment = options.environment ?? (env.DOCCAT_ENV || undefined);
  const { merged, overlay } = withEnvironment(raw, environment, filepath);
  const kept = parsedConfigEntry({ raw, environment, env });
  let config = kept.config;
  if (!config) {
    const { validateConfig } = await import('./validate.js');
    config = validateConfig(raw, merged, environment, filepath, env);
    kept.keep(config);
  }
  // Relative paths in a config file are relative to that file; the catalogue's own files to it.
  const base = filepath ? path.dirname(filepath) : cwd;
  const catalogDir = path.resolve(cwd, options.catalogDir ? expandHome(options.catalogDir) : config.catalog ? path.resolve(base, expandHome(config.catalog)) : defaultCatalogDir(env));
  return {
    config,
    fileConfig: raw,
    environment,
    overlayConfig: overlay,
    filepath,
    catalogDir,
    databasePath: config.database.sqlite.path ? path.resolve(catalogDir, expandHome(config.database.sqlite.path)) : path.join(catalogDir, 'catalog.db'),
    blobDir: config.storage.local.path ? path.resolve(catalogDir, expandHome(config.storage.local.path)) : path.join(catalogDir, 'blobs'),
  };
}

function withEnvironment(raw: unknown, name: string | undefined, filepath: string | undefined): { merged: unknown; overlay: unknown } {
  if (name === undefined) return { merged: raw, overlay: undefined };
  const environments = isRecord(raw) && isRecord(raw.environments) ? raw.environments : {};
  const overlay = environments[name];
  if (!isRecord(overlay)) {
    const known = Object.keys(environments);
    throw usageError(
      'E_CONFIG_ENV_UNKNOWN',
      `no environment "${name}" in ${filepath ?? 'the configuration (no config file was found)'}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
      known.length > 0 ? `use one of them with --env or DOCCAT_ENV` : 'add it under "environments" in the config file, or unset DOCCAT_ENV',
    );
  }
  return { merged: mergeOverlay(raw, overlay), overlay };
}

function expandHome(filePath: string): string {
  return filePath === '~' || filePath.startsWith('~/') ? path.join(os.homedir(), filePath.slice(1)) : filePath;
}

export function defaultCatalogDir(env: NodeJS.ProcessEnv): string {
  if (env.DOCCAT_HOME) return path.resolve(env.DOCCAT_HOME);
  if (env.XDG_DATA_HOME) return path.join(path.resolve(env.XDG_DATA_HOME), 'doccat');
  return path.join(os.homedir(), '.local', 'share', 'doccat');
}

