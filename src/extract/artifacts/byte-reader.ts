import fsp, { type FileHandle } from 'node:fs/promises';
import { DoccatError } from '../../errors.js';

/**
 * Reads ranges of a file, each bounded: headers of executables and archives say where their
 * tables are and how large, and a hostile file says anything. A range past the end of the file or
 * over `maxRange` is refused (E_MALFORMED) instead of being allocated.
 */
export class ByteReader {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(filePath: string): Promise<ByteReader> {
    const handle = await fsp.open(filePath, 'r');
    try {
      return new ByteReader(handle, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number, maxRange = 4 * 1024 * 1024): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw malformed(`a table at ${offset} (+${length}) lies outside the file (${this.size} bytes)`);
    }
    if (length > maxRange) throw malformed(`a table of ${length} bytes is larger than such tables are (${maxRange})`);
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buffer : buffer.subarray(0, done);
  }

  /** At most `length` bytes from `offset`, fewer at the end of the file. */
  async readUpTo(offset: number, length: number): Promise<Buffer> {
    return this.read(offset, Math.max(0, Math.min(length, this.size - offset)));
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

export function malformed(what: string): DoccatError {
  return new DoccatError('E_MALFORMED', `the file is damaged: ${what}`, {
    hint: 'the file may be truncated or not what its name says; build or download it again',
  });
}

/** A NUL-terminated string at an offset of a table (names in ELF string tables, PE, Mach-O). */
export function cString(buffer: Buffer, offset: number, max = 4096): string {
  if (offset < 0 || offset >= buffer.length) return '';
  const end = buffer.indexOf(0, offset);
  return buffer.toString('latin1', offset, Math.min(end < 0 ? buffer.length : end, offset + max));
}
