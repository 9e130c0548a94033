import fs from 'node:fs';
import path from 'node:path';
import { sameSource, snapshotOf, type SourceSnapshot } from './source-identity.js';
import { makeFolder } from '../system/folders.js';

/**
 * What watch does to files after ingesting them (move to the archive or failed folder, delete,
 * write a note), kept inside the folders it was given. Drop folders are written by other people
 * and programs: a name in them may be a link to anywhere, a folder may be swapped for a link, a
 * file may be replaced after it was read. So a source is touched only when it is a regular file
 * (not a link) whose real path is inside a watched folder and that is still the file that was
 * read; a destination folder is created one level at a time without following links and must
 * resolve inside the archive/failed folder; nothing is ever overwritten.
 *
 * Node has no unlinkat/linkat with folder descriptors, so between a check and the operation a
 * folder could still be swapped for a link; operations use the real paths just checked, and the
 * window is that of two system calls.
 */

/** Why a file was left where it is. */
export interface Refusal {
  code: string;
  message: string;
}

export class RefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** The real path of each folder (watched roots, archive, failed), for containment checks. */
export function realFolder(folder: string): string {
  const resolved = path.resolve(folder);
  try {
    return fs.realpathSync(resolved);
  } catch {
    return resolved;
  }
}

export function isInside(file: string, folder: string): boolean {
  return file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}

/**
 * Whether a file may be queued: a regular file that opens for reading. Checked by lstat first (a
 * FIFO, socket, device or link is never opened), then opened without blocking and without
 * following a link, and checked again on the descriptor (it may have been swapped in between).
 * 'busy' when it cannot be read now (permissions, gone): it is looked at again when it changes.
 */
export async function admissible(file: string): Promise<'ok' | 'busy' | Refusal> {
  let kind: string | undefined;
  try {
    kind = kindOf(await fs.promises.lstat(file));
    if (kind) return notRegular(kind);
    const handle = await fs.promises.open(file, fs.constants.O_RDONLY | NONBLOCK | NOFOLLOW);
    try {
      kind = kindOf(await handle.stat());
    } finally {
      await handle.close();
    }
    return kind ? notRegular(kind) : 'ok';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return notRegular('a symbolic link');
    return 'busy';
  }
}

function kindOf(stat: fs.Stats | fs.BigIntStats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function notRegular(kind: string): Refusal {
  return { code: 'W_NOT_REGULAR_FILE', message: `${kind}, not a regular file: not taken` };
}

export interface CheckedSource {
  /** The real folder of the file plus its name: no link anywhere in it. */
  realPath: string;
  /** The real path of the watched folder it is in. */
  root: string;
}

/**
 * A source may be moved or deleted: a regular file by lstat, its real path inside one of the
 * roots, and, with a snapshot, the same file (device, inode, size, times) as the one read. Without
 * a snapshot it may be touched only when `snapshot` is 'not-needed' (moving a file that failed to
 * the failed folder: no catalogued content depends on which file it is).
 */
export async function checkSource(file: string, realRoots: readonly string[], snapshot: SourceSnapshot | 'not-needed' | undefined): Promise<CheckedSource | Refusal> {
  let stat: fs.BigIntStats;
  try {
    stat = await fs.promises.lstat(file, { bigint: true });
  } catch {
    return { code: 'W_SOURCE_GONE', message: 'the file is no longer there' };
  }
  const kind = kindOf(stat);
  if (kind) return { code: 'W_NOT_REGULAR_FILE', message: `it is now ${kind}, not a regular file` };
  let realPath: string;
  try {
    realPath = path.join(await fs.promises.realpath(path.dirname(file)), path.basename(file));
  } catch {
    return { code: 'W_SOURCE_GONE', message: 'its folder is no longer there' };
  }
  const root = realRoots.find((candidate) => isInside(realPath, candidate) && realPath !== candidate);
  if (!root) return { code: 'W_OUTSIDE_ROOTS', message: `its real path ${realPath} is outside the watched folders` };
  if (snapshot === undefined) return { code: 'W_SOURCE_UNVERIFIED', message: 'the pipeline did not record which file it read, so it is not known to be the catalogued one' };
  if (snapshot !== 'not-needed' && !sameSource(snapshot, snapshotOf(stat))) return { code: 'W_SOURCE_CHANGED', message: 'the file was replaced or changed after it was read' };
  return { realPath, root };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/**
 * The folder `relativeDir` under `base` (created as needed), as a real path inside the real path
 * of `base`. Each level is made with a plain mkdir and must then be a folder by lstat: a link
 * planted at any level (`failed/sub -> /etc`) is refused, not followed.
 */
export async function containedFolder(base: string, relativeDir: string): Promise<string> {
  // Less the umask, as the folders made under it below.
  makeFolder(base, 0o777);
  const realBase = await fs.promises.realpath(base);
  let current = realBase;
  for (const part of relativeDir.split(path.sep).filter((segment) => segment !== '' && segment !== '.')) {
    if (part === '..') throw new RefusedError({ code: 'W_UNSAFE_DESTINATION', message: `${relativeDir} leaves ${realBase}` });
    current = path.join(current, part);
    try {
      await fs.promises.mkdir(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = await fs.promises.lstat(current);
    if (!stat.isDirectory()) throw new RefusedError({ code: 'W_UNSAFE_DESTINATION', message: `${current} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; nothing is written through it` });
  }
  const real = await fs.promises.realpath(current);
  if (!isInside(real, realBase)) throw new RefusedError({ code: 'W_UNSAFE_DESTINATION', message: `${current} resolves to ${real}, outside ${realBase}` });
  return real;
}

/**
 * Moves a checked source into `folder` under its own name; an existing name (or link) is never
 * replaced: " (1)", " (2)" ... go before the extension. With a snapshot, the inode that arrived
 * is compared with it before the source name is removed.
 */
export async function moveInto(source: CheckedSource, folder: string, snapshot: SourceSnapshot | undefined): Promise<string> {
  const { name, ext } = path.parse(source.realPath);
  for (let copy = 0; ; copy += 1) {
    const candidate = path.join(folder, copy === 0 ? `${name}${ext}` : `${name} (${copy})${ext}`);
    try {
      // Link-then-unlink: fails instead of replacing an existing name (rename would replace it).
      await fs.promises.link(source.realPath, candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'EXDEV' || code === 'EPERM') {
        // Another filesystem: copy without overwriting, then remove the original.
        try {
          await fs.promises.copyFile(source.realPath, candidate, fs.constants.COPYFILE_EXCL);
        } catch (copyError) {
          if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyError;
        }
        await fs.promises.unlink(source.realPath);
        return candidate;
      }
      throw error;
    }
    if (snapshot) {
      // By inode only: the new link itself changed the ctime.
      const arrived = await fs.promises.lstat(candidate, { bigint: true });
      if (snapshotOf(arrived).fileId !== snapshot.fileId) {
        // Swapped between the check and the link: take back our name for it, leave the source.
        await fs.promises.unlink(candidate);
        throw new RefusedError({ code: 'W_SOURCE_CHANGED', message: 'the file was replaced while it was being moved' });
      }
    }
    await fs.promises.unlink(source.realPath);
    return candidate;
  }
}

/**
 * Writes `<file>.error.txt` (or `<file>.error (1).txt` ...) beside a file in a checked folder:
 * created exclusively, never through a link, readable by the user only.
 */
export async function writeNote(besideFile: string, text: string): Promise<string> {
  for (let copy = 0; ; copy += 1) {
    const note = copy === 0 ? `${besideFile}.error.txt` : `${besideFile}.error (${copy}).txt`;
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(note, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return note;
  }
}
