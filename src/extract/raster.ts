import { DoccatError } from '../errors.js';
import { checkImagePixels, formatPixels, tooLarge } from './limits.js';
import { opaqueLuma, pngGray } from './png-gray.js';
import { pngFacts } from './searchable/images.js';

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

function checkDimensions(width: number, height: number, maxImagePixels: number): void {
  if (!(width > 0 && height > 0)) throw new DoccatError('E_IMAGE_CORRUPT', 'the image has no pixels', { hint: 'the file is damaged; scan or export it again' });
  checkImagePixels(width, height, maxImagePixels);
}

/**
 * Decodes an image for OCR. Its size is read from the header first: a few kilobytes can declare
 * a bitmap of gigabytes, and decoding it to find out is what must not happen.
 */
export async function decodeToRaster(bytes: Buffer, mime: string, maxPixels: number, maxImagePixels: number): Promise<Raster> {
  const declared = imageDimensions(bytes, mime);
  if (declared) checkDimensions(declared.width, declared.height, maxImagePixels);
  switch (mime) {
    case 'image/png': {
      // Bytes after the IEND chunk (some tools append metadata) are not part of the image.
      const end = bytes.lastIndexOf('IEND');
      const png = end > 0 ? bytes.subarray(0, end + 8) : bytes;
      const fast = fastPng(png, maxPixels, maxImagePixels);
      if (fast) return fast;
      const { PNG } = await import('pngjs');
      let decoded: { width: number; height: number; data: Buffer };
      try {
        decoded = PNG.sync.read(png);
      } catch (error) {
        throw corrupt('PNG', error);
      }
      return rgbaToRaster(decoded.data, decoded.width, decoded.height, maxPixels);
    }
    case 'image/jpeg': {
      const { default: jpeg } = await import('jpeg-js');
      let decoded: { width: number; height: number; data: Uint8Array };
      try {
        decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxImagePixels / 1e6, maxMemoryUsageInMB: Math.ceil((maxImagePixels * 5) / 1024 / 1024) });
      } catch (error) {
        if (/maxResolutionInMP|maxMemoryUsageInMB/.test(String(error))) {
          throw tooLarge('the JPEG is too large to decode', formatPixels(maxImagePixels), 'ocr.maxImagePixels');
        }
        throw corrupt('JPEG', error);
      }
      return rgbaToRaster(decoded.data, decoded.width, decoded.height, maxPixels);
    }
    case 'image/gif': {
      const { GifReader } = await import('omggif');
      try {
        const reader = new GifReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        checkDimensions(reader.width, reader.height, maxImagePixels);
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

/** The PNG by the fast path, or undefined when it takes pngjs (an unusual form, or damage pngjs will name). */
function fastPng(bytes: Buffer, maxPixels: number, maxImagePixels: number): Raster | undefined {
  const facts = pngFacts(bytes);
  if (!facts) return undefined;
  const { width, height } = facts;
  checkDimensions(width, height, maxImagePixels);
  // A page within the budget is decoded into its PGM buffer directly.
  const page = fitScale(width, height, maxPixels) === 1 ? allocateGrayPgm(width, height) : undefined;
  let gray: Uint8Array | undefined;
  try {
    gray = pngGray(facts, page && (() => page.gray));
  } catch {
    return undefined;
  }
  if (!gray) return undefined;
  if (page) return { image: page.image, width, height, scale: 1, gray };
  const pixels = gray;
  return boxFilter(width, height, maxPixels, (x, y) => pixels[y * width + x] as number);
}

/**
 * Width and height as the file's header states them, before any decoding: PNG IHDR, the JPEG
 * frame header, GIF's logical screen, BMP's info header, WebP's VP8/VP8L/VP8X header.
 * undefined when the header cannot be read (the decoder then reports the damage).
 */
export function imageDimensions(bytes: Buffer, mime: string): { width: number; height: number } | undefined {
  try {
    switch (mime) {
      case 'image/png':
        return bytes.length >= 24 ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
      case 'image/gif':
        return bytes.length >= 10 ? { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) } : undefined;
      case 'image/bmp':
        // BITMAPINFOHEADER and later; a negative height means top-down rows.
        return bytes.length >= 26 ? { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) } : undefined;
      case 'image/webp':
        return webpDimensions(bytes);
      case 'image/jpeg':
        return jpegDimensions(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function jpegDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function webpDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 30) return undefined;
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  return undefined;
}

/** pdf.js's decoded image kinds (ImageKind): 1 bit per pixel (set = white), RGB, RGBA. */
export interface DecodedImage {
  width: number;
  height: number;
  kind: 1 | 2 | 3;
  data: Uint8Array | Uint8ClampedArray;
}

/** An image pdf.js decoded, straight to an OCR raster (no canvas, no page-sized RGBA copy). */
export function decodedImageToRaster(image: DecodedImage, maxPixels: number): Raster {
  if (image.kind === 2) return rgbaToRaster(image.data, image.width, image.height, maxPixels, 3);
  if (image.kind === 3) return rgbaToRaster(image.data, image.width, image.height, maxPixels, 4);
  const rowBytes = (image.width + 7) >> 3;
  const { data, width, height } = image;
  const grayAt = (x: number, y: number) => (((data[y * rowBytes + (x >> 3)] as number) >> (7 - (x & 7))) & 1 ? 255 : 0);
  if (fitScale(width, height, maxPixels) === 1) {
    const page = allocateGrayPgm(width, height);
    unpackBits(data, rowBytes, width, height, page.gray);
    return { image: page.image, width, height, scale: 1, gray: page.gray };
  }
  return boxFilter(width, height, maxPixels, grayAt);
}

/** Each byte of a 1-bit image as its eight gray pixels (a set bit is white). */
const EIGHT_PIXELS = (() => {
  const table = new Uint8Array(256 * 8);
  for (let byte = 0; byte < 256; byte += 1) for (let bit = 0; bit < 8; bit += 1) table[byte * 8 + bit] = (byte >> (7 - bit)) & 1 ? 255 : 0;
  return table;
})();

/**
 * A 1-bit image to 8-bit gray a byte (eight pixels) at a time: a bit at a time through a closure
 * took about twice as long (an A4 page at 300 dpi: 36 ms against 12-17).
 */
function unpackBits(data: Uint8Array | Uint8ClampedArray, rowBytes: number, width: number, height: number, gray: Uint8Array): void {
  for (let y = 0; y < height; y += 1) {
    const row = y * rowBytes;
    const start = y * width;
    for (let x = 0; x < width; x += 8) {
      const pixels = (data[row + (x >> 3)] as number) * 8;
      const end = Math.min(8, width - x);
      for (let bit = 0; bit < end; bit += 1) gray[start + x + bit] = EIGHT_PIXELS[pixels + bit] as number;
    }
  }
}

/**
 * RGBA (or RGB when channels is 3) -> grayscale on white, box-filtered down to the pixel budget,
 * as an 8-bit binary PGM.
 */
export function rgbaToRaster(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, maxPixels: number, channels: 3 | 4 = 4): Raster {
  // ITU-R BT.601 luma, then composite over white by alpha.
  const grayAt = (offset: number) => {
    const luma = (299 * (pixels[offset] as number) + 587 * (pixels[offset + 1] as number) + 114 * (pixels[offset + 2] as number)) / 1000;
    const alpha = channels === 4 ? (pixels[offset + 3] as number) / 255 : 1;
    return luma * alpha + 255 * (1 - alpha);
  };
  if (fitScale(width, height, maxPixels) === 1) {
    // Most pages fit the budget: one pass, no averaging (the box filter's per-pixel reads cost a
    // 300-dpi page about a tenth of a second more).
    const page = allocateGrayPgm(width, height);
    const { gray } = page;
    if (channels === 3) rgbToGray(pixels, width * height, gray);
    else {
      for (let index = 0, offset = 0; index < width * height; index += 1, offset += 4) {
        if (pixels[offset + 3] === 255) gray[index] = opaqueLuma(pixels[offset] as number, pixels[offset + 1] as number, pixels[offset + 2] as number);
        else gray[index] = Math.round(grayAt(offset));
      }
    }
    return { image: page.image, width, height, scale: 1, gray };
  }
  return boxFilter(width, height, maxPixels, (x, y) => grayAt((y * width + x) * channels));
}

/**
 * RGB to gray in a loop of its own: sharing one loop with RGBA (a branch on the channel count and
 * on alpha for every pixel) cost an A4 page at 300 dpi a third more (84-92 ms against 52-68).
 */
function rgbToGray(pixels: Uint8Array | Uint8ClampedArray, count: number, gray: Uint8Array): void {
  for (let index = 0, offset = 0; index < count; index += 1, offset += 3) gray[index] = opaqueLuma(pixels[offset] as number, pixels[offset + 1] as number, pixels[offset + 2] as number);
}

/** Grayscale (from any pixel reader) box-filtered down to the pixel budget, as a PGM raster. */
function boxFilter(width: number, height: number, maxPixels: number, grayAt: (x: number, y: number) => number): Raster {
  const scale = fitScale(width, height, maxPixels);
  const targetWidth = Math.max(1, Math.floor(width * scale));
  const targetHeight = Math.max(1, Math.floor(height * scale));
  const { image, gray } = allocateGrayPgm(targetWidth, targetHeight);
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
        for (let x = x0; x < x1; x += 1) sum += grayAt(x, y);
      }
      gray[targetY * targetWidth + targetX] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { image, width: targetWidth, height: targetHeight, scale, gray };
}

/** The page scaled down by `factor` (box filter); the raster itself when factor is 1 or more. */
export function scaleRaster(raster: Raster, factor: number): Raster {
  const { gray, width } = raster;
  if (!gray || factor >= 1) return raster;
  const scaled = boxFilter(width, raster.height, Math.max(1, Math.floor(width * raster.height * factor * factor)), (x, y) => gray[y * width + x] as number);
  return { ...scaled, scale: raster.scale * scaled.scale };
}

/** The middle `fraction` of the page's width and height. */
export function cropRaster(raster: Raster, fraction: number): Raster {
  const { gray, width, height } = raster;
  if (!gray || fraction >= 1) return raster;
  const cropWidth = Math.max(1, Math.round(width * fraction));
  const cropHeight = Math.max(1, Math.round(height * fraction));
  const left = Math.floor((width - cropWidth) / 2);
  const top = Math.floor((height - cropHeight) / 2);
  const cropped = allocateGrayPgm(cropWidth, cropHeight);
  for (let y = 0; y < cropHeight; y += 1) {
    cropped.gray.set(gray.subarray((top + y) * width + left, (top + y) * width + left + cropWidth), y * cropWidth);
  }
  return { image: cropped.image, width: cropWidth, height: cropHeight, scale: raster.scale, gray: cropped.gray };
}

/** The same page turned clockwise by 90, 180 or 270 degrees. */
export function rotateRaster(raster: Raster, degrees: 90 | 180 | 270): Raster {
  const { gray, width, height } = raster;
  if (!gray) return raster;
  const quarter = degrees !== 180;
  const outWidth = quarter ? height : width;
  const outHeight = quarter ? width : height;
  const { image, gray: turned } = allocateGrayPgm(outWidth, outHeight);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = gray[y * width + x] as number;
      if (degrees === 90) turned[x * outWidth + (height - 1 - y)] = value;
      else if (degrees === 180) turned[(height - 1 - y) * width + (width - 1 - x)] = value;
      else turned[(width - 1 - x) * outWidth + y] = value;
    }
  }
  return { image, width: outWidth, height: outHeight, scale: raster.scale, gray: turned };
}

/**
 * A binary PGM (P5: no compression to spend time on, and tesseract reads it fastest of all) whose
 * pixels are the `gray` view into the same memory: a page is held once, not twice.
 */
export function allocateGrayPgm(width: number, height: number): { image: Buffer; gray: Uint8Array } {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  const image = Buffer.allocUnsafe(header.length + width * height);
  header.copy(image, 0);
  return { image, gray: image.subarray(header.length) };
}
