import zlib from 'node:zlib';
import type { PngFacts } from './searchable/images.js';

/**
 * The common scanner PNG (non-interlaced, 1 to 8 bits gray, 8-bit gray with alpha, RGB or RGBA,
 * or a palette) straight to 8-bit gray: zlib inflates (native, bounded to the size the header
 * declares), then one pass unfilters the rows and another turns them gray. pngjs, which decodes
 * everything else, expands every pixel to RGBA through a per-pixel callback first: on a 300-dpi
 * A4 page that took about half a second, this takes a tenth of it.
 * undefined for what this does not read (16-bit, interlaced, a transparent colour key): the
 * caller hands those to pngjs, and those this finds damaged too (pngjs then says how).
 * `allocate` gives the width x height bytes to write the gray into (the page buffer itself, so
 * that a page is not copied once more).
 */
export function pngGray(facts: PngFacts, allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length)): Uint8Array | undefined {
  const { width, height, bitDepth, colorType } = facts;
  const channels = CHANNELS[colorType];
  if (channels === undefined || facts.interlaced || width === 0 || height === 0) return undefined;
  if (bitDepth === 16 || (bitDepth !== 8 && colorType !== 0 && colorType !== 3)) return undefined;
  // A colour key (tRNS on gray or RGB) is rare in scans; a palette's tRNS is its alpha table.
  if (facts.transparency && colorType !== 3) return undefined;
  if (colorType === 3 && !facts.palette) return undefined;
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const expected = (stride + 1) * height;
  let rows: Buffer;
  try {
    // One output chunk of the declared size: zlib's default 16 KB chunks, joined at the end, cost
    // a 300-dpi page an extra copy and four times the time. Above the cap (a header may declare
    // more than the data holds), the chunks grow as the data inflates.
    const chunkSize = expected + 1 <= ONE_CHUNK_CAP ? Math.max(zlib.constants.Z_MIN_CHUNK, expected + 1) : zlib.constants.Z_DEFAULT_CHUNK;
    rows = zlib.inflateSync(facts.data, { maxOutputLength: expected + 1, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize });
  } catch (error) {
    throw new Error(`the image data does not inflate to the declared ${width} x ${height} pixels (${(error as Error).message})`);
  }
  if (rows.length < expected) throw new Error(`the image data ends after ${rows.length} of ${expected} bytes`);
  unfilter(rows, stride, height, Math.max(1, (channels * bitDepth) >> 3));
  const gray = allocate(width * height);
  if (colorType === 3) {
    const palette = paletteLuma(facts);
    unpack(rows, stride, width, height, bitDepth, palette.lookup, palette.entries, gray);
  } else if (colorType === 0) fromGray(rows, stride, width, height, bitDepth, gray);
  else fromColour(rows, stride, width, height, channels, gray);
  return gray;
}

/** The most inflated in one chunk allocated up front: an RGB page at 300 dpi is 26 MB. */
const ONE_CHUNK_CAP = 64 * 1024 * 1024;

const CHANNELS: Partial<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** PNG's five row filters undone in place; each row keeps its filter byte in front. */
function unfilter(rows: Buffer, stride: number, height: number, bpp: number): void {
  for (let y = 0; y < height; y += 1) {
    const start = y * (stride + 1) + 1;
    const previous = start - (stride + 1);
    const filter = rows[start - 1];
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let x = bpp; x < stride; x += 1) rows[start + x] = ((rows[start + x] as number) + (rows[start + x - bpp] as number)) & 0xff;
        break;
      case 2:
        if (y > 0) for (let x = 0; x < stride; x += 1) rows[start + x] = ((rows[start + x] as number) + (rows[previous + x] as number)) & 0xff;
        break;
      case 3:
        for (let x = 0; x < stride; x += 1) {
          const left = x >= bpp ? (rows[start + x - bpp] as number) : 0;
          const up = y > 0 ? (rows[previous + x] as number) : 0;
          rows[start + x] = ((rows[start + x] as number) + ((left + up) >> 1)) & 0xff;
        }
        break;
      case 4:
        for (let x = 0; x < stride; x += 1) {
          const left = x >= bpp ? (rows[start + x - bpp] as number) : 0;
          const up = y > 0 ? (rows[previous + x] as number) : 0;
          const upLeft = x >= bpp && y > 0 ? (rows[previous + x - bpp] as number) : 0;
          rows[start + x] = ((rows[start + x] as number) + paeth(left, up, upLeft)) & 0xff;
        }
        break;
      default:
        throw new Error(`row ${y + 1} has an unknown filter type ${String(filter)}`);
    }
  }
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Gray of 1, 2, 4 or 8 bits, scaled to 0-255. */
function fromGray(rows: Buffer, stride: number, width: number, height: number, bitDepth: number, gray: Uint8Array): void {
  if (bitDepth === 8) {
    for (let y = 0; y < height; y += 1) gray.set(rows.subarray(y * (stride + 1) + 1, y * (stride + 1) + 1 + width), y * width);
    return;
  }
  const levels = (1 << bitDepth) - 1;
  const lookup = new Uint8Array(levels + 1);
  for (let level = 0; level <= levels; level += 1) lookup[level] = Math.round((level * 255) / levels);
  unpack(rows, stride, width, height, bitDepth, lookup, levels + 1, gray);
}

/** Samples of 1 to 8 bits through a lookup table of `entries` values (a palette's, or gray levels). */
function unpack(rows: Buffer, stride: number, width: number, height: number, bitDepth: number, lookup: Uint8Array, entries: number, gray: Uint8Array): void {
  const mask = (1 << bitDepth) - 1;
  for (let y = 0; y < height; y += 1) {
    const start = y * (stride + 1) + 1;
    const out = y * width;
    for (let x = 0, bit = 0; x < width; x += 1, bit += bitDepth) {
      const sample = ((rows[start + (bit >> 3)] as number) >> (8 - bitDepth - (bit & 7))) & mask;
      if (sample >= entries) throw new Error(`palette index ${sample} is past the palette's ${entries} entries`);
      gray[out + x] = lookup[sample] as number;
    }
  }
}

/** Gray with alpha, RGB or RGBA (8 bits): BT.601 luma composited over white, as rgbaToRaster does. */
function fromColour(rows: Buffer, stride: number, width: number, height: number, channels: number, gray: Uint8Array): void {
  for (let y = 0; y < height; y += 1) {
    let offset = y * (stride + 1) + 1;
    const out = y * width;
    for (let x = 0; x < width; x += 1, offset += channels) {
      if (channels === 2) {
        gray[out + x] = overWhite(rows[offset] as number, rows[offset + 1] as number);
        continue;
      }
      const red = rows[offset] as number;
      const green = rows[offset + 1] as number;
      const blue = rows[offset + 2] as number;
      gray[out + x] = channels === 4 ? overWhite((299 * red + 587 * green + 114 * blue) / 1000, rows[offset + 3] as number) : opaqueLuma(red, green, blue);
    }
  }
}

/** Math.round of the BT.601 luma of an opaque pixel, in integers: (sum + 500) / 1000 rounded down. */
export function opaqueLuma(red: number, green: number, blue: number): number {
  // A gray pixel (pdf.js hands 8-bit gray scans over as RGB) is its own luma.
  if (red === green && green === blue) return red;
  return ((299 * red + 587 * green + 114 * blue + 500) / 1000) | 0;
}

function overWhite(luma: number, alpha: number): number {
  return Math.round((luma * alpha) / 255 + 255 * (1 - alpha / 255));
}

/** Each palette entry's gray over white, with its alpha from tRNS. */
function paletteLuma(facts: PngFacts): { lookup: Uint8Array; entries: number } {
  const palette = facts.palette ?? new Uint8Array(0);
  const alpha = facts.transparency;
  const lookup = new Uint8Array(256);
  const entries = Math.min(256, Math.floor(palette.length / 3));
  for (let index = 0; index < entries; index += 1) {
    const luma = (299 * (palette[index * 3] as number) + 587 * (palette[index * 3 + 1] as number) + 114 * (palette[index * 3 + 2] as number)) / 1000;
    lookup[index] = overWhite(luma, alpha && index < alpha.length ? (alpha[index] as number) : 255);
  }
  return { lookup, entries };
}
