import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The folder extraction children hand their OCR pages over in: private to this user (mkdtemp
 * makes it 0700; the pages are the documents' pixels), named for this process, removed when the
 * pool closes. Folders of earlier doccat processes that are gone (a kill -9 leaves its folder and
 * the pages in flight) are removed on the way in.
 */
export function createPageFolder(): string {
  removeLeftoverFolders();
  return fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
}

export function removePageFolder(folder: string): void {
  fs.rmSync(folder, { recursive: true, force: true });
}

/**
 * A page file a child named, if it is one: directly inside the pool's folder. The child parses
 * hostile files; it does not get to point the parent's OCR engine anywhere else.
 */
export function pageFileIn(folder: string, file: string): string | undefined {
  const resolved = path.resolve(file);
  return path.dirname(resolved) === folder && path.basename(resolved).endsWith(PAGE_SUFFIX) ? resolved : undefined;
}

/** Where a child writes one page. */
export function pageFile(folder: string, id: number): string {
  return path.join(folder, `${process.pid}-${id}${PAGE_SUFFIX}`);
}

const PREFIX = 'doccat-pages-';
const PAGE_SUFFIX = '.page';
/** A page folder's name, with the pid of the process it belongs to. */
const LEFTOVER = new RegExp(`^${PREFIX}(\\d+)-`);

function removeLeftoverFolders(): void {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(LEFTOVER.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    const folder = path.join(os.tmpdir(), name);
    try {
      // Only our own folders, not links: another user's name in a shared /tmp is not ours to remove.
      const stat = fs.lstatSync(folder);
      if (stat.isDirectory() && (uid === undefined || stat.uid === uid)) removePageFolder(folder);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
