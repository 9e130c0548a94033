import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DoccatError, ExitCode, type ErrorInfo } from '../errors.js';
import { isProcessAlive } from '../system/process.js';
import { sameSource, snapshotOf, type SourceSnapshot } from './source-identity.js';
import { isInsideRoots, linkOutsideWarning, notRegularFileWarning, type SourcePolicy } from './walk.js';
import { CATALOG_FOLDER_HINT, folderProblem, makeFolder } from '../system/folders.js';

/**
 * A source file is opened once, checked through its descriptor, and read once: into a private
 * staged copy that every later stage (sniff, extract, store) reads, so the bytes hashed are the
 * bytes extracted and stored, whatever happens to the source meanwhile.
 */

/** A source file opened for reading, and what it was when opened. */
export interface OpenedSource {
  handle: FileHandle;
  snapshot: SourceSnapshot;
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
// Absent on Windows, where there are no FIFOs to block on and links are not followed by open.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * Opens a source without blocking (a FIFO swapped in after the walk must not stall the run) and
 * without following a link in its last component unless the walk chose to follow it. What the
 * descriptor turns out to be decides: only a regular file inside the roots is read.
 */
export async function openSource(filePath: string, policy: SourcePolicy, viaLink: boolean): Promise<{ source: OpenedSource } | { skipped: ErrorInfo }> {
  const follow = viaLink || policy.followSymlinks;
  let handle: FileHandle;
  try {
    handle = await fsp.open(filePath, O_RDONLY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
  } catch (error) {
    // The name became a symbolic link after the walk: decide as the walk would have.
    if (!follow && (error as NodeJS.ErrnoException).code === 'ELOOP' && (await fsp.lstat(filePath).catch(() => undefined))?.isSymbolicLink()) {
      const real = await fsp.realpath(filePath).catch(() => undefined);
      if (real === undefined || !isInsideRoots(policy, real)) return { skipped: linkOutsideWarning() };
      return openSource(filePath, policy, true);
    }
    throw error;
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile()) {
      await handle.close();
      return { skipped: notRegularFileWarning(stat) };
    }
    // A folder on the way may have been swapped for a link since the walk; where the descriptor
    // really leads is what counts.
    if (!policy.followSymlinks && policy.roots.length > 0) {
      const real = await descriptorPath(handle, filePath);
      if (real !== undefined && !isInsideRoots(policy, real)) {
        await handle.close();
        return { skipped: linkOutsideWarning() };
      }
    }
    return { source: { handle, snapshot: snapshotOf(stat) } };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** The real path of an open file: /proc on Linux; elsewhere the path resolved now. */
async function descriptorPath(handle: FileHandle, filePath: string): Promise<string | undefined> {
  if (process.platform === 'linux') {
    const target = await fsp.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (target?.startsWith('/') && !target.endsWith(' (deleted)')) return target;
  }
  return fsp.realpath(filePath).catch(() => undefined);
}

export interface ReadLimits {
  maxBytes: number;
  signal: AbortSignal;
}

/** A private copy of a source's bytes, with their hash. */
export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
  /** Removes the copy if it is still there (a blob store may have taken it by rename). */
  remove(): Promise<void>;
}

const CHUNK_BYTES = 1024 * 1024;
/** Staged copies older than this are leftovers, whoever made them. */
const STALE_MS = 24 * 60 * 60 * 1000;

/**
 * Private staged copies, in the catalogue folder (0700, files 0600). Names carry the writer's pid;
 * copies left by a process that is gone are removed when the area is opened.
 */
export class StagingArea {
  private constructor(readonly directory: string) {}

  static async open(directory: string): Promise<StagingArea> {
    try {
      makeFolder(directory);
    } catch (error) {
      // It lives in the catalogue folder, which Postgres and S3 alone never made before this.
      throw new DoccatError('E_CATALOG_FOLDER', `cannot create the staging folder ${directory}: ${folderProblem(error)}`, {
        hint: CATALOG_FOLDER_HINT,
        exitCode: ExitCode.usage,
        cause: error,
      });
    }
    await fsp.chmod(directory, 0o700);
    const now = Date.now();
    for (const name of await fsp.readdir(directory).catch(() => [] as string[])) {
      const filePath = path.join(directory, name);
      const stat = await fsp.lstat(filePath).catch(() => undefined);
      if (!stat) continue;
      const writerPid = Number(name.split('.')[0]);
      if (now - stat.mtimeMs > STALE_MS || (writerPid !== process.pid && !isProcessAlive(writerPid))) await fsp.rm(filePath, { force: true, recursive: true });
    }
    return new StagingArea(directory);
  }

  /**
   * A new private folder (0700, this process's pid in its name, like every staged copy) for the
   * files an extraction process writes for a container's parts; removed with all it holds.
   */
  async folder(): Promise<{ path: string; remove(): Promise<void> }> {
    const folderPath = path.join(this.directory, `${process.pid}.${randomBytes(8).toString('hex')}.parts`);
    await fsp.mkdir(folderPath, { mode: 0o700 });
    await fsp.chmod(folderPath, 0o700);
    return { path: folderPath, remove: () => fsp.rm(folderPath, { recursive: true, force: true }) };
  }

  /** Copies the source through its descriptor into a new private file, hashing on the way. */
  async stage(source: OpenedSource, limits: ReadLimits): Promise<StagedFile> {
    const stagedPath = path.join(this.directory, `${process.pid}.${randomBytes(8).toString('hex')}`);
    const remove = () => fsp.rm(stagedPath, { force: true });
    const out = await fsp.open(stagedPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    let read: { sha256: string; size: number };
    try {
      read = await readThrough(source, limits, async (chunk) => {
        for (let offset = 0; offset < chunk.length; ) offset += (await out.write(chunk, offset, chunk.length - offset)).bytesWritten;
      });
    } catch (error) {
      await out.close().catch(() => undefined);
      await remove();
      throw error;
    }
    await out.close();
    return { path: stagedPath, ...read, remove };
  }
}

/** The sha256 of a source read through its descriptor, copying nothing (dry runs). */
export function hashSource(source: OpenedSource, limits: ReadLimits): Promise<{ sha256: string; size: number }> {
  return readThrough(source, limits);
}

async function readThrough(source: OpenedSource, limits: ReadLimits, write?: (chunk: Buffer) => Promise<void>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  for (;;) {
    limits.signal.throwIfAborted();
    const { bytesRead } = await source.handle.read(buffer, 0, buffer.length, size);
    if (bytesRead === 0) break;
    size += bytesRead;
    // It grew past the limit after the walk looked at it: stop reading.
    if (size > limits.maxBytes) throw tooLarge(size, limits.maxBytes, 'at least ');
    const chunk = buffer.subarray(0, bytesRead);
    hash.update(chunk);
    if (write) await write(chunk);
  }
  // Written to while being read: the copy may mix old and new bytes, so it is not catalogued.
  if (size !== source.snapshot.size || !sameSource(snapshotOf(await source.handle.stat({ bigint: true })), source.snapshot)) {
    throw new DoccatError('E_FILE_CHANGED', 'the file changed while it was being read', { hint: 'wait until the file is completely written, then run ingest again' });
  }
  return { sha256: hash.digest('hex'), size };
}

export function tooLarge(size: number, maxBytes: number, qualifier = ''): DoccatError {
  return new DoccatError('E_FILE_TOO_LARGE', `the file is ${qualifier}${formatMb(size)}, over the ${formatMb(maxBytes)} limit`, { hint: 'raise ingest.maxFileSizeMb in the config if it really is a document' });
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
