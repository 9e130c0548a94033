import zlib from 'node:zlib';
import type { ByteReader } from './byte-reader.js';
import { malformed } from './byte-reader.js';
import { MEMBER_BYTES, type Listing } from './listing.js';
import type { Unpacker } from './unpacker.js';

/**
 * A zip's listing from its central directory, read directly: names and sizes need no inflating,
 * so a zip bomb lists as quickly as any zip. Only members the listing wants (package metadata)
 * are inflated, each at most MEMBER_BYTES (zlib's maxOutputLength stops the inflater there).
 */

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** A central directory larger than this is read only this far. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export async function listZip(reader: ByteReader, listing: Listing): Promise<{ encrypted: boolean }> {
  const tailLength = Math.min(reader.size, 65_557);
  const tail = await reader.read(reader.size - tailLength, tailLength);
  let eocd = -1;
  for (let index = tail.length - 22; index >= 0; index -= 1) {
    if (tail.readUInt32LE(index) === EOCD) {
      eocd = index;
      break;
    }
  }
  if (eocd < 0) throw malformed('no zip central directory (the archive may be cut short)');
  let entries = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if ((entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const zip64At = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    const record = await reader.read(zip64At, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw malformed('the zip64 directory record is missing');
    entries = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  // Self-extracting archives and zips with data before them: the directory moved with the zip.
  const shift = reader.size - tailLength + eocd - (directoryOffset + directorySize);
  const base = shift > 0 && directoryOffset + directorySize <= reader.size ? shift : 0;
  const readable = Math.min(directorySize, MAX_DIRECTORY_BYTES);
  if (readable < directorySize) listing.truncated = `the zip's directory is larger than ${MAX_DIRECTORY_BYTES / 1024 / 1024} MB; only its first part is listed`;
  const directory = await reader.read(directoryOffset + base, readable, MAX_DIRECTORY_BYTES);
  let encrypted = false;
  const wanted: CentralEntry[] = [];
  let offset = 0;
  for (let index = 0; index < entries && offset + 46 <= directory.length; index += 1) {
    if (directory.readUInt32LE(offset) !== CENTRAL) {
      listing.truncated ??= 'the zip directory is damaged past this point';
      break;
    }
    const entry = centralEntry(directory, offset);
    if (!entry) break;
    offset = entry.next;
    if ((entry.value.flags & 1) !== 0) encrypted = true;
    const isDirectory = entry.value.name.endsWith('/');
    listing.add({ name: entry.value.name.replace(/\/$/, ''), size: isDirectory ? 0 : entry.value.size, kind: isDirectory ? 'directory' : 'file' });
    if (!isDirectory && (entry.value.flags & 1) === 0 && entry.value.size <= MEMBER_BYTES && listing.wants(entry.value.name)) wanted.push({ ...entry.value, localOffset: entry.value.localOffset + base });
  }
  for (const entry of wanted.slice(0, 16)) {
    const content = await readMember(reader, entry).catch(() => undefined);
    if (content) listing.keep(entry.name, content);
  }
  if (listing.unpacker) await unpackZip(reader, directory, entries, base, listing.unpacker);
  return { encrypted };
}

function centralEntry(directory: Buffer, offset: number): { value: CentralEntry; next: number } | undefined {
  const flags = directory.readUInt16LE(offset + 8);
  const method = directory.readUInt16LE(offset + 10);
  let compressedSize = directory.readUInt32LE(offset + 20);
  let size = directory.readUInt32LE(offset + 24);
  const nameLength = directory.readUInt16LE(offset + 28);
  const extraLength = directory.readUInt16LE(offset + 30);
  const commentLength = directory.readUInt16LE(offset + 32);
  let localOffset = directory.readUInt32LE(offset + 42);
  const next = offset + 46 + nameLength + extraLength + commentLength;
  if (next > directory.length) return undefined;
  // Bit 11: UTF-8 names; otherwise CP437, which for the ASCII names of build outputs is the same.
  const name = directory.toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
  // Zip64 extra field: 64-bit values for the fields set to 0xffffffff, in this order.
  let extra = offset + 46 + nameLength;
  const extraEnd = extra + extraLength;
  while (extra + 4 <= extraEnd) {
    const id = directory.readUInt16LE(extra);
    const length = directory.readUInt16LE(extra + 2);
    if (id === 0x0001) {
      let field = extra + 4;
      const take = () => {
        if (field + 8 > extra + 4 + length) return undefined;
        const value = Number(directory.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (size === 0xffffffff) size = take() ?? size;
      if (compressedSize === 0xffffffff) compressedSize = take() ?? compressedSize;
      if (localOffset === 0xffffffff) localOffset = take() ?? localOffset;
    }
    extra += 4 + length;
  }
  return { value: { name, method, flags, compressedSize, size, localOffset }, next };
}

/** ingest --unpack: each stored or deflated member, inflated no further than it declares. */
async function unpackZip(reader: ByteReader, directory: Buffer, entries: number, base: number, unpacker: Unpacker): Promise<void> {
  let offset = 0;
  for (let index = 0; index < entries && offset + 46 <= directory.length && directory.readUInt32LE(offset) === CENTRAL; index += 1) {
    const entry = centralEntry(directory, offset);
    if (!entry) break;
    offset = entry.next;
    const member = entry.value;
    if (member.name.endsWith('/') || (member.flags & 1) !== 0 || (member.method !== 0 && member.method !== 8)) continue;
    const writer = unpacker.open(member.name, member.size);
    if (!writer) continue;
    try {
      const local = await reader.read(member.localOffset + base, 30);
      if (local.readUInt32LE(0) !== LOCAL) continue;
      const dataStart = member.localOffset + base + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const compressed = await reader.read(dataStart, member.compressedSize, unpacker.maxBytes);
      writer.write(member.method === 0 ? compressed : zlib.inflateRawSync(compressed, { maxOutputLength: Math.max(1, member.size) }));
    } catch {
      // A member that does not inflate to what it declares is left out; the listing stands.
    } finally {
      writer.close();
    }
  }
}

async function readMember(reader: ByteReader, entry: CentralEntry): Promise<Buffer | undefined> {
  const local = await reader.read(entry.localOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL) return undefined;
  const dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const compressed = await reader.read(dataStart, entry.compressedSize, 4 * MEMBER_BYTES);
  if (entry.method === 0) return compressed.subarray(0, MEMBER_BYTES);
  if (entry.method !== 8) return undefined;
  return zlib.inflateRawSync(compressed, { maxOutputLength: MEMBER_BYTES });
}
