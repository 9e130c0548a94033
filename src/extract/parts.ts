import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files for the parts of a container, written into the private folder the pipeline made for it:
 * created exclusively, never through a link, readable by the owner only, hashed on the way.
 */

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
/** Written in pieces of this size at most (an mbox message is streamed, never held whole). */
const FLUSH_BYTES = 1024 * 1024;

export interface WrittenPart {
  path: string;
  sha256: string;
  size: number;
}

/** A part file being written piece by piece. */
export class PartWriter {
  private readonly hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(directory: string, name: string): Promise<PartWriter> {
    const filePath = path.join(directory, name);
    return new PartWriter(filePath, await fsp.open(filePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    const chunk = Buffer.from(bytes);
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async close(): Promise<WrittenPart> {
    await this.flush();
    await this.handle.close();
    return { path: this.path, sha256: this.hash.digest('hex'), size: this.size };
  }

  /** Closes and removes a part that will not be handed over. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fsp.rm(this.path, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buffer = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    for (let offset = 0; offset < buffer.length; ) offset += (await this.handle.write(buffer, offset, buffer.length - offset)).bytesWritten;
  }
}

export async function writePart(directory: string, name: string, bytes: Uint8Array): Promise<WrittenPart> {
  const writer = await PartWriter.create(directory, name);
  try {
    await writer.write(bytes);
    return await writer.close();
  } catch (error) {
    await writer.discard();
    throw error;
  }
}
