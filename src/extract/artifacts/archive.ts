import type { ExtractInput, ExtractResult, ExtractWarning } from '../extractor.js';
import { ByteReader, malformed } from './byte-reader.js';
import { compressionOf, decompressInto, type Compression } from './decompress.js';
import { Listing, MEMBER_BYTES } from './listing.js';
import { packageFields, packageFromMembers, wantsPackageMember, type PackageFacts } from './package-metadata.js';
import { readRpm } from './rpm.js';
import { NotTar, TarReader, tarSink } from './tar.js';
import { listZip } from './zip.js';
import { OTHER_ARCHIVE_TYPES } from './formats.js';
import { Unpacker } from './unpacker.js';

/**
 * Archives and packages, catalogued without unpacking anything to disk: member names and sizes
 * become the searchable text, package metadata becomes fields. zip-based formats (zip, jar,
 * wheel, nupkg) are listed from their central directory; tar and its compressed forms (gzip,
 * bzip2, xz, zstd) are streamed through once, stopping at `maxListBytes` of unpacked data or
 * `maxListEntries` names (the listing is then cut, W_LISTING_TRUNCATED, and the archive still
 * catalogued); .deb is an ar of tars; .rpm is read from its header.
 */

export const DEFAULT_MAX_LIST_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_LIST_ENTRIES = 10_000;

const COMPRESSION_NAMES: Record<Exclude<Compression, 'none'>, string> = { gzip: 'gz', bzip2: 'bz2', xz: 'xz', zstd: 'zst' };

export async function extractArchive(input: ExtractInput): Promise<ExtractResult> {
  const maxBytes = input.options.maxListBytes ?? DEFAULT_MAX_LIST_BYTES;
  const listing = new Listing(input.options.maxListEntries ?? DEFAULT_MAX_LIST_ENTRIES, wantsPackageMember);
  if (input.options.unpackTo) listing.unpacker = new Unpacker(input.options.unpackTo, input.options.maxUnpackedBytes, input.options.maxListEntries ?? DEFAULT_MAX_LIST_ENTRIES);
  const reader = await ByteReader.open(input.path);
  let format: string;
  let packageFacts: PackageFacts | undefined;
  const extra: Record<string, string> = {};
  try {
    const head = await reader.readUpTo(0, 512);
    const other = OTHER_ARCHIVE_TYPES[input.mime];
    if (other) {
      // Recognised, not opened: no maintained reader for these in this project.
      format = other;
    } else if (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50 || input.mime === 'application/zip' || input.mime === 'application/java-archive') {
      const { encrypted } = await listZip(reader, listing);
      if (encrypted) extra['archive.encrypted'] = 'true';
      packageFacts = packageFromMembers(listing.members, {});
      format = input.mime === 'application/java-archive' || packageFacts?.ecosystem === 'maven' ? 'jar' : packageFacts?.ecosystem === 'pypi' ? 'wheel' : packageFacts?.ecosystem === 'nuget' ? 'nupkg' : 'zip';
    } else if (head.toString('latin1', 0, 8) === '!<arch>\n') {
      format = 'deb';
      packageFacts = await listDeb(input.path, reader, listing, maxBytes);
    } else if (head.length >= 4 && head.readUInt32BE(0) === 0xedabeedb) {
      format = 'rpm';
      packageFacts = await readRpm(reader, listing);
    } else if (head.length >= 4) {
      const compression = compressionOf(head);
      const tar = new TarReader(listing);
      try {
        await decompressInto(input.path, compression, tarSink(tar, listing, maxBytes), { start: 0, length: reader.size }).finally(() => tar.abandon());
        if (!tar.isTar) throw new NotTar();
        format = compression === 'none' ? 'tar' : `tar.${COMPRESSION_NAMES[compression]}`;
        packageFacts = packageFromMembers(listing.members, {});
      } catch (error) {
        if (!(error instanceof NotTar) && !(error instanceof Error && error.cause instanceof NotTar)) throw error;
        if (compression === 'none') throw malformed('neither a tar nor a compressed stream');
        // One compressed file (a .gz log, a .zst dump): its name and size where the format says them.
        format = compression;
        const single = compression === 'gzip' ? await gzipMember(reader) : undefined;
        if (single) listing.add({ name: single.name, size: single.size, kind: 'file' });
      }
    } else {
      throw malformed('too short to be an archive');
    }
  } finally {
    await reader.close();
  }
  const fields: Record<string, string> = {
    'archive.format': format,
    'archive.entries': String(listing.count),
    'archive.files': String(listing.files),
    ...(listing.unpackedBytes > 0 ? { 'archive.unpacked_size': String(listing.unpackedBytes) } : {}),
    ...(listing.truncated ? { 'archive.truncated': 'true' } : {}),
    ...extra,
    ...(packageFacts ? packageFields(packageFacts) : {}),
  };
  const warnings: ExtractWarning[] = listing.truncated ? [{ code: 'W_LISTING_TRUNCATED', message: `the listing is incomplete: ${listing.truncated}` }] : [];
  if (listing.unpacker?.truncated) warnings.push({ code: 'W_UNPACK_TRUNCATED', message: `not every member was unpacked: ${listing.unpacker.truncated}` });
  const headline = [
    packageFacts ? `${packageFacts.ecosystem} package ${packageFacts.name}${packageFacts.version ? ` ${packageFacts.version}` : ''}${packageFacts.arch ? ` (${packageFacts.arch})` : ''}` : '',
    packageFacts?.summary ?? '',
    `${format} archive, ${listing.count} entries, ${listing.unpackedBytes} bytes unpacked`,
  ].filter(Boolean).join('\n');
  return {
    text: `${headline}\n${listing.text()}`,
    pages: 0,
    method: 'none',
    ocrConfidence: null,
    ocrPages: 0,
    metadata: {},
    warnings,
    artifact: {
      type: packageFacts ? 'package' : 'archive',
      ...(packageFacts ? { title: `${packageFacts.name}${packageFacts.version ? ` ${packageFacts.version}` : ''}` } : {}),
      fields,
      ...(listing.unpacker ? { members: listing.unpacker.members } : {}),
    },
  };
}

/** gzip's header may name the file (FNAME), and its trailer gives the size modulo 4 GB. */
async function gzipMember(reader: ByteReader): Promise<{ name: string; size: number } | undefined> {
  const head = await reader.readUpTo(0, 1024);
  const flags = head[3] ?? 0;
  let offset = 10;
  if ((flags & 4) !== 0) offset += 2 + head.readUInt16LE(offset);
  let name = '';
  if ((flags & 8) !== 0 && offset < head.length) {
    const end = head.indexOf(0, offset);
    name = head.toString('latin1', offset, end < 0 ? head.length : end);
  }
  const size = reader.size >= 18 ? (await reader.read(reader.size - 4, 4)).readUInt32LE(0) : 0;
  return { name: name || '(compressed data)', size };
}

/** A .deb: an ar archive of debian-binary, control.tar.* (the control file) and data.tar.* (what it installs). */
async function listDeb(filePath: string, reader: ByteReader, listing: Listing, maxBytes: number): Promise<PackageFacts | undefined> {
  let offset = 8;
  let facts: PackageFacts | undefined;
  for (let member = 0; member < 16 && offset + 60 <= reader.size; member += 1) {
    const header = await reader.read(offset, 60);
    const name = header.toString('latin1', 0, 16).trim().replace(/\/$/, '');
    const size = Number.parseInt(header.toString('latin1', 48, 58).trim(), 10);
    if (!Number.isSafeInteger(size) || size < 0 || offset + 60 + size > reader.size) throw malformed('a .deb member runs past the end of the file');
    const start = offset + 60;
    if (name.startsWith('control.tar')) {
      const control = new Listing(1000, (entry) => entry.replace(/^\.\//, '') === 'control');
      const head = await reader.readUpTo(start, 8);
      await decompressInto(filePath, compressionOf(head), tarSink(new TarReader(control), control, Math.min(maxBytes, 64 * MEMBER_BYTES)), { start, length: size });
      facts = packageFromMembers(control.members, { deb: true });
    } else if (name.startsWith('data.tar')) {
      const head = await reader.readUpTo(start, 8);
      const data = new TarReader(listing);
      await decompressInto(filePath, compressionOf(head), tarSink(data, listing, maxBytes), { start, length: size }).finally(() => data.abandon());
    }
    offset = start + size + (size % 2);
  }
  return facts;
}
