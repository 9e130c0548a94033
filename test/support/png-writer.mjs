// @ts-check
// PNG files written by hand (tests and benchmarks): chunks with their CRCs, and a whole file from
// a header and already deflated rows, for the forms and the damage no encoder will write.
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A PNG of width x height at bitDepth and colorType (not interlaced) whose IDAT holds `idat` (the
 * deflated, filtered rows), with `extra` chunks (PLTE, tRNS, pHYs...) before it.
 */
export function pngFile({ width, height, bitDepth, colorType }, idat, extra = []) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', header), ...extra, pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}
