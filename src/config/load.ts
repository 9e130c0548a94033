import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { findConfigFile, readConfigFile } from './config-file.js';
import { configSchema, type DoccatConfig } from './schema.js';
import { DoccatError, ExitCode, usageError } from '../errors.js';

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
  return finish(found?.config ?? {}, found?.filepath, cwd, options, env);
}

/**
 * Precedence, lowest first: schema defaults, the file, the file's environments.<name> overlay,
 * DOCCAT_* variables, command-line flags (applied by the commands).
 */
function finish(raw: unknown, filepath: string | undefined, cwd: string, options: LoadOptions, env: NodeJS.ProcessEnv): LoadedConfig {
  const environment = options.environment ?? (env.DOCCAT_ENV || undefined);
  const { merged, overlay } = withEnvironment(raw, environment, filepath);
  const withEnv = applyEnvOverrides(merged, env);
  const parsed = configSchema.safeParse(withEnv);
  const where = filepath ? ` in ${filepath}` : '';
  const hint = 'fix the values above; doccat.config.example.json shows every option';
  if (!parsed.success) {
    const chosen = environment ? ` (environment ${environment})` : '';
    throw new DoccatError('E_CONFIG_INVALID', `invalid configuration${where}${chosen}:\n${formatIssues(parsed.error.issues)}`, { hint, exitCode: ExitCode.usage });
  }
  // An overlay that is not in use today is still checked: a typo in production's settings should
  // show up when the file is edited, not at the next deploy.
  const overlayIssues = otherOverlayIssues(raw, environment);
  if (overlayIssues.length > 0) throw new DoccatError('E_CONFIG_INVALID', `invalid configuration${where}:\n${overlayIssues.join('\n')}`, { hint, exitCode: ExitCode.usage });
  const config = parsed.data;
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

function otherOverlayIssues(raw: unknown, chosen: string | undefined): string[] {
  if (!isRecord(raw) || !isRecord(raw.environments)) return [];
  const issues: string[] = [];
  for (const [name, overlay] of Object.entries(raw.environments)) {
    if (name === chosen || !isRecord(overlay)) continue;
    const result = configSchema.safeParse(mergeOverlay(raw, overlay));
    if (!result.success) issues.push(...result.error.issues.map((issue) => `  environments.${name}.${issue.path.join('.')}: ${issue.message}`));
  }
  return issues;
}

/** Objects merge key by key; arrays and values replace; null removes a setting of the base. */
export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (!isRecord(overlay)) return overlay;
  const result: Record<string, unknown> = isRecord(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete result[key];
    else result[key] = isRecord(value) && isRecord(result[key]) ? mergeOverlay(result[key], value) : value;
  }
  return result;
}

function expandHome(filePath: string): string {
  return filePath === '~' || filePath.startsWith('~/') ? path.join(os.homedir(), filePath.slice(1)) : filePath;
}

export function defaultCatalogDir(env: NodeJS.ProcessEnv): string {
  if (env.DOCCAT_HOME) return path.resolve(env.DOCCAT_HOME);
  if (env.XDG_DATA_HOME) return path.join(path.resolve(env.XDG_DATA_HOME), 'doccat');
  return path.join(os.homedir(), '.local', 'share', 'doccat');
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/**
 * DOCCAT_<PATH> variables override single leaves of the schema, e.g. DOCCAT_OCR_LANGUAGES=eng,deu
 * or DOCCAT_INGEST_JOBS=4. Names come from the schema so every option has one.
 */
export function envOverrideNames(): Map<string, { path: string[]; kind: LeafKind }> {
  const names = new Map<string, { path: string[]; kind: LeafKind }>();
  walkLeaves(configSchema, [], (leafPath, kind) => {
    const name = 'DOCCAT_' + leafPath.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
    names.set(name, { path: leafPath, kind });
  });
  return names;
}

type LeafKind = 'string' | 'number' | 'boolean' | 'string[]' | 'other';

interface SchemaDef {
  type: string;
  innerType?: { _zod: { def: SchemaDef } };
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
}

function walkLeaves(schema: { _zod: { def: unknown } }, at: string[], visit: (leafPath: string[], kind: LeafKind) => void): void {
  let def = schema._zod.def as SchemaDef;
  while ((def.type === 'default' || def.type === 'optional') && def.innerType) def = def.innerType._zod.def;
  if (def.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) walkLeaves(child, [...at, key], visit);
    return;
  }
  if (def.type === 'array') {
    let element = def.element?._zod.def;
    while (element && (element.type === 'default' || element.type === 'optional') && element.innerType) element = element.innerType._zod.def;
    visit(at, element?.type === 'string' ? 'string[]' : 'other');
    return;
  }
  const kind: LeafKind = def.type === 'string' || def.type === 'enum' ? 'string' : def.type === 'number' ? 'number' : def.type === 'boolean' ? 'boolean' : 'other';
  visit(at, kind);
}

function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const result: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  for (const [name, { path: leafPath, kind }] of envOverrideNames()) {
    const value = env[name];
    if (value === undefined || value === '' || kind === 'other') continue;
    let target: Record<string, unknown> = result;
    for (const key of leafPath.slice(0, -1)) {
      const next = target[key];
      if (!isRecord(next)) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const leaf = leafPath[leafPath.length - 1] as string;
    target[leaf] = parseEnvValue(value, kind);
  }
  return result;
}

function parseEnvValue(value: string, kind: LeafKind): unknown {
  switch (kind) {
    case 'number': {
      const number = Number(value);
      // Leave invalid numbers as strings so validation reports them with the variable's path.
      return Number.isFinite(number) ? number : value;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      return value;
    case 'string[]':
      return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
    default:
      return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
