import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { pngGray } from '../../../src/extract/png-gray.js';
import { decodeToRaster, rgbaToRaster } from '../../../src/extract/raster.js';
import { pngFacts, type PngFacts } from '../../../src/extract/searchable/images.js';
import { pngChunk as chunk, pngFile } from '../../support/png-writer.mjs';

/** The fast path itself (decodeToRaster falls back to pngjs, which would hide a fast path that gave up). */
function fast(png: Buffer): Uint8Array | undefined {
  return pngGray(pngFacts(png) as PngFacts);
}

/** A deterministic pattern of bytes: text-like runs, gradients and noise. */
function samples(count: number, seed: number, max = 255): Uint8Array {
  const out = new Uint8Array(count);
  let state = seed;
  for (let index = 0; index < count; index += 1) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[index] = index % 37 < 9 ? (state >> 8) % (max + 1) : (index * 7) % (max + 1);
  }
  return out;
}


/**
 * A PNG of packed `values` (one sample each, `bitDepth` bits) written by this test's own encoder,
 * every row under another of the five filters: the forms pngjs cannot write (1-4 bits, palettes).
 */
function packedPng(width: number, height: number, bitDepth: number, colorType: 0 | 3, values: Uint8Array, extra: Buffer[] = []): Buffer {
  const stride = Math.ceil((width * bitDepth) / 8);
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const bit = x * bitDepth;
      raw[y * stride + (bit >> 3)] = (raw[y * stride + (bit >> 3)] as number) | ((values[y * width + x] as number) << (8 - bitDepth - (bit & 7)));
    }
  }
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const filter = y % 5;
    filtered[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * stride + x] as number;
      const left = x >= 1 ? (raw[y * stride + x - 1] as number) : 0;
      const up = y > 0 ? (raw[(y - 1) * stride + x] as number) : 0;
      const upLeft = x >= 1 && y > 0 ? (raw[(y - 1) * stride + x - 1] as number) : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] as number;
      filtered[y * (stride + 1) + 1 + x] = (value - predictor) & 0xff;
    }
  }
  return pngFile({ width, height, bitDepth, colorType }, zlib.deflateSync(filtered), extra);
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const a = Math.abs(estimate - left);
  const b = Math.abs(estimate - up);
  const c = Math.abs(estimate - upLeft);
  return a <= b && a <= c ? left : b <= c ? up : upLeft;
}

/** What the decoder always gave: pngjs's RGBA, then luma over white. */
function viaPngjs(png: Buffer): Uint8Array | undefined {
  const decoded = PNG.sync.read(png);
  return rgbaToRaster(decoded.data, decoded.width, decoded.height, 1e9).gray;
}

describe('PNG decoding for OCR', () => {
  const width = 61;
  const height = 23;

  it.each([
    ['gray', 0, 1],
    ['gray with alpha', 4, 2],
    ['RGB', 2, 3],
    ['RGBA', 6, 4],
  ] as const)('reads 8-bit %s exactly as pngjs does, under every row filter', async (_name, colorType, channels) => {
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      const image = new PNG({ width, height, colorType, inputColorType: 6, bitDepth: 8, filterType, inputHasAlpha: true });
      image.data = Buffer.from(samples(width * height * 4, 7 + filterType));
      const png = PNG.sync.write(image, { colorType, inputColorType: 6, bitDepth: 8, filterType });
      expect(png[25], `${channels} channels`).toBe(colorType);
      expect(Buffer.from(fast(png) ?? []).equals(Buffer.from(viaPngjs(png) ?? [1])), `filter ${filterType}`).toBe(true);
      const raster = await decodeToRaster(png, 'image/png', 1e9, 1e9);
      expect(Buffer.from(raster.gray ?? []).equals(Buffer.from(viaPngjs(png) ?? [1]))).toBe(true);
    }
  });

  it.each([1, 2, 4, 8])('reads %d-bit gray and palette images exactly as pngjs does', async (bitDepth) => {
    const levels = 1 << bitDepth;
    const gray = packedPng(width, height, bitDepth, 0, samples(width * height, bitDepth, levels - 1));
    const entries = Math.min(levels, 12);
    const palette = Buffer.from(samples(entries * 3, 99));
    const alpha = Buffer.from(samples(entries - 2, 5));
    const indexed = packedPng(width, height, bitDepth, 3, samples(width * height, bitDepth + 3, entries - 1), [chunk('PLTE', palette), chunk('tRNS', alpha)]);
    for (const png of [gray, indexed]) {
      expect(Buffer.from(fast(png) ?? []).equals(Buffer.from(viaPngjs(png) ?? [1]))).toBe(true);
      const raster = await decodeToRaster(png, 'image/png', 1e9, 1e9);
      expect(Buffer.from(raster.gray ?? []).equals(Buffer.from(viaPngjs(png) ?? [1]))).toBe(true);
    }
  });

  it('leaves 16-bit and interlaced images to pngjs', () => {
    const image = new PNG({ width, height, bitDepth: 16, colorType: 0, inputColorType: 6 });
    image.data = Buffer.from(samples(width * height * 4, 11));
    expect(fast(PNG.sync.write(image, { bitDepth: 16, colorType: 0, inputColorType: 6 }))).toBeUndefined();
    const interlaced = packedPng(width, height, 8, 0, samples(width * height, 3));
    interlaced[28] = 1;
    expect(fast(interlaced)).toBeUndefined();
  });

  it('scales a page over the pixel budget down as before', async () => {
    const png = packedPng(width, height, 8, 0, samples(width * height, 3));
    const raster = await decodeToRaster(png, 'image/png', 400, 1e9);
    const decoded = PNG.sync.read(png);
    const before = rgbaToRaster(decoded.data, width, height, 400);
    expect([raster.width, raster.height, raster.scale]).toEqual([before.width, before.height, before.scale]);
    expect(Buffer.from(raster.gray ?? []).equals(Buffer.from(before.gray ?? [1]))).toBe(true);
  });

  it('reports damage the way pngjs does: an unknown row filter, data cut short, an index past the palette', async () => {
    const good = packedPng(width, height, 8, 0, samples(width * height, 3));
    const idat = good.indexOf('IDAT');
    const rows = zlib.inflateSync(good.subarray(idat + 4, good.length - 16));
    rows[(width + 1) * 4] = 9;
    const badFilter = Buffer.concat([good.subarray(0, idat - 4), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
    const short = Buffer.concat([good.subarray(0, idat - 4), chunk('IDAT', zlib.deflateSync(rows.subarray(0, rows.length / 2))), chunk('IEND', Buffer.alloc(0))]);
    const pastPalette = packedPng(width, height, 8, 3, samples(width * height, 1, 200), [chunk('PLTE', Buffer.alloc(30))]);
    for (const png of [badFilter, short, pastPalette]) {
      expect(() => fast(png)).toThrow();
      await expect(decodeToRaster(png, 'image/png', 1e9, 1e9)).rejects.toMatchObject({ code: 'E_IMAGE_CORRUPT' });
    }
  });
});

describe('RGB(A) pixels to gray', () => {
  it('gives what the luma-over-white formula gives, opaque or not, in budget or scaled', () => {
    const width = 53;
    const height = 17;
    const rgba = samples(width * height * 4, 21);
    // Half the pixels opaque, as most are.
    for (let index = 3; index < rgba.length; index += 8) rgba[index] = 255;
    const expected = new Uint8Array(width * height);
    for (let index = 0; index < width * height; index += 1) {
      const [r, g, b, a] = [rgba[index * 4], rgba[index * 4 + 1], rgba[index * 4 + 2], rgba[index * 4 + 3]] as number[];
      const luma = (299 * (r as number) + 587 * (g as number) + 114 * (b as number)) / 1000;
      expected[index] = Math.round((luma * (a as number)) / 255 + 255 * (1 - (a as number) / 255));
    }
    expect(Buffer.from(rgbaToRaster(rgba, width, height, 1e9).gray ?? []).equals(Buffer.from(expected))).toBe(true);
    const rgb = new Uint8Array(width * height * 3);
    for (let index = 0; index < width * height; index += 1) rgb.set(rgba.subarray(index * 4, index * 4 + 3), index * 3);
    const opaque = Array.from({ length: width * height }, (_, index) => Math.round((299 * (rgb[index * 3] as number) + 587 * (rgb[index * 3 + 1] as number) + 114 * (rgb[index * 3 + 2] as number)) / 1000));
    expect([...(rgbaToRaster(rgb, width, height, 1e9, 3).gray ?? [])]).toEqual(opaque);
  });
});
