import { type Listing, MEMBER_BYTES, StopReading } from './listing.js';
import type { MemberWriter } from './unpacker.js';

/**
 * A tar stream read as it arrives (from any decompressor): ustar and GNU headers, GNU long
 * names and PAX `path`/`size` records. Member data is skipped, except for members the listing
 * wants (at most MEMBER_BYTES each). Written here rather than taken from tar-stream: the reader
 * must stop at an exact byte and entry budget, and skip data without a stream per member.
 */
export class TarReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current member's data (and its padding) still to come. */
  private skip = 0;
  private collecting: { name: string; size: number; chunks: Buffer[]; got: number; purpose: 'member' | 'longname' | 'pax' } | undefined;
  private nextName: string | undefined;
  /** The member being unpacked (ingest --unpack), if any. */
  private writing: MemberWriter | undefined;
  private nextSize: number | undefined;
  private zeroBlocks = 0;
  private headers = 0;
  ended = false;

  constructor(private readonly listing: Listing) {}

  /** True once at least one valid header was read: the stream is a tar. */
  get isTar(): boolean {
    return this.headers > 0;
  }

  push(chunk: Uint8Array): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0 && !this.ended) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, data.length);
        if (this.collecting) this.collect(data.subarray(0, take));
        this.writing?.write(data.subarray(0, take));
        this.skip -= take;
        data = data.subarray(take);
        if (this.skip === 0) this.finishMember();
        continue;
      }
      const need = 512 - this.pendingBytes;
      const take = Math.min(need, data.length);
      this.pending.push(data.subarray(0, take));
      this.pendingBytes += take;
      data = data.subarray(take);
      if (this.pendingBytes === 512) {
        const block = Buffer.concat(this.pending, 512);
        this.pending = [];
        this.pendingBytes = 0;
        this.header(block);
      }
    }
  }

  private collect(part: Buffer): void {
    const target = this.collecting;
    if (!target || target.got >= target.size) return;
    const piece = part.subarray(0, target.size - target.got);
    target.chunks.push(Buffer.from(piece));
    target.got += piece.length;
  }

  private finishMember(): void {
    this.writing?.close();
    this.writing = undefined;
    this.finishCollecting();
  }

  /** The stream ended early (a budget, a cut archive): a member half written is discarded. */
  abandon(): void {
    this.writing?.close();
    this.writing = undefined;
  }

  private finishCollecting(): void {
    const done = this.collecting;
    this.collecting = undefined;
    if (!done) return;
    const content = Buffer.concat(done.chunks);
    if (done.purpose === 'member') this.listing.keep(done.name, content);
    else if (done.purpose === 'longname') this.nextName = content.toString('utf8').replace(/\0.*$/s, '');
    else {
      // PAX records: "<length> <key>=<value>\n".
      for (const record of content.toString('utf8').split('\n')) {
        const match = /^\d+ ([^=]+)=(.*)$/s.exec(record);
        if (match?.[1] === 'path') this.nextName = match[2] as string;
        if (match?.[1] === 'size' && /^\d+$/.test(match[2] as string)) this.nextSize = Number(match[2]);
      }
    }
  }

  private header(block: Buffer): void {
    if (block.every((byte) => byte === 0)) {
      this.zeroBlocks += 1;
      if (this.zeroBlocks >= 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!validChecksum(block)) {
      if (this.headers === 0) throw new NotTar();
      // A damaged stream: what was listed so far stands.
      this.listing.truncated ??= 'the archive is damaged past this point';
      this.ended = true;
      return;
    }
    this.headers += 1;
    const type = String.fromCharCode(block[156] ?? 0);
    const declared = this.nextSize ?? readNumber(block.subarray(124, 136));
    const size = Number.isSafeInteger(declared) && declared >= 0 ? declared : 0;
    const padded = Math.ceil(size / 512) * 512;
    if (type === 'L' || type === 'x' || type === 'g' || type === 'K') {
      // Records about the next member: kept when small (a name, a few PAX keys), else skipped.
      const purpose = type === 'L' ? 'longname' : type === 'x' ? 'pax' : undefined;
      this.nextSize = undefined;
      if (purpose && size <= 64 * 1024) this.collecting = { name: '', size, chunks: [], got: 0, purpose };
      this.skip = padded;
      if (padded === 0) this.finishCollecting();
      return;
    }
    const magic = block.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' ? cField(block, 345, 155) : '';
    const rawName = this.nextName ?? (prefix ? `${prefix}/${cField(block, 0, 100)}` : cField(block, 0, 100));
    this.nextName = undefined;
    this.nextSize = undefined;
    const name = rawName.replace(/^\.\//, '').replace(/\/$/, '');
    const kind = type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'directory' : type === '1' || type === '2' ? 'link' : 'other';
    const dataSize = kind === 'directory' || kind === 'link' ? 0 : size;
    if (name !== '' && name !== '.') this.listing.add({ name, size: kind === 'file' ? size : 0, kind });
    this.skip = Math.ceil(dataSize / 512) * 512;
    if (kind === 'file' && size <= MEMBER_BYTES && this.listing.wants(name)) this.collecting = { name, size, chunks: [], got: 0, purpose: 'member' };
    if (kind === 'file') this.writing = this.listing.unpacker?.open(name, size);
    if (this.skip === 0) this.finishMember();
  }
}

/** The first block is not a tar header: the stream is something else (a gzipped log). */
export class NotTar extends Error {
  constructor() {
    super('not a tar stream');
  }
}

function cField(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
}

/** Octal, or GNU's base-256 for sizes over 8 GB (high bit of the first byte set). */
function readNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = 0;
    for (let index = 1; index < field.length; index += 1) value = value * 256 + (field[index] as number);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function validChecksum(block: Buffer): boolean {
  const stored = readNumber(block.subarray(148, 156));
  let sum = 0;
  for (let index = 0; index < 512; index += 1) sum += index >= 148 && index < 156 ? 32 : (block[index] as number);
  return sum === stored;
}

/** Feeds a tar reader, stopping the decoder once the listing's byte budget is spent. */
export function tarSink(reader: TarReader, listing: Listing, maxBytes: number): { push(chunk: Uint8Array): void; read: number } {
  const sink = {
    read: 0,
    push(chunk: Uint8Array) {
      const room = maxBytes - sink.read;
      const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      sink.read += part.byteLength;
      reader.push(part);
      if (reader.ended) throw new StopReading();
      if (sink.read >= maxBytes) {
        listing.truncated ??= `the listing stopped after ${Math.round(maxBytes / 1024 / 1024)} MB of unpacked data (ingest.archiveListMb)`;
        throw new StopReading();
      }
    },
  };
  return sink;
}
