import type fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import { snapshotOf, type SourceSnapshot } from './source-identity.js';

export interface WalkOptions {
  include: readonly string[];
  exclude: readonly string[];
  recursive: boolean;
  hidden: boolean;
  /** Follow symbolic links out of the files and folders given (ingest --follow-symlinks). */
  followSymlinks?: boolean;
  /** Called once for every folder read, for the walk's statistics. */
  onFolder?: (folder: string) => void;
  /**
   * doccat's own folders and files (the catalogue, its blobs, its database): never taken when
   * found inside a folder walked, or every run would catalogue the database it had just written.
   */
  own?: readonly string[];
}

/** A regular file the walk found; `snapshot` is what the walk saw of it. */
export interface WalkedFile {
  path: string;
  size: number;
  mtimeMs: number;
  snapshot: SourceSnapshot;
  /** The last component of `path` is a symbolic link the walk chose to follow. */
  viaLink: boolean;
  error?: undefined;
  skipped?: undefined;
}

export type WalkEntry =
  | WalkedFile
  | { path: string; error: ErrorInfo; skipped?: undefined }
  /** Not taken, on purpose (a link out of the folders given, a pipe or a device): a warning, not a failure. */
  | { path: string; skipped: ErrorInfo; error?: undefined };

/**
 * Where files may be read from: the real paths of the files and folders given on the command
 * line. A link whose target lies outside all of them is not followed unless the user said so.
 */
export interface SourcePolicy {
  roots: readonly string[];
  followSymlinks: boolean;
}

export async function sourcePolicy(inputs: readonly string[], followSymlinks: boolean): Promise<SourcePolicy> {
  const roots: string[] = [];
  for (const input of inputs) {
    // A path that cannot be resolved is reported by the walk; it contributes no root.
    const real = await fsp.realpath(path.resolve(input)).catch(() => undefined);
    if (real !== undefined) roots.push(real);
  }
  return { roots, followSymlinks };
}

/** True when a real path is one of the roots or lies below one. */
export function isInsideRoots(policy: SourcePolicy, realPath: string): boolean {
  return policy.roots.some((root) => realPath === root || realPath.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}

export function linkOutsideWarning(): ErrorInfo {
  return {
    code: 'W_SYMLINK_OUTSIDE',
    message: 'symbolic link to a place outside the folders given; not followed',
    hint: 'pass --follow-symlinks (or set ingest.followSymlinks) to follow links out of the folders given',
  };
}

export function notRegularFileWarning(stat: fs.BigIntStats | fs.Stats): ErrorInfo {
  const kind = stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : stat.isBlockDevice() || stat.isCharacterDevice() ? 'a device' : 'not a file';
  return { code: 'W_NOT_REGULAR_FILE', message: `not a regular file (${kind}); not read`, hint: 'only regular files are catalogued; --exclude it to silence this' };
}

const BROKEN_LINK: ErrorInfo = { code: 'E_BROKEN_LINK', message: 'symbolic link points to nothing', hint: 'fix or remove the link' };
const LINK_LOOP: ErrorInfo = { code: 'E_SYMLINK_LOOP', message: 'symbolic link loops back to a folder that contains it', hint: 'remove the link or exclude it with --exclude' };

/** What a symbolic link leads to, or why it leads nowhere. */
async function resolveLink(linkPath: string): Promise<{ real: string; stat: fs.BigIntStats } | { error: ErrorInfo }> {
  try {
    const real = await fsp.realpath(linkPath);
    return { real, stat: await fsp.stat(real, { bigint: true }) };
  } catch (error) {
    const info = toErrorInfo(error);
    // A dangling link is not a document that vanished; say what it is.
    return { error: info.code === 'E_FILE_VANISHED' ? BROKEN_LINK : info };
  }
}

/**
 * Lists the regular files under the given paths in a stable order. Links inside the folders
 * given are followed, links out of them only with followSymlinks. Every folder is read once
 * (one visited set by device and inode for the whole walk), so links that fan out cost one
 * visit per folder; a link back to a folder that contains it is reported as a loop. Links are
 * taken after everything reachable without them, so a file keeps its real path when it has one.
 * The same file reached twice (links, overlapping arguments) is listed once.
 */
export async function walkPaths(inputs: readonly string[], options: WalkOptions, given?: SourcePolicy): Promise<WalkEntry[]> {
  const policy = given ?? (await sourcePolicy(inputs, options.followSymlinks ?? false));
  const entries: WalkEntry[] = [];
  const seenFiles = new Set<string>();
  const visitedFolders = new Set<string>();
  const links: { path: string; root: string; ancestors: ReadonlySet<string> }[] = [];
  const include = options.include.length > 0 ? picomatch([...options.include], { dot: true, basename: true }) : undefined;
  const exclude = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true, basename: true }) : undefined;

  const ownIds = new Set<string>();
  for (const own of options.own ?? []) {
    const stat = await fsp.stat(own, { bigint: true }).catch(() => undefined);
    if (stat) ownIds.add(`${stat.dev}:${stat.ino}`);
  }

  const wanted = (filePath: string, root: string) => {
    const relative = toPosix(path.relative(root, filePath)) || path.basename(filePath);
    return !(include && !include(relative)) && !exclude?.(relative);
  };
  const addFile = (filePath: string, stat: fs.BigIntStats, viaLink: boolean) => {
    const snapshot = snapshotOf(stat);
    if (seenFiles.has(snapshot.fileId)) return;
    seenFiles.add(snapshot.fileId);
    entries.push({ path: filePath, size: snapshot.size, mtimeMs: snapshot.mtimeMs, snapshot, viaLink });
  };

  /** A folder, a file or something else, found at `childPath` (directly or through a link). */
  const take = async (childPath: string, stat: fs.BigIntStats, root: string, ancestors: ReadonlySet<string>, viaLink: boolean) => {
    if (ownIds.has(`${stat.dev}:${stat.ino}`)) return;
    if (stat.isDirectory()) {
      if (!options.recursive) return;
      const identity = `${stat.dev}:${stat.ino}`;
      if (ancestors.has(identity)) {
        entries.push({ path: childPath, error: LINK_LOOP });
        return;
      }
      // Reached before by another way (a link, an overlapping argument): its files are listed.
      if (visitedFolders.has(identity)) return;
      visitedFolders.add(identity);
      await walkDirectory(childPath, root, new Set([...ancestors, identity]));
    } else if (stat.isFile()) {
      if (wanted(childPath, root)) addFile(childPath, stat, viaLink);
    } else if (wanted(childPath, root)) {
      entries.push({ path: childPath, skipped: notRegularFileWarning(stat) });
    }
  };

  const walkDirectory = async (directory: string, root: string, ancestors: ReadonlySet<string>) => {
    let names: string[];
    try {
      names = (await fsp.readdir(directory)).sort((a, b) => a.localeCompare(b));
    } catch (error) {
      entries.push({ path: directory, error: toErrorInfo(error) });
      return;
    }
    options.onFolder?.(directory);
    for (const name of names) {
      if (!options.hidden && name.startsWith('.')) continue;
      const childPath = path.join(directory, name);
      if (exclude?.(toPosix(path.relative(root, childPath)))) continue;
      let stat: fs.BigIntStats;
      try {
        stat = await fsp.lstat(childPath, { bigint: true });
      } catch (error) {
        entries.push({ path: childPath, error: toErrorInfo(error) });
        continue;
      }
      if (stat.isSymbolicLink()) links.push({ path: childPath, root, ancestors });
      else await take(childPath, stat, root, ancestors, false);
    }
  };

  const followLink = async (link: { path: string; root: string; ancestors: ReadonlySet<string> }) => {
    const target = await resolveLink(link.path);
    if ('error' in target) {
      entries.push({ path: link.path, error: target.error.code === 'E_SYMLINK_LOOP' ? LINK_LOOP : target.error });
      return;
    }
    if (target.stat.isDirectory() && !options.recursive) return;
    if (!policy.followSymlinks && !isInsideRoots(policy, target.real)) {
      if (wanted(link.path, link.root)) entries.push({ path: link.path, skipped: linkOutsideWarning() });
      return;
    }
    await take(link.path, target.stat, link.root, link.ancestors, true);
  };

  for (const input of inputs) {
    const absolute = path.resolve(input);
    let stat: fs.BigIntStats;
    let root = absolute;
    try {
      stat = await fsp.lstat(absolute, { bigint: true });
    } catch (error) {
      entries.push({ path: absolute, error: toErrorInfo(error) });
      continue;
    }
    if (stat.isSymbolicLink()) {
      // A link named on the command line is the user's choice: its real path is the root.
      const target = await resolveLink(absolute);
      if ('error' in target) {
        entries.push({ path: absolute, error: target.error });
        continue;
      }
      root = target.real;
      stat = target.stat;
    }
    if (stat.isDirectory()) {
      const identity = `${stat.dev}:${stat.ino}`;
      if (visitedFolders.has(identity)) continue;
      visitedFolders.add(identity);
      await walkDirectory(root, root, new Set([identity]));
    } else if (stat.isFile()) {
      // A file named on the command line is taken even if it is hidden or outside the globs' intent.
      addFile(root, stat, false);
    } else {
      entries.push({ path: root, skipped: { ...notRegularFileWarning(stat), hint: 'name a file or a folder' } });
    }
  }
  // Links last, in the order found; following one may find more.
  for (let index = 0; index < links.length; index += 1) await followLink(links[index] as (typeof links)[number]);
  return entries;
}

export function isWalkedFile(entry: WalkEntry): entry is WalkedFile {
  return entry.error === undefined && entry.skipped === undefined;
}

function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}
