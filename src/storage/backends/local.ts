import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { assertSafeKey, blobKey, blobMissing, checksumMismatch, fileChangedIfMismatch, hashingStream, type BlobHead, type BlobStore, type HealthResult, type PutFileOptions, type PutResult } from '../blob-store.js';
import { DoccatError, ExitCode } from '../../errors.js';
import { folderProblem, makeFolder } from '../../system/folders.js';
import { isProcessAlive } from '../../system/process.js';

const TEMP_DIR = '.tmp';
/** Temp files older than this are leftovers of a killed process and can go. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Blobs are the user's documents: readable by the owner only. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

/**
 * Content-addressed folder: <root>/sha256/ab/cd/<sha256>. Writes go to a temp file in the same
 * filesystem, are fsynced, then renamed into place, so a blob is either absent or complete.
 * Files are 0600 in folders 0700.
 */
export class LocalBlobStore implements BlobStore {
  readonly type = 'local';
  readonly capabilities = { presign: false };

  private constructor(
    readonly name: string,
    private readonly root: string,
  ) {}

  static async open(name: string, root: string): Promise<LocalBlobStore> {
    const resolved = path.resolve(root);
    try {
      makeFolder(path.join(resolved, TEMP_DIR), FOLDER_MODE);
    } catch (error) {
      throw new DoccatError('E_STORAGE_UNAVAILABLE', `${name}: cannot create blob folder ${resolved}: ${folderProblem(error)}`, {
        hint: 'check that the catalogue folder is writable',
        exitCode: ExitCode.backendUnavailable,
        cause: error,
      });
    }
    const store = new LocalBlobStore(name, resolved);
    await store.removeStaleTempFiles();
    return store;
  }

  async put(body: Readable, expectedSha256: string): Promise<PutResult> {
    const key = blobKey(expectedSha256);
    const finalPath = this.pathFor(key);
    await fsp.mkdir(path.dirname(finalPath), { recursive: true, mode: FOLDER_MODE });
    const tempPath = this.tempPath(expectedSha256);
    const hashing = hashingStream();
    try {
      await pipeline(body, hashing.stream, fs.createWriteStream(tempPath, { flags: 'wx', mode: FILE_MODE }));
      await fsyncPath(tempPath, 'r+');
      const { sha256, size } = hashing.result();
      if (sha256 !== expectedSha256) throw checksumMismatch(this.name, key, expectedSha256, sha256);
      await fsp.rename(tempPath, finalPath);
      await fsyncPath(path.dirname(finalPath), 'r');
      return { key, size, sha256, created: true, backend: this.name };
    } catch (error) {
      await fsp.rm(tempPath, { force: true });
      throw error;
    }
  }

  /**
   * Always writes: a blob already under the key is replaced atomically by the verified bytes, so
   * a damaged copy of the right size is healed instead of trusted. A file given away (`take`) is
   * renamed into place, which costs no copy on the same filesystem.
   */
  async putFile(filePath: string, expectedSha256: string, options: PutFileOptions = {}): Promise<PutResult> {
    const key = blobKey(expectedSha256);
    const existed = (await this.head(key)) !== undefined;
    if (options.take) {
      const finalPath = this.pathFor(key);
      await fsp.mkdir(path.dirname(finalPath), { recursive: true, mode: FOLDER_MODE });
      const handle = await fsp.open(filePath, 'r+');
      let size: number;
      try {
        await handle.chmod(FILE_MODE);
        await handle.sync();
        size = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      try {
        await fsp.rename(filePath, finalPath);
        await fsyncPath(path.dirname(finalPath), 'r');
        return { key, size, sha256: expectedSha256, created: !existed, backend: this.name };
      } catch (error) {
        // Another filesystem: copy it like any other file.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      }
    }
    try {
      return { ...(await this.put(fs.createReadStream(filePath), expectedSha256)), created: !existed };
    } catch (error) {
      throw fileChangedIfMismatch(error);
    }
  }

  async putSmall(key: string, bytes: Buffer): Promise<void> {
    const finalPath = this.pathFor(key);
    await fsp.mkdir(path.dirname(finalPath), { recursive: true, mode: FOLDER_MODE });
    const tempPath = this.tempPath('small');
    try {
      await fsp.writeFile(tempPath, bytes, { flag: 'wx', mode: FILE_MODE });
      await fsyncPath(tempPath, 'r+');
      await fsp.rename(tempPath, finalPath);
      await fsyncPath(path.dirname(finalPath), 'r');
    } catch (error) {
      await fsp.rm(tempPath, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const filePath = this.pathFor(key);
    try {
      await fsp.access(filePath);
    } catch (error) {
      throw blobMissing(this.name, key, error);
    }
    return fs.createReadStream(filePath);
  }

  async head(key: string): Promise<BlobHead | undefined> {
    try {
      const stat = await fsp.stat(this.pathFor(key));
      return stat.isFile() ? { key, size: stat.size, modified: stat.mtime } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathFor(key), { force: true });
  }

  async *list(prefix = ''): AsyncIterable<BlobHead> {
    // Start below the folders the prefix names: listing catalogs/ must not walk every blob.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder !== '') assertSafeKey(this.name, folder);
    for await (const filePath of walkFiles(path.join(this.root, folder))) {
      const key = path.relative(this.root, filePath).split(path.sep).join('/');
      if (key.startsWith(`${TEMP_DIR}/`) || !key.startsWith(prefix)) continue;
      const stat = await fsp.stat(filePath).catch(() => undefined);
      if (stat) yield { key, size: stat.size, modified: stat.mtime };
    }
  }

  async locate(key: string): Promise<string> {
    return this.pathFor(key);
  }

  async check(): Promise<HealthResult> {
    const started = performance.now();
    const probe = path.join(this.root, TEMP_DIR, `health.${process.pid}.${randomBytes(6).toString('hex')}`);
    const bytes = randomBytes(64);
    try {
      await fsp.writeFile(probe, bytes, { flag: 'wx' });
      const back = await fsp.readFile(probe);
      if (!back.equals(bytes)) throw new Error('read back different bytes than were written');
    } catch (error) {
      throw new DoccatError('E_STORAGE_UNAVAILABLE', `${this.name}: the blob folder ${this.root} failed a write/read probe: ${(error as Error).message}`, {
        hint: 'check free space and permissions of the folder',
        exitCode: ExitCode.backendUnavailable,
        cause: error,
      });
    } finally {
      await fsp.rm(probe, { force: true });
    }
    return { latencyMs: performance.now() - started };
  }

  /** Temp names carry the writer's pid, so that leftovers of a killed writer can be removed. */
  private tempPath(label: string): string {
    return path.join(this.root, TEMP_DIR, `${label}.${process.pid}.${randomBytes(6).toString('hex')}`);
  }

  /** Maps a key to a path, refusing any key that would escape the store's root. */
  private pathFor(key: string): string {
    assertSafeKey(this.name, key);
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(this.root + path.sep) || resolved.startsWith(path.join(this.root, TEMP_DIR) + path.sep)) {
      throw new DoccatError('E_STORAGE_KEY', `${this.name}: key escapes the blob folder: ${key}`);
    }
    return resolved;
  }

  private async removeStaleTempFiles(): Promise<void> {
    const tempDir = path.join(this.root, TEMP_DIR);
    const now = Date.now();
    for (const name of await fsp.readdir(tempDir).catch(() => [] as string[])) {
      const filePath = path.join(tempDir, name);
      const stat = await fsp.stat(filePath).catch(() => undefined);
      if (!stat) continue;
      // Temp names carry the writer's pid; a temp file whose writer is gone was left by a crash.
      const writerPid = Number(name.split('.')[1]);
      if (now - stat.mtimeMs > STALE_TEMP_MS || (writerPid !== process.pid && !isProcessAlive(writerPid))) await fsp.rm(filePath, { force: true });
    }
  }
}

/** Data first, then the directory entry: after both, the blob survives a power cut. */
async function fsyncPath(target: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await fsp.open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* walkFiles(directory: string): AsyncIterable<string> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walkFiles(full);
    else if (entry.isFile()) yield full;
  }
}
