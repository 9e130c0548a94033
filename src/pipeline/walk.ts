import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { toErrorInfo, type ErrorInfo } from '../errors.js';

export interface WalkOptions {
  include: readonly string[];
  exclude: readonly string[];
  recursive: boolean;
  hidden: boolean;
}

export type WalkEntry =
  | { path: string; size: number; mtimeMs: number; error?: undefined }
  | { path: string; error: ErrorInfo };

/**
 * Lists the files under the given paths in a stable order. Symbolic links are followed; a link
 * that leads back into a folder being walked is reported as a loop instead of being walked
 * forever. The same file reached twice (two links, overlapping arguments) is listed once.
 */
export async function walkPaths(inputs: readonly string[], options: WalkOptions): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  const seenFiles = new Set<string>();
  const include = options.include.length > 0 ? picomatch([...options.include], { dot: true, basename: true }) : undefined;
  const exclude = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true, basename: true }) : undefined;

  const addFile = (filePath: string, stat: fs.Stats, root: string) => {
    const relative = toPosix(path.relative(root, filePath)) || path.basename(filePath);
    if (include && !include(relative)) return;
    if (exclude?.(relative)) return;
    const identity = `${stat.dev}:${stat.ino}`;
    if (seenFiles.has(identity)) return;
    seenFiles.add(identity);
    entries.push({ path: filePath, size: stat.size, mtimeMs: stat.mtimeMs });
  };

  const walkDirectory = async (directory: string, root: string, ancestors: Set<string>) => {
    let names: string[];
    try {
      names = (await fsp.readdir(directory)).sort((a, b) => a.localeCompare(b));
    } catch (error) {
      entries.push({ path: directory, error: toErrorInfo(error) });
      return;
    }
    for (const name of names) {
      if (!options.hidden && name.startsWith('.')) continue;
      const childPath = path.join(directory, name);
      const relative = toPosix(path.relative(root, childPath));
      if (exclude?.(relative)) continue;
      let stat: fs.Stats;
      try {
        stat = await fsp.stat(childPath);
      } catch (error) {
        const isLink = (await fsp.lstat(childPath).catch(() => undefined))?.isSymbolicLink();
        const info = toErrorInfo(error);
        // A dangling link is not a document that vanished; say what it is.
        if (isLink && info.code === 'E_FILE_VANISHED') entries.push({ path: childPath, error: { code: 'E_BROKEN_LINK', message: 'symbolic link points to nothing', hint: 'fix or remove the link' } });
        else entries.push({ path: childPath, error: info });
        continue;
      }
      if (stat.isDirectory()) {
        if (!options.recursive) continue;
        const identity = `${stat.dev}:${stat.ino}`;
        if (ancestors.has(identity)) {
          entries.push({ path: childPath, error: { code: 'E_SYMLINK_LOOP', message: 'symbolic link loops back to a folder that contains it', hint: 'remove the link or exclude it with --exclude' } });
          continue;
        }
        await walkDirectory(childPath, root, new Set([...ancestors, identity]));
      } else if (stat.isFile()) {
        addFile(childPath, stat, root);
      } else {
        entries.push({ path: childPath, error: { code: 'E_NOT_A_FILE', message: 'not a regular file (device, socket or pipe)', hint: 'exclude it with --exclude' } });
      }
    }
  };

  for (const input of inputs) {
    const absolute = path.resolve(input);
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(absolute);
    } catch (error) {
      entries.push({ path: absolute, error: toErrorInfo(error) });
      continue;
    }
    if (stat.isDirectory()) {
      await walkDirectory(absolute, absolute, new Set([`${stat.dev}:${stat.ino}`]));
    } else if (stat.isFile()) {
      // A file named on the command line is taken even if it is hidden or outside the globs' intent.
      const identity = `${stat.dev}:${stat.ino}`;
      if (!seenFiles.has(identity)) {
        seenFiles.add(identity);
        entries.push({ path: absolute, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    } else {
      entries.push({ path: absolute, error: { code: 'E_NOT_A_FILE', message: 'not a regular file (device, socket or pipe)', hint: 'name a file or a folder' } });
    }
  }
  return entries;
}

function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}
