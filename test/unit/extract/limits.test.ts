import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { capText } from '../../../src/extract/limits.js';
import { decodedImageToRaster, decodeToRaster, imageDimensions, rgbaToRaster } from '../../../src/extract/raster.js';
import { htmlNestingDepth } from '../../../src/extract/extractors/html.js';
import { textResult } from '../../../src/extract/extractor.js';

/** A PNG whose header claims side x side pixels, with (wrong, tiny) data: only the header matters. */
function claimedPng(width: number, height: number): Buffer {
  const png = PNG.sync.write(Object.assign(new PNG({ width: 1, height: 1 }), { data: Buffer.from([255, 255, 255, 255]) }));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}

describe('limits checked before decoding', () => {
  it('reads image sizes from their headers', () => {
    expect(imageDimensions(claimedPng(30000, 20000), 'image/png')).toEqual({ width: 30000, height: 20000 });
    const gif = Buffer.from('GIF89a\x10\x27\x20\x4e\x00\x00\x00', 'latin1');
    expect(imageDimensions(gif, 'image/gif')).toEqual({ width: 10000, height: 20000 });
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeInt32LE(4000, 18);
    bmp.writeInt32LE(-3000, 22);
    expect(imageDimensions(bmp, 'image/bmp')).toEqual({ width: 4000, height: 3000 });
    // SOI, an APP0 segment, then SOF0 with height 3000 and width 4000.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x0b, 0xb8, 0x0f, 0xa0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(imageDimensions(jpeg, 'image/jpeg')).toEqual({ width: 4000, height: 3000 });
  });

  it('refuses an image over ocr.maxImagePixels without decoding it', async () => {
    await expect(decodeToRaster(claimedPng(30000, 30000), 'image/png', 16e6, 100e6)).rejects.toMatchObject({ code: 'E_TOO_LARGE', hint: expect.stringMatching(/ocr\.maxImagePixels/) });
  });

  it('measures how deep HTML nests, ignoring elements without end tags', () => {
    expect(htmlNestingDepth('<html><body><div><p>one<p>two<br><img src=x><div>x</div></div></body></html>')).toBe(4);
    expect(htmlNestingDepth(`${'<div>'.repeat(5000)}x${'</div>'.repeat(5000)}`, 1024)).toBe(1025);
  });

  it('cuts text at the byte limit on a character boundary and warns', () => {
    const result = capText(textResult('ä'.repeat(10)), 5);
    expect(result.text).toBe('ää');
    expect(result.warnings.map((warning) => warning.code)).toEqual(['W_TEXT_TRUNCATED']);
    expect(capText(textResult('short'), 100).warnings).toEqual([]);
  });

  it('turns a 1-bit image pdf.js decoded into the same gray raster as its RGB form', () => {
    // 10 x 2 pixels: first row alternating white/black, second row all white (bit set = white).
    const bits = new Uint8Array([0b10101010, 0b10000000, 0b11111111, 0b11000000]);
    const rgb = new Uint8Array(10 * 2 * 3);
    for (let index = 0; index < 20; index += 1) {
      const white = index >= 10 || index % 2 === 0;
      rgb.fill(white ? 255 : 0, index * 3, index * 3 + 3);
    }
    const fromBits = decodedImageToRaster({ width: 10, height: 2, kind: 1, data: bits }, 1e6);
    expect([...(fromBits.gray as Uint8Array)]).toEqual([...(rgbaToRaster(rgb, 10, 2, 1e6, 3).gray as Uint8Array)]);
    expect(zlib.crc32(fromBits.image)).toBe(zlib.crc32(decodedImageToRaster({ width: 10, height: 2, kind: 2, data: rgb }, 1e6).image));
  });
});
