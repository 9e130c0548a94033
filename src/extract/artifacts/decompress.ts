import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { DoccatError } from '../../errors.js';
import { StopReading } from './listing.js';

/**
 * Decompressors that stream a file into a sink, chunk by chunk: nothing is unpacked to disk or
 * held whole in memory, and the sink stops them (StopReading) when its budget is spent. gzip is
 * Node's zlib; zstd (fzstd), xz (xz-decompress, WebAssembly) and bzip2 (seek-bzip) are pure
 * JavaScript or WebAssembly, so a hostile stream is an exception, never a crash.
 */

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export interface Sink {
  push(chunk: Uint8Array): void;
}

const CHUNK = 256 * 1024;

/** Which compression a stream starts with, from its magic bytes. */
export function compressionOf(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Streams `length` bytes of the file from `start`, decompressed, into the sink. Returns normally when the sink stopped it. */
export async function decompressInto(filePath: string, compression: Compression, sink: Sink, range: { start: number; length: number }): Promise<void> {
  try {
    await run(filePath, compression, sink, range);
  } catch (error) {
    if (error instanceof StopReading) return;
    if (error instanceof DoccatError) throw error;
    throw new DoccatError('E_MALFORMED', `the ${compression} stream is damaged: ${(error as Error).message}`, {
      hint: 'the archive may be truncated; build or download it again',
      cause: error,
    });
  }
}

function fileStream(filePath: string, range: { start: number; length: number }): fs.ReadStream {
  return fs.createReadStream(filePath, { start: range.start, end: range.start + range.length - 1, highWaterMark: CHUNK });
}

async function run(filePath: string, compression: Compression, sink: Sink, range: { start: number; length: number }): Promise<void> {
  if (range.length <= 0) return;
  switch (compression) {
    case 'none': {
      const stream = fileStream(filePath, range);
      try {
        for await (const chunk of stream) sink.push(chunk as Buffer);
      } finally {
        stream.destroy();
      }
      return;
    }
    case 'gzip': {
      const source = fileStream(filePath, range);
      const gunzip = zlib.createGunzip({ chunkSize: CHUNK });
      source.pipe(gunzip);
      try {
        for await (const chunk of gunzip) sink.push(chunk as Buffer);
      } finally {
        source.destroy();
        gunzip.destroy();
      }
      return;
    }
    case 'zstd': {
      const { Decompress } = await import('fzstd');
      const decoder = new Decompress((data) => sink.push(data));
      const source = fileStream(filePath, range);
      try {
        for await (const chunk of source) decoder.push(chunk as Buffer);
        decoder.push(new Uint8Array(0), true);
      } finally {
        source.destroy();
      }
      return;
    }
    case 'xz': {
      // A webpack-built CommonJS module: Node's ESM loader sees only its default export.
      const xz = (await import('xz-decompress')) as typeof import('xz-decompress') & { default?: typeof import('xz-decompress') };
      const XzReadableStream = xz.XzReadableStream ?? xz.default?.XzReadableStream;
      const source = fileStream(filePath, range);
      const web = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>;
      const reader = new XzReadableStream(web).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          sink.push(value);
        }
      } finally {
        await reader.cancel().catch(() => undefined);
        source.destroy();
      }
      return;
    }
    case 'bzip2':
      return bunzip(filePath, sink, range);
  }
}

interface SeekBzip {
  decode(input: { readByte(): number; read(buffer: Uint8Array, offset: number, length: number): number; seek(position: number): void; eof(): boolean }, output: { writeByte(byte: number): void }, multistream?: boolean): void;
}

/** seek-bzip decodes synchronously, a byte at a time: the file is read in blocks, the output flushed in blocks. */
async function bunzip(filePath: string, sink: Sink, range: { start: number; length: number }): Promise<void> {
  // seek-bzip is CommonJS without types: its one entry point, typed above.
  const module = (await import('seek-bzip')) as unknown as { default: SeekBzip };
  const fd = fs.openSync(filePath, 'r');
  const inBuffer = Buffer.alloc(CHUNK);
  let inLength = 0;
  let inPosition = 0;
  let consumed = 0;
  const refill = () => {
    const want = Math.min(CHUNK, range.length - consumed);
    inLength = want > 0 ? fs.readSync(fd, inBuffer, 0, want, range.start + consumed) : 0;
    consumed += inLength;
    inPosition = 0;
  };
  const out = Buffer.alloc(CHUNK);
  let outLength = 0;
  const flush = () => {
    if (outLength === 0) return;
    const chunk = Buffer.from(out.subarray(0, outLength));
    outLength = 0;
    sink.push(chunk);
  };
  try {
    module.default.decode(
      {
        readByte() {
          if (inPosition >= inLength) refill();
          return inPosition < inLength ? (inBuffer[inPosition++] as number) : -1;
        },
        read(buffer: Uint8Array, offset: number, length: number) {
          let done = 0;
          while (done < length) {
            if (inPosition >= inLength) refill();
            if (inPosition >= inLength) break;
            buffer[offset + done++] = inBuffer[inPosition++] as number;
          }
          return done;
        },
        seek() {
          throw new Error('seeking is not supported');
        },
        eof() {
          if (inPosition >= inLength) refill();
          return inPosition >= inLength;
        },
      },
      {
        writeByte(byte: number) {
          out[outLength++] = byte;
          if (outLength === CHUNK) flush();
        },
      },
      true,
    );
    flush();
  } finally {
    fs.closeSync(fd);
  }
}
