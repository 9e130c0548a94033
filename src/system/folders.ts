import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p` that ends. Node's recursive mkdir, asked for a folder where the file system answers
 * ENOENT to every new entry (under /proc or /sys: `--catalog /proc/x`), makes the parent (EEXIST)
 * and tries the child again, for ever and deaf to SIGTERM. Here each missing level is made once,
 * from the deepest existing one down, and the first refusal is thrown as the errno error it is,
 * naming the level refused, for the caller to turn into a message a user can act on.
 */

function notAFolder(at: string): NodeJS.ErrnoException {
  // A link whose target is not there (an unmounted share) looks like a file in the way.
  const dangling = fs.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  return Object.assign(new Error(`ENOTDIR: not a folder, ${at}`), { code: 'ENOTDIR', path: at, dangling });
}

/** The levels of `folder` that do not exist yet, deepest last. */
function missingLevels(folder: string): string[] {
  const missing: string[] = [];
  let current = path.resolve(folder);
  for (;;) {
    const found = statOrUndefined(current);
    if (found) {
      if (!found.isDirectory()) throw notAFolder(current);
      return missing.reverse();
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) return missing.reverse();
    current = parent;
  }
}

function statOrUndefined(at: string): fs.Stats | undefined {
  try {
    return fs.statSync(at);
  } catch (error) {
    // ENOTDIR: a level above is a file, which the walk up then finds and names.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Makes `folder` and its missing parents with `mode`; true when `folder` itself was made.
 * Synchronous, also for async callers: it runs once when a catalogue, a store or a drop folder is
 * opened, a few system calls.
 */
export function makeFolder(folder: string, mode = 0o700): boolean {
  const missing = missingLevels(folder);
  for (const level of missing) {
    try {
      fs.mkdirSync(level, { mode });
    } catch (error) {
      // Made meanwhile by another process: fine if it is a folder (a dangling link is not).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!statOrUndefined(level)?.isDirectory()) throw notAFolder(level);
    }
  }
  return missing.length > 0;
}

/** What stopped makeFolder, in words: the level refused and why. */
export function folderProblem(error: unknown): string {
  const { code, path: at } = error as NodeJS.ErrnoException;
  const where = at ?? 'the folder';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `no permission to create ${where}`;
    case 'EROFS':
      return `${where} is on a read-only file system`;
    case 'ENOTDIR':
      return (error as { dangling?: boolean }).dangling ? `${where} is a link to a folder that is not there` : `${where} is not a folder`;
    case 'ENOENT':
      return `${where} cannot be created there (the file system takes no new entries)`;
    default:
      return (error as Error).message;
  }
}

/** What to do about a catalogue folder (or one inside it) that makeFolder could not make. */
export const CATALOG_FOLDER_HINT = 'point --catalog (or DOCCAT_HOME, or "catalog" in the config) at a folder you can write to';
