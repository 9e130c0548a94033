import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { BlobHead, BlobStore, PutResult } from '../blob-store.js';
import { DoccatError, ExitCode } from '../../errors.js';

const TEMP_DIR = '.tmp';
/** Temp files older than this are leftovers of a killed process and can go. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Content-addressed folder: blobs/sha256/ab/cd/<sha256>. Writes go to a temp file in the same
 * filesystem, are fsynced, then renamed into place, so a blob is either absent or complete.
 */
export class LocalBlobStore implements BlobStore {
  readonly name = 'local';
  readonly capabilities = { presign: false, putFromFile: true };

  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<LocalBlobStore> {
    const resolved = path.resolve(root);
    try {
      await fsp.mkdir(path.join(resolved, TEMP_DIR), { recursive: true });
    } catch (error) {
      throw new DoccatError('E_STORAGE_UNAVAILABLE', `local: cannot create blob folder ${resolved}: ${(error as Error).message}`, {
        hint: 'check that the catalogue folder is writable',
        exitCode: ExitCode.backendUnavailable,
        cause: error,
      });
    }
    const store = new LocalBlobStore(resolved);
    await store.removeStaleTempFiles();
    return store;
  }

  keyFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DoccatError('E_STORAGE_KEY', `local: not a sha256: ${sha256}`);
    return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async putFile(filePath: string, expectedSha256: string): Promise<PutResult> {
    const key = this.keyFor(expectedSha256);
    const finalPath = this.pathFor(key);
    const existing = await this.head(key);
    if (existing) {
      // Same key means same content, unless a previous write was torn by a crash before rename,
      // which the temp-and-rename protocol prevents; still, verify cheaply by size.
      const { size } = await fsp.stat(filePath);
      if (existing.size === size) return { key, size, sha256: expectedSha256, created: false };
    }
    await fsp.mkdir(path.dirname(finalPath), { recursive: true });
    const tempPath = path.join(this.root, TEMP_DIR, `${expectedSha256}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        fs.createReadStream(filePath),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        fs.createWriteStream(tempPath, { flags: 'wx', mode: 0o644 }),
      );
      await fsyncPath(tempPath, 'r+');
      const actual = hash.digest('hex');
      if (actual !== expectedSha256) {
        throw new DoccatError('E_FILE_CHANGED', 'the file changed while it was being catalogued', {
          hint: 'wait until the file is completely written, then run ingest again',
        });
      }
      await fsp.rename(tempPath, finalPath);
      await fsyncPath(path.dirname(finalPath), 'r');
      return { key, size, sha256: actual, created: true };
    } catch (error) {
      await fsp.rm(tempPath, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const filePath = this.pathFor(key);
    await fsp.access(filePath);
    return fs.createReadStream(filePath);
  }

  async head(key: string): Promise<BlobHead | undefined> {
    try {
      const stat = await fsp.stat(this.pathFor(key));
      return stat.isFile() ? { key, size: stat.size } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathFor(key), { force: true });
  }

  async *list(prefix = ''): AsyncIterable<BlobHead> {
    const base = path.join(this.root, 'sha256');
    for await (const filePath of walkFiles(base)) {
      const key = path.relative(this.root, filePath).split(path.sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const stat = await fsp.stat(filePath);
      yield { key, size: stat.size };
    }
  }

  async locate(key: string): Promise<string> {
    return this.pathFor(key);
  }

  /** Maps a key to a path, refusing any key that would escape the store's root. */
  private pathFor(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (key.includes('\0') || !resolved.startsWith(this.root + path.sep) || resolved.startsWith(path.join(this.root, TEMP_DIR) + path.sep)) {
      throw new DoccatError('E_STORAGE_KEY', `local: key escapes the blob folder: ${key}`);
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
      const writerPid = Number(name.split('.')[1]);
      if (now - stat.mtimeMs > STALE_TEMP_MS || (writerPid !== process.pid && !isProcessAlive(writerPid))) await fsp.rm(filePath, { force: true });
    }
  }
}

/** Temp names carry the writer's pid; a temp file whose writer is gone was left by a crash. */
function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
