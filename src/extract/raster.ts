import { DoccatError } from '../errors.js';

/**
 * Image decoding for OCR, in pure JavaScript on purpose: native decoders (Skia in
 * @napi-rs/canvas) crash the whole process on some malformed files, and one bad scan must never
 * end a run. Every page handed to OCR is an 8-bit grayscale PGM, flattened onto white and
 * scaled down to the pixel budget: tesseract reads it without any decoding cost (an 8-bit BMP of
 * the same page took it fifteen times longer).
 */

export interface Raster {
  /** Encoded image tesseract can read (PGM here; BMP/WebP originals are passed through). */
  image: Buffer;
  width: number;
  height: number;
  /** Scale applied to fit the pixel budget (1 when untouched). */
  scale: number;
  /** The grayscale pixels behind `image`, kept so a page can be turned and read again. */
  gray?: Uint8Array;
}

/** Pixels we agree to decode at all; beyond this even the decoded bitmap would not fit in memory. */
const MAX_DECODE_PIXELS = 250_000_000;

export function fitScale(width: number, height: number, maxPixels: number): number {
  const pixels = width * height;
  return pixels > maxPixels ? Math.sqrt(maxPixels / pixels) : 1;
}

function corrupt(kind: string, error: unknown): DoccatError {
  return new DoccatError('E_IMAGE_CORRUPT', `cannot decode the ${kind}: ${error instanceof Error ? error.message : String(error)}`, {
    hint: 'the file is damaged; scan or export it again',
    cause: error,
  });
}

function checkDimensions(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new DoccatError('E_IMAGE_CORRUPT', 'the image has no pixels', { hint: 'the file is damaged; scan or export it again' });
  if (width * height > MAX_DECODE_PIXELS) {
    throw new DoccatError('E_IMAGE_TOO_LARGE', `the image is ${width}x${height} pixels, too large to decode safely`, {
      hint: 'scale it down (e.g. to 300 dpi) before cataloguing',
    });
  }
}

export async function decodeToRaster(bytes: Buffer, mime: string, maxPixels: number): Promise<Raster> {
  switch (mime) {
    case 'image/png': {
      if (bytes.length >= 24) checkDimensions(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
      const { PNG } = await import('pngjs');
      let png: { width: number; height: number; data: Buffer };
      // Bytes after the IEND chunk (some tools append metadata) are not part of the image.
      const end = bytes.lastIndexOf('IEND');
      try {
        png = PNG.sync.read(end > 0 ? bytes.subarray(0, end + 8) : bytes);
      } catch (error) {
        throw corrupt('PNG', error);
      }
      return rgbaToRaster(png.data, png.width, png.height, maxPixels);
    }
    case 'image/jpeg': {
      const { default: jpeg } = await import('jpeg-js');
      let decoded: { width: number; height: number; data: Uint8Array };
      try {
        decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_DECODE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
      } catch (error) {
        if (/maxResolutionInMP|maxMemoryUsageInMB/.test(String(error))) {
          throw new DoccatError('E_IMAGE_TOO_LARGE', 'the JPEG is too large to decode safely', { hint: 'scale it down (e.g. to 300 dpi) before cataloguing' });
        }
        throw corrupt('JPEG', error);
      }
      return rgbaToRaster(decoded.data, decoded.width, decoded.height, maxPixels);
    }
    case 'image/gif': {
      const { GifReader } = await import('omggif');
      try {
        const reader = new GifReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        checkDimensions(reader.width, reader.height);
        const pixels = new Uint8Array(reader.width * reader.height * 4);
        reader.decodeAndBlitFrameRGBA(0, pixels);
        return rgbaToRaster(pixels, reader.width, reader.height, maxPixels);
      } catch (error) {
        if (error instanceof DoccatError) throw error;
        throw corrupt('GIF', error);
      }
    }
    default:
      // BMP and WebP go to tesseract as they are: its decoder runs in WebAssembly, where a bad
      // file becomes an error, not a crash.
      return { image: bytes, width: 0, height: 0, scale: 1 };
  }
}

/**
 * RGBA (or RGB when channels is 3) -> grayscale on white, box-filtered down to the pixel budget,
 * as an 8-bit binary PGM.
 */
export function rgbaToRaster(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, maxPixels: number, channels: 3 | 4 = 4): Raster {
  const scale = fitScale(width, height, maxPixels);
  const targetWidth = Math.max(1, Math.floor(width * scale));
  const targetHeight = Math.max(1, Math.floor(height * scale));
  const gray = new Uint8Array(targetWidth * targetHeight);
  const xStep = width / targetWidth;
  const yStep = height / targetHeight;
  for (let targetY = 0; targetY < targetHeight; targetY += 1) {
    const y0 = Math.floor(targetY * yStep);
    const y1 = Math.max(y0 + 1, Math.floor((targetY + 1) * yStep));
    for (let targetX = 0; targetX < targetWidth; targetX += 1) {
      const x0 = Math.floor(targetX * xStep);
      const x1 = Math.max(x0 + 1, Math.floor((targetX + 1) * xStep));
      let sum = 0;
      for (let y = y0; y < y1; y += 1) {
        let offset = (y * width + x0) * channels;
        for (let x = x0; x < x1; x += 1, offset += channels) {
          // ITU-R BT.601 luma, then composite over white by alpha.
          const luma = (299 * (pixels[offset] as number) + 587 * (pixels[offset + 1] as number) + 114 * (pixels[offset + 2] as number)) / 1000;
          const alpha = channels === 4 ? (pixels[offset + 3] as number) / 255 : 1;
          sum += luma * alpha + 255 * (1 - alpha);
        }
      }
      gray[targetY * targetWidth + targetX] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { image: encodeGrayPgm(gray, targetWidth, targetHeight), width: targetWidth, height: targetHeight, scale, gray };
}

/** The same page turned clockwise by 90, 180 or 270 degrees. */
export function rotateRaster(raster: Raster, degrees: 90 | 180 | 270): Raster {
  const { gray, width, height } = raster;
  if (!gray) return raster;
  const turned = new Uint8Array(gray.length);
  const quarter = degrees !== 180;
  const outWidth = quarter ? height : width;
  const outHeight = quarter ? width : height;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = gray[y * width + x] as number;
      if (degrees === 90) turned[x * outWidth + (height - 1 - y)] = value;
      else if (degrees === 180) turned[(height - 1 - y) * width + (width - 1 - x)] = value;
      else turned[(width - 1 - x) * outWidth + y] = value;
    }
  }
  return { image: encodeGrayPgm(turned, outWidth, outHeight), width: outWidth, height: outHeight, scale: raster.scale, gray: turned };
}

/** Binary PGM (P5): no compression to spend time on, and tesseract reads it fastest of all. */
function encodeGrayPgm(gray: Uint8Array, width: number, height: number): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1'), gray]);
}
