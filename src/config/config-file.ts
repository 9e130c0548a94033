import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trustProblem } from './file-trust.js';
import { isHookUrl } from './hook-url.js';
import { DoccatError, ExitCode, usageError } from '../errors.js';

/**
 * Where a configuration file is looked for, and how it is read. Only the user's own places are
 * searched: the file given with --config, the current folder, and $XDG_CONFIG_HOME/doccat/ (default
 * ~/.config/doccat/). Folders above the current one are not: a config dropped into a parent (a
 * shared or world-writable folder such as the system temp folder) would otherwise change, or run
 * code in, every doccat command below it.
 *
 * cosmiconfig's explorer is not used: creating one reads a "meta" config from the process's
 * working folder with its own loaders (it runs `.config/config.cjs` found there, unchecked), and its
 * `$import` key lets a JSON file load any other file, JavaScript included. Its loaders are used.
 */

/** The current folder (a project's own settings). */
export const PROJECT_PLACES = [
  'package.json',
  'doccat.config.json',
  'doccat.config.yaml',
  'doccat.config.yml',
  'doccat.config.js',
  'doccat.config.mjs',
  'doccat.config.cjs',
  '.doccatrc',
  '.doccatrc.json',
  '.doccatrc.yaml',
] as const;

/** $XDG_CONFIG_HOME/doccat/ (the user's settings). */
export const USER_PLACES = ['config', 'config.json', 'config.yaml', 'config.yml', 'config.js', 'config.mjs', 'config.cjs'] as const;

/** Extensions whose loader runs the file as code. */
const CODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

export interface ConfigFile {
  filepath: string;
  /** The settings in it (for package.json, its "doccat" key). */
  config: unknown;
}

export function userConfigDir(env: NodeJS.ProcessEnv): string {
  // The XDG spec ignores a relative XDG_CONFIG_HOME.
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'doccat');
}

/** The first file in the current folder, then the user's config folder, that holds settings. */
export async function findConfigFile(cwd: string, env: NodeJS.ProcessEnv): Promise<ConfigFile | undefined> {
  const candidates = [...PROJECT_PLACES.map((place) => path.join(cwd, place)), ...USER_PLACES.map((place) => path.join(userConfigDir(env), place))];
  for (const candidate of candidates) {
    try {
      if (!(await fs.promises.stat(candidate)).isFile()) continue;
    } catch {
      // Missing, or in a folder this user may not read: no config of theirs.
      continue;
    }
    const found = await readConfigFile(candidate, { explicit: false });
    if (found) return found;
  }
  return undefined;
}

/**
 * Reads one config file. JavaScript is run, and `cmd:` references accepted, only from a file that
 * passes the trust check; otherwise E_CONFIG_UNSAFE (exit 2) names the file and the fix. Returns
 * undefined for a file without settings (empty, or package.json without "doccat") unless it was
 * given explicitly, which then means an empty configuration.
 */
export async function readConfigFile(filepath: string, options: { explicit: boolean }): Promise<ConfigFile | undefined> {
  const extension = path.extname(filepath);
  let contents: string;
  try {
    contents = await fs.promises.readFile(filepath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError('E_CONFIG_NOT_FOUND', `config file not found: ${filepath}`, 'check the path given to --config');
    if (!options.explicit && (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR')) return undefined;
    throw usageError('E_CONFIG_INVALID', `cannot read config ${filepath}: ${(error as Error).message}`, 'check the path given to --config and its permissions');
  }
  // Checked before the loader runs it: reading it is harmless, importing it is not.
  if (CODE_EXTENSIONS.has(extension)) refuseUntrusted(filepath, `run the JavaScript config ${filepath}`);
  if (contents.trim() === '') return options.explicit ? { filepath, config: {} } : undefined;
  // Most folders' package.json has no "doccat" key: no need to load cosmiconfig's loaders for it
  // (a broken one still goes to the loader, for its error message).
  if (path.basename(filepath) === 'package.json' && !hasDoccatKey(contents)) return options.explicit ? { filepath, config: {} } : undefined;
  // Loaded here, not at start-up: most runs have no config file at all.
  const { defaultLoaders } = await import('cosmiconfig');
  const loader = defaultLoaders[extension as keyof typeof defaultLoaders] ?? (extension === '' ? defaultLoaders.noExt : undefined);
  if (!loader) throw usageError('E_CONFIG_INVALID', `cannot read config ${filepath}: doccat reads .json, .yaml, .yml, .js, .mjs and .cjs files`, 'rename the file to one of these');
  let loaded: unknown;
  try {
    loaded = await loader(filepath, contents);
  } catch (error) {
    throw usageError('E_CONFIG_INVALID', `cannot read config ${filepath}: ${(error as Error).message}`, 'fix the syntax of the config file');
  }
  const config = path.basename(filepath) === 'package.json' ? (isRecord(loaded) ? loaded.doccat : undefined) : loaded;
  if (config === undefined || config === null) return options.explicit ? { filepath, config: {} } : undefined;
  const command = commandReference(config, []);
  if (command) refuseUntrusted(filepath, `run the cmd: secret reference at ${command} in ${filepath}`);
  const hook = hookCommand(config);
  if (hook) refuseUntrusted(filepath, `run the hook command at ${hook} in ${filepath}`);
  return { filepath, config };
}

function refuseUntrusted(filepath: string, what: string): void {
  const problem = trustProblem(filepath);
  if (!problem) return;
  throw new DoccatError('E_CONFIG_UNSAFE', `refusing to ${what}: ${problem.reason}`, {
    hint: `only a file that no one else can change may run commands or code; ${problem.fix}${what.includes('cmd:') ? ', or give the secret as env:NAME or file:PATH' : ''}`,
    exitCode: ExitCode.usage,
  });
}

/**
 * The setting path of the first string that is a `cmd:` reference, anywhere in the file (overlays
 * under "environments" included: they run when chosen). Any string is checked, not only known
 * secret settings, so that a new secret setting cannot be missed; a plain value starting with
 * "cmd:" in an unsafe file is refused too, which chmod fixes.
 */
function commandReference(value: unknown, at: string[]): string | undefined {
  if (typeof value === 'string') return /^cmd:/.test(value) ? at.join('.') || '(root)' : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = commandReference(item, [...at, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = commandReference(item, [...at, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The setting path of the first hook that is a shell command (hooks.onDocument etc., overlays
 * included): hooks run like cmd: references, so the same rule applies. Webhook URLs run nothing.
 */
function hookCommand(config: unknown): string | undefined {
  if (!isRecord(config)) return undefined;
  const places: [string, unknown][] = [['hooks', config.hooks]];
  if (isRecord(config.environments)) for (const [name, overlay] of Object.entries(config.environments)) if (isRecord(overlay)) places.push([`environments.${name}.hooks`, overlay.hooks]);
  for (const [at, hooks] of places) {
    if (!isRecord(hooks)) continue;
    for (const [event, list] of Object.entries(hooks)) {
      if (!Array.isArray(list)) continue;
      for (const [index, target] of list.entries()) {
        const isCommand = typeof target === 'string' ? !isHookUrl(target) : isRecord(target) && 'command' in target;
        if (isCommand) return `${at}.${event}.${index}`;
      }
    }
  }
  return undefined;
}

function hasDoccatKey(packageJson: string): boolean {
  try {
    const parsed: unknown = JSON.parse(packageJson);
    return !isRecord(parsed) || parsed.doccat !== undefined;
  } catch {
    return true;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
