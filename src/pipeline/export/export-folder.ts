import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import * as z from 'zod';
import { DoccatError, ExitCode } from '../../errors.js';
import { folderProblem, makeFolder } from '../../system/folders.js';
import { isProcessAlive } from '../../system/process.js';
import { containedFolder, isInside, RefusedError } from '../contained-files.js';
import { isSafeRelativePath, relativePath } from './manifest.js';
import { hashFile } from '../hash-file.js';

/**
 * The export folder as doccat writes it. Everything doccat puts there is recorded, before it is
 * put in place, in `.doccat/written.ndjson` (appended and fsynced; compacted at the end of a run):
 * a file counts as doccat's only while it is still the very file written (same inode, size and
 * modification time). That record is what makes an export resumable after kill -9 (a file
 * already written is not copied again), what `--prune` may remove (nothing else, ever), and how a
 * file of someone else's at a name doccat wants is recognised and left alone.
 *
 * Writes go to `.doccat/tmp/<pid>.<random>` (0600), are hashed on the way and read back and
 * hashed again before they are linked into place; folders are made one level at a time and a
 * link at any level is refused, so nothing is written, replaced or deleted outside the folder.
 */

const STATE_DIR = '.doccat';
const TEMP_DIR = `${STATE_DIR}/tmp`;
const RECORD_FILE = `${STATE_DIR}/written.ndjson`;
const LOCK_FILE = `${STATE_DIR}/lock`;

const recordSchema = z
  .object({
    path: relativePath,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().min(0),
    fileId: z.string().max(64),
    mtimeMs: z.number(),
  })
  .strict();
export type WrittenFile = z.infer<typeof recordSchema>;

export interface FileIdentity {
  fileId: string;
  size: number;
  mtimeMs: number;
}

export class ExportFolder {
  /**
   * Records by path. A path may have several: one whose file never got into place (kill -9
   * between the record and the rename) must not hide the earlier one that is still there.
   */
  private readonly records = new Map<string, WrittenFile[]>();
  private recordHandle: fsp.FileHandle | undefined;

  private constructor(
    /** The real path of the export folder. */
    readonly root: string,
  ) {}

  /** Opens (creating it 0700 if needed) and locks the folder, clears temp files of dead writers, and reads the record. */
  static async open(directory: string): Promise<ExportFolder> {
    const resolved = path.resolve(directory);
    let created: boolean;
    try {
      created = makeFolder(resolved);
    } catch (error) {
      throw new DoccatError('E_EXPORT_FOLDER', `cannot create the export folder ${resolved}: ${folderProblem(error)}`, { hint: 'check the path and its permissions', exitCode: ExitCode.usage });
    }
    if (created) await fsp.chmod(resolved, 0o700);
    const root = await fsp.realpath(resolved);
    if (!(await fsp.stat(root)).isDirectory()) throw new DoccatError('E_EXPORT_FOLDER', `${resolved} is not a folder`, { hint: 'name a folder to export into', exitCode: ExitCode.usage });
    const folder = new ExportFolder(root);
    await containedFolder(root, TEMP_DIR);
    await folder.lock();
    try {
      await folder.clearTemp();
      await folder.readRecord();
    } catch (error) {
      await folder.unlock();
      throw error;
    }
    return folder;
  }

  private async lock(): Promise<void> {
    const lockPath = path.join(this.root, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await fsp.writeFile(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number((await fsp.readFile(lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner)) {
          throw new DoccatError('E_EXPORT_BUSY', `another doccat export (pid ${owner}) is writing into ${this.root}`, { hint: 'wait for it to finish, or export into another folder', exitCode: ExitCode.usage });
        }
        // Left by an export that was killed.
        await fsp.rm(lockPath, { force: true });
      }
    }
    throw new DoccatError('E_EXPORT_BUSY', `could not lock ${this.root}`, { hint: 'run the export again', exitCode: ExitCode.usage });
  }

  private async unlock(): Promise<void> {
    await fsp.rm(path.join(this.root, LOCK_FILE), { force: true });
  }

  private async clearTemp(): Promise<void> {
    const temp = path.join(this.root, TEMP_DIR);
    for (const name of await fsp.readdir(temp)) {
      const writer = Number(name.split('.')[0]);
      if (writer !== process.pid && !isProcessAlive(writer)) await fsp.rm(path.join(temp, name), { force: true, recursive: true });
    }
  }

  /** Loads the record; a torn last line (kill -9 while appending) or a line that is not a safe record is ignored. */
  private async readRecord(): Promise<void> {
    const recordPath = path.join(this.root, RECORD_FILE);
    const stat = await fsp.lstat(recordPath).catch(() => undefined);
    if (stat && !stat.isFile()) throw new DoccatError('E_EXPORT_FOLDER', `${recordPath} is not a regular file`, { hint: 'remove it; doccat keeps its record of written files there', exitCode: ExitCode.usage });
    const text = stat ? await fsp.readFile(recordPath, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      const record = recordSchema.safeParse(parsed);
      if (record.success) this.remember(record.data);
    }
    this.recordHandle = await fsp.open(recordPath, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
  }

  /** The record of a path, if doccat wrote it and it is still that file. */
  async ours(relative: string): Promise<WrittenFile | undefined> {
    const records = this.records.get(relative);
    if (!records) return undefined;
    const identity = await this.identity(relative);
    return identity && records.find((record) => sameIdentity(identity, record));
  }

  private remember(record: WrittenFile): void {
    const records = this.records.get(record.path);
    if (records) records.push(record);
    else this.records.set(record.path, [record]);
  }

  /** Whether anything (a file, a folder, a link) is at a path. */
  async occupied(relative: string): Promise<boolean> {
    return (await fsp.lstat(path.join(this.root, relative)).catch(() => undefined)) !== undefined;
  }

  /** Paths doccat has written, as recorded. */
  recordedPaths(): string[] {
    return [...this.records.keys()];
  }

  /**
   * Writes a file at `relative`: streamed into a temp file while hashing, compared with
   * `expectedSha256` (when the bytes come from a blob), read back and hashed again, recorded,
   * then put in place. An existing file is replaced only when it is doccat's own; otherwise
   * E_EXPORT_NAME_TAKEN (the caller picks another name).
   */
  async write(relative: string, body: Readable | Buffer, expectedSha256?: string): Promise<WrittenFile> {
    if (!isSafeRelativePath(relative)) throw unsafePath(relative, 'is not a plain relative path');
    const target = await this.placeFor(relative);
    const temp = path.join(this.root, TEMP_DIR, `${process.pid}.${randomBytes(8).toString('hex')}`);
    const handle = await fsp.open(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(body) ? [body] : (body as AsyncIterable<Buffer>);
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
      }
      await handle.sync();
      await handle.close();
      const sha256 = hash.digest('hex');
      if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
        throw new DoccatError('E_BLOB_CORRUPT', `the stored bytes hash to ${sha256.slice(0, 12)}…, not ${expectedSha256.slice(0, 12)}…`, { hint: 'run `doccat storage verify --repair`, then export again', exitCode: ExitCode.someFailed });
      }
      // Verified after writing: what the filesystem gives back is what was meant to be written.
      const back = await hashFile(temp);
      if (back.sha256 !== sha256 || back.size !== size) {
        throw new DoccatError('E_EXPORT_VERIFY', `${relative}: the file read back differs from what was written`, { hint: 'check the disk of the export folder', exitCode: ExitCode.someFailed });
      }
      const stat = await fsp.stat(temp, { bigint: true });
      const record: WrittenFile = { path: relative, sha256, size, fileId: `${stat.dev}:${stat.ino}`, mtimeMs: Number(stat.mtimeNs / 1_000_000n) };
      await this.append(record);
      this.remember(record);
      await this.place(temp, target, relative);
      return record;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  /** The real folder a path goes into (made as needed, no link at any level) and its full path. */
  private async placeFor(relative: string): Promise<string> {
    const directory = path.dirname(relative);
    try {
      const folder = directory === '.' ? this.root : await containedFolder(this.root, directory.split('/').join(path.sep));
      return path.join(folder, path.basename(relative));
    } catch (error) {
      if (error instanceof RefusedError) throw unsafePath(relative, error.refusal.message);
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR' || (error as NodeJS.ErrnoException).code === 'EEXIST') throw nameTaken(relative);
      throw error;
    }
  }

  private async place(temp: string, target: string, relative: string): Promise<void> {
    const existing = await fsp.lstat(target).catch(() => undefined);
    if (existing) {
      if (!existing.isFile() || !(await this.ours(relative))) throw nameTaken(relative);
      await fsp.rename(temp, target);
    } else {
      // link, not rename: it fails instead of replacing a file that appeared meanwhile.
      try {
        await fsp.link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw nameTaken(relative);
        throw error;
      }
      await fsp.rm(temp, { force: true });
    }
    await fsyncFolder(path.dirname(target));
  }

  private async append(record: WrittenFile): Promise<void> {
    const handle = this.recordHandle as fsp.FileHandle;
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.sync();
  }

  /**
   * Removes files doccat wrote that are not in `keep`, each only while it is still the file
   * written (a file changed since is left, and no longer counted as doccat's), then folders left
   * empty on their way up. Returns what was removed and what was kept.
   */
  async prune(keep: ReadonlySet<string>): Promise<{ removed: string[]; kept: string[] }> {
    const removed: string[] = [];
    const kept: string[] = [];
    for (const relative of [...this.records.keys()]) {
      if (keep.has(relative)) continue;
      const identity = await this.identity(relative);
      if (!identity) {
        this.records.delete(relative);
        continue;
      }
      if (!(await this.ours(relative))) {
        kept.push(relative);
        this.records.delete(relative);
        continue;
      }
      await fsp.unlink(path.join(this.root, relative));
      this.records.delete(relative);
      removed.push(relative);
      await this.removeEmptyFolders(path.dirname(relative));
    }
    return { removed, kept };
  }

  private async removeEmptyFolders(relativeDir: string): Promise<void> {
    for (let current = relativeDir; current !== '.' && current !== '' && current !== STATE_DIR; current = path.dirname(current)) {
      const full = path.join(this.root, current);
      const stat = await fsp.lstat(full).catch(() => undefined);
      if (!stat?.isDirectory()) return;
      try {
        await fsp.rmdir(full);
      } catch {
        return;
      }
    }
  }

  /**
   * Ends the run: the record is rewritten with only the files that are still doccat's, atomically,
   * and the lock is released.
   */
  async close(): Promise<void> {
    try {
      const lines: string[] = [];
      for (const relative of [...this.records.keys()].sort()) {
        const record = await this.ours(relative);
        if (record) lines.push(JSON.stringify(record));
      }
      await this.recordHandle?.close();
      this.recordHandle = undefined;
      await this.writeAtomically(RECORD_FILE, Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : ''));
    } finally {
      await this.recordHandle?.close().catch(() => undefined);
      await this.unlock();
    }
  }

  /** Writes a file of doccat's own (the manifest, the record) by temp file, fsync and rename. */
  async writeAtomically(relative: string, content: Buffer | ((tempPath: string) => Promise<void>)): Promise<void> {
    const temp = path.join(this.root, TEMP_DIR, `${process.pid}.${randomBytes(8).toString('hex')}`);
    const target = path.join(this.root, relative);
    const existing = await fsp.lstat(target).catch(() => undefined);
    if (existing && !existing.isFile()) throw unsafePath(relative, 'is not a regular file');
    try {
      if (typeof content === 'function') await content(temp);
      else {
        await fsp.writeFile(temp, content, { flag: 'wx', mode: 0o600 });
        const handle = await fsp.open(temp, 'r');
        await handle.sync();
        await handle.close();
      }
      await fsp.rename(temp, target);
      await fsyncFolder(path.dirname(target));
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  tempPath(): string {
    return path.join(this.root, TEMP_DIR, `${process.pid}.${randomBytes(8).toString('hex')}`);
  }

  /** The identity of what is at a path now, if it is a regular file reached without links. */
  private async identity(relative: string): Promise<FileIdentity | undefined> {
    if (!isSafeRelativePath(relative)) return undefined;
    let current = this.root;
    const segments = relative.split('/');
    for (const [index, segment] of segments.entries()) {
      current = path.join(current, segment);
      const stat = await fsp.lstat(current, { bigint: true }).catch(() => undefined);
      if (!stat) return undefined;
      const last = index === segments.length - 1;
      if (last ? !stat.isFile() : !stat.isDirectory()) return undefined;
      if (last) return identityOf(stat);
    }
    return undefined;
  }

  /** True when a path resolves inside the export folder (for paths given by people). */
  contains(filePath: string): boolean {
    return isInside(filePath, this.root);
  }
}

function identityOf(stat: fs.BigIntStats): FileIdentity {
  return { fileId: `${stat.dev}:${stat.ino}`, size: Number(stat.size), mtimeMs: Number(stat.mtimeNs / 1_000_000n) };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.fileId === b.fileId && a.size === b.size && a.mtimeMs === b.mtimeMs;
}


async function fsyncFolder(folder: string): Promise<void> {
  const handle = await fsp.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function nameTaken(relative: string): DoccatError {
  return new DoccatError('E_EXPORT_NAME_TAKEN', `${relative} is taken by a file doccat did not write`, { hint: 'doccat never replaces files it did not write; another name is chosen', exitCode: ExitCode.someFailed });
}

function unsafePath(relative: string, why: string): DoccatError {
  return new DoccatError('E_EXPORT_UNSAFE_PATH', `${relative}: ${why}; nothing is written through it`, { hint: 'remove the link (or file) in the export folder, or export into another folder', exitCode: ExitCode.someFailed });
}
