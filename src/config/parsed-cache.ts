import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DoccatConfig } from './schema.js';

/**
 * Configurations zod has already accepted, by what they were made from. Building the schema and
 * checking a configuration against it is most of a short command's start (about 50 ms of
 * `doccat search` on Node 20), and the answer only changes when the file, the environment's
 * DOCCAT_* variables, the chosen environment or doccat itself do. Only successes are kept: a
 * configuration with a mistake is checked, and reported, every time.
 *
 * The folder is the user's own cache folder, like the compile cache's: made 0700 and used only if
 * the user owns it and nobody else may write to it. What it holds is data, never code.
 * DOCCAT_CONFIG_CACHE=0 turns it off.
 */

/** Set by the build (scripts/build.mjs) from every source file: a new doccat never reads an old entry. */
declare const __DOCCAT_BUILD_ID__: string | undefined;

const MAX_ENTRIES = 64;

/** Variables that name places, not settings: they do not change what the configuration parses to. */
const NOT_SETTINGS = new Set(['DOCCAT_HOME', 'DOCCAT_CONFIG_CACHE', 'DOCCAT_ENV']);

export interface ParsedConfigKey {
  raw: unknown;
  environment: string | undefined;
  env: NodeJS.ProcessEnv;
}

function buildId(): string | undefined {
  return typeof __DOCCAT_BUILD_ID__ === 'string' ? __DOCCAT_BUILD_ID__ : undefined;
}

function cacheFolder(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCCAT_CONFIG_CACHE === '0' || buildId() === undefined) return undefined;
  try {
    const cacheHome = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
    const folder = path.join(cacheHome, 'doccat', 'config');
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(folder);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return undefined;
    return folder;
  } catch {
    // No home, a read-only one: check the configuration every time.
    return undefined;
  }
}

/** The key: everything the parsed configuration depends on, hashed. */
export function parsedConfigKey(key: ParsedConfigKey): string {
  const variables = Object.entries(key.env)
    .filter(([name, value]) => name.startsWith('DOCCAT_') && !NOT_SETTINGS.has(name) && value !== undefined && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([buildId(), key.raw ?? null, key.environment ?? null, variables]))
    .digest('hex');
}

/** The entry for one key: the configuration it holds, if any, and a way to keep one under it. */
export interface ParsedConfigEntry {
  config: DoccatConfig | undefined;
  keep(config: DoccatConfig): void;
}

/**
 * A URL with a user's password or a query (a webhook's token, a database URL's password) in the
 * configuration: secrets belong in references (env:, file:, cmd:), and one written out literally
 * is not copied into another file.
 */
const URL_WITH_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/(?:[^\s"/?#]*@|[^\s"]*\?)/i;

/** Looks the key up once; `keep` writes under the same folder and hash. */
export function parsedConfigEntry(key: ParsedConfigKey): ParsedConfigEntry {
  const folder = cacheFolder(key.env);
  if (!folder) return { config: undefined, keep: () => undefined };
  const hash = parsedConfigKey(key);
  const file = path.join(folder, `${hash}.json`);
  return { config: readEntry(file, hash), keep: (config) => writeEntry(folder, file, hash, config) };
}

function readEntry(file: string, hash: string): DoccatConfig | undefined {
  try {
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown; config?: unknown };
    // An entry cut short or written by something else is not an answer: check the configuration.
    if (entry.key !== hash || typeof entry.config !== 'object' || entry.config === null) return undefined;
    return entry.config as DoccatConfig;
  } catch {
    return undefined;
  }
}

function writeEntry(folder: string, file: string, hash: string, config: DoccatConfig): void {
  if (URL_WITH_CREDENTIALS.test(JSON.stringify(config))) return;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    // Written aside and renamed: a reader sees a whole entry or none.
    fs.writeFileSync(temporary, JSON.stringify({ key: hash, config }), { mode: 0o600 });
    fs.renameSync(temporary, file);
    pruneOldest(folder);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Keeps the newest entries (one per configuration in use, and a few left by earlier versions), and
 * removes what a run killed between writing and renaming left behind.
 */
function pruneOldest(folder: string): void {
  const now = Date.now();
  const entries: { name: string; mtime: number }[] = [];
  for (const name of fs.readdirSync(folder)) {
    let mtime = 0;
    try {
      mtime = fs.statSync(path.join(folder, name)).mtimeMs;
    } catch {
      // Removed by another run meanwhile.
    }
    if (name.endsWith('.json')) entries.push({ name, mtime });
    else if (name.endsWith('.tmp') && now - mtime > 60_000) fs.rmSync(path.join(folder, name), { force: true });
  }
  if (entries.length <= MAX_ENTRIES) return;
  entries.sort((a, b) => a.mtime - b.mtime);
  for (const { name } of entries.slice(0, entries.length - MAX_ENTRIES / 2)) fs.rmSync(path.join(folder, name), { force: true });
}
