import type { ByteReader } from './byte-reader.js';
import { cString, malformed } from './byte-reader.js';
import type { Listing } from './listing.js';
import type { PackageFacts } from './package-metadata.js';

/**
 * An RPM's name, version, architecture and file list, all from its header (the payload, a
 * compressed cpio, is not read). Layout per the RPM file format: a 96-byte lead, the signature
 * header (padded to 8 bytes), then the main header; each header is an index of 16-byte entries
 * (tag, type, offset, count) and a data store. Counts and sizes are checked before reading.
 */

const HEADER_MAGIC = 0x8eade801;
const MAX_INDEX = 65_536;
const MAX_STORE = 64 * 1024 * 1024;

interface Header {
  index: { tag: number; type: number; offset: number; count: number }[];
  store: Buffer;
  end: number;
}

async function readHeader(reader: ByteReader, at: number): Promise<Header> {
  const intro = await reader.read(at, 16);
  if (intro.readUInt32BE(0) !== HEADER_MAGIC) throw malformed('the RPM header is missing');
  const entries = intro.readUInt32BE(8);
  const storeSize = intro.readUInt32BE(12);
  if (entries > MAX_INDEX || storeSize > MAX_STORE) throw malformed(`an RPM header of ${entries} entries and ${storeSize} bytes`);
  const indexBytes = await reader.read(at + 16, entries * 16, MAX_INDEX * 16);
  const store = await reader.read(at + 16 + entries * 16, storeSize, MAX_STORE);
  const index = Array.from({ length: entries }, (_, item) => ({ tag: indexBytes.readUInt32BE(item * 16), type: indexBytes.readUInt32BE(item * 16 + 4), offset: indexBytes.readUInt32BE(item * 16 + 8), count: indexBytes.readUInt32BE(item * 16 + 12) }));
  return { index, store, end: at + 16 + entries * 16 + storeSize };
}

function strings(header: Header, tag: number): string[] {
  const entry = header.index.find((item) => item.tag === tag);
  // STRING (6), STRING_ARRAY (8), I18NSTRING (9): NUL-separated, count of them.
  if (!entry || ![6, 8, 9].includes(entry.type)) return [];
  const out: string[] = [];
  let offset = entry.offset;
  for (let item = 0; item < Math.min(entry.count, 1_000_000) && offset < header.store.length; item += 1) {
    const text = cString(header.store, offset, 65_536);
    out.push(text);
    offset += Buffer.byteLength(text, 'latin1') + 1;
    if (entry.type !== 8) break;
  }
  return out;
}

function integers(header: Header, tag: number): number[] {
  const entry = header.index.find((item) => item.tag === tag);
  if (!entry) return [];
  const width = entry.type === 4 ? 4 : entry.type === 5 ? 8 : 0;
  if (width === 0 || entry.offset + entry.count * width > header.store.length) return [];
  return Array.from({ length: entry.count }, (_, item) => (width === 4 ? header.store.readUInt32BE(entry.offset + item * 4) : Number(header.store.readBigUInt64BE(entry.offset + item * 8))));
}

export async function readRpm(reader: ByteReader, listing: Listing): Promise<PackageFacts | undefined> {
  const lead = await reader.read(0, 96);
  if (lead.readUInt32BE(0) !== 0xedabeedb) throw malformed('not an RPM lead');
  const signature = await readHeader(reader, 96);
  const main = await readHeader(reader, Math.ceil(signature.end / 8) * 8);
  const one = (tag: number) => strings(main, tag)[0];
  const basenames = strings(main, 1117);
  const dirnames = strings(main, 1118);
  const dirIndexes = integers(main, 1116);
  const sizes = integers(main, 5008).length > 0 ? integers(main, 5008) : integers(main, 1028);
  const names = basenames.length > 0 ? basenames.map((base, item) => `${dirnames[dirIndexes[item] ?? 0] ?? ''}${base}`) : strings(main, 1027);
  names.forEach((name, item) => listing.add({ name: name.replace(/^\//, ''), size: sizes[item] ?? 0, kind: 'file' }));
  const name = one(1000);
  if (!name) return undefined;
  const version = one(1001);
  const release = one(1002);
  const facts: PackageFacts = { ecosystem: 'rpm', name };
  if (version) facts.version = release ? `${version}-${release}` : version;
  const summary = one(1004);
  if (summary) facts.summary = summary;
  const license = one(1014);
  if (license) facts.license = license;
  const arch = one(1022);
  if (arch) facts.arch = arch;
  return facts;
}
