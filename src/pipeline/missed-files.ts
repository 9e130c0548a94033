import fs from 'node:fs';
import path from 'node:path';

/**
 * chokidar (5.0) reads a new folder and only then starts watching it (`_handleDir`, chokidar
 * issue #1471): a file written into the folder between the two is reported only when something
 * else changes in that folder, which in a scanner's drop folder may be never. So each folder
 * chokidar reports is read again a little later, and what is in it that chokidar does not know
 * is handed over: files once they hold still, folders to the watcher.
 */

export interface MissedFilesOptions {
  /** chokidar's `getWatched()`: each watched folder's entry names, files still being written included. */
  known: () => Record<string, string[]>;
  /** Watches a folder chokidar missed (`watcher.add`), which reports it and its files in turn. */
  watch: (folder: string) => void;
  ignored: (candidate: string) => boolean;
  /** How long a missed file's size and mtime must hold before it is taken, as for chokidar's. */
  stableMs: number;
  take: (file: string) => void;
  onError: (error: Error) => void;
  /** When to read a folder again, in ms after it was reported, each after the one before. */
  rechecksMs?: readonly number[];
}

/** chokidar starts watching within milliseconds of its read; the later one is for a slow disk. */
const RECHECK_AFTER_MS = [1000, 9000];

export function watchForMissedFiles(options: MissedFilesOptions): { folderAdded: (folder: string) => void; close: () => void } {
  const rechecks = options.rechecksMs ?? RECHECK_AFTER_MS;
  const timers = new Set<NodeJS.Timeout>();
  const settling = new Set<string>();
  // Taken once: chokidar still does not know a file taken here, and the next read must not take
  // it again. A change to it later reaches chokidar through the folder's own watch.
  const taken = new Set<string>();
  let due = new Map<string, number>();
  let closed = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  // chokidar builds the whole list on each call: one copy serves everything in the same turn.
  let cached: Record<string, string[]> | undefined;
  const known = () => {
    if (!cached) {
      cached = options.known();
      setImmediate(() => (cached = undefined));
    }
    return cached;
  };
  const isKnown = (file: string) => known()[path.dirname(file)]?.includes(path.basename(file)) ?? false;

  /** Takes a missed file once two looks `stableMs` apart see the same size and mtime. */
  const settle = (file: string, before: fs.Stats | undefined) => {
    fs.promises.lstat(file).then(
      (now) => {
        if (closed) return;
        if (isKnown(file)) {
          settling.delete(file);
          return;
        }
        if (before && now.size === before.size && now.mtimeMs === before.mtimeMs) {
          settling.delete(file);
          taken.add(file);
          options.take(file);
          return;
        }
        later(options.stableMs, () => settle(file, now));
      },
      () => settling.delete(file), // gone: nothing to take
    );
  };

  // Folders due at the same moment are read in one run: a tree of thousands of new folders is not
  // thousands of copies of chokidar's list.
  const run = async () => {
    const folders = due;
    due = new Map();
    for (const [folder, round] of folders) {
      if (closed) return;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError(error as Error);
        continue;
      }
      const names = new Set(known()[folder] ?? []);
      for (const entry of entries) {
        const full = path.join(folder, entry.name);
        if (names.has(entry.name) || settling.has(full) || taken.has(full) || options.ignored(full)) continue;
        if (entry.isDirectory()) options.watch(full);
        else {
          settling.add(full);
          settle(full, undefined);
        }
      }
      if (round + 1 < rechecks.length) schedule(folder, round + 1);
    }
  };
  const schedule = (folder: string, round: number) =>
    later(rechecks[round] ?? 0, () => {
      const first = due.size === 0;
      due.set(folder, round);
      if (first) setImmediate(() => void run().catch((error: unknown) => options.onError(error as Error)));
    });

  return {
    folderAdded: (folder) => {
      if (!closed && rechecks.length > 0) schedule(path.resolve(folder), 0);
    },
    close: () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
