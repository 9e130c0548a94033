import zlib from 'node:zlib';

/**
 * Page images for the searchable PDF, as PDF image XObjects, without loss: a JPEG keeps its own
 * bytes (DCTDecode), a PNG its compressed data (FlateDecode with the PNG predictors) where PDF can
 * say what it says, and everything else is stored as the decoded pixels, deflated, in the
 * smallest form that holds them exactly (1-bit, 8-bit gray or RGB, alpha as a soft mask).
 */

export type ColorSpace = 'DeviceGray' | 'DeviceRGB' | 'DeviceCMYK' | { indexed: Uint8Array; entries: number };

export interface PdfImage {
  width: number;
  height: number;
  colorSpace: ColorSpace;
  bitsPerComponent: 1 | 2 | 4 | 8 | 16;
  filter: 'DCTDecode' | 'FlateDecode';
  decodeParms?: Record<string, number>;
  decode?: number[];
  data: Uint8Array;
  /** Alpha, 8-bit gray, deflated. */
  softMask?: Uint8Array;
}

/** Horizontal and vertical resolution the file declares, in dots per inch. */
export interface Resolution {
  x: number;
  y: number;
}

/** Below or above these a declared resolution is taken to be wrong (0, 1, or dots per metre misread). */
const MIN_DPI = 50;
const MAX_DPI = 4800;

export function plausibleResolution(x: number | undefined, y: number | undefined): Resolution | undefined {
  if (x === undefined || !(x >= MIN_DPI && x <= MAX_DPI)) return undefined;
  const vertical = y !== undefined && y >= MIN_DPI && y <= MAX_DPI ? y : x;
  return { x, y: vertical };
}

// --- JPEG ------------------------------------------------------------------------------------

export interface JpegFacts {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** The Adobe APP14 marker's colour transform (0 none, 1 YCbCr, 2 YCCK), when present. */
  adobeTransform?: number;
  resolution?: Resolution;
  /** EXIF Orientation (1-8), when present. */
  orientation?: number;
}

/** A page's image, its resolution when the file states one, and how the file says to show it. */
export interface PageImage {
  image: PdfImage;
  resolution?: Resolution | undefined;
  /** Clockwise. */
  rotate?: 0 | 90 | 180 | 270;
}

/**
 * EXIF and TIFF orientation as a page rotation: 3, 6 and 8 are turns; 1 and the mirrored ones
 * (2, 4, 5, 7: rare, and a PDF page cannot mirror) are shown as stored.
 */
export function orientationRotation(orientation: number | undefined): 0 | 90 | 180 | 270 {
  return orientation === 3 ? 180 : orientation === 6 ? 90 : orientation === 8 ? 270 : 0;
}

/** Frame header, Adobe and JFIF markers; undefined when the markers cannot be walked. */
export function jpegFacts(bytes: Uint8Array): JpegFacts | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 4 || view[0] !== 0xff || view[1] !== 0xd8) return undefined;
  let offset = 2;
  let adobeTransform: number | undefined;
  let resolution: Resolution | undefined;
  let orientation: number | undefined;
  while (offset + 4 <= view.length) {
    if (view[offset] !== 0xff) return undefined;
    const marker = view[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    // Markers without a length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = view.readUInt16BE(offset + 2);
    const body = offset + 4;
    if (length < 2 || offset + 2 + length > view.length) return undefined;
    if (marker === 0xe0 && length >= 16 && view.toString('latin1', body, body + 5) === 'JFIF\0') {
      const units = view[body + 7];
      const x = view.readUInt16BE(body + 8);
      const y = view.readUInt16BE(body + 10);
      if (units === 1) resolution = plausibleResolution(x, y);
      else if (units === 2) resolution = plausibleResolution(x * 2.54, y * 2.54);
    } else if (marker === 0xe1 && length >= 16 && view.toString('latin1', body, body + 6) === 'Exif\0\0') {
      orientation = exifOrientation(view.subarray(body + 6, offset + 2 + length));
    } else if (marker === 0xee && length >= 14 && view.toString('latin1', body, body + 5) === 'Adobe') {
      adobeTransform = view[body + 11];
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return {
        precision: view[body] as number,
        height: view.readUInt16BE(body + 1),
        width: view.readUInt16BE(body + 3),
        components: view[body + 5] as number,
        ...(adobeTransform === undefined ? {} : { adobeTransform }),
        ...(resolution ? { resolution } : {}),
        ...(orientation === undefined ? {} : { orientation }),
      };
    }
    offset += 2 + length;
  }
  return undefined;
}

/** The Orientation tag (0x0112) of an EXIF block's first image directory. */
function exifOrientation(tiff: Buffer): number | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const directory = u32(4);
  if (directory + 2 > tiff.length) return undefined;
  const entries = u16(directory);
  for (let index = 0; index < entries; index += 1) {
    const entry = directory + 2 + index * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112) return u16(entry + 8);
  }
  return undefined;
}

/** The JPEG's own bytes, as PDF's DCT filter reads them; undefined for what it cannot (12-bit, odd component counts). */
export function jpegImage(bytes: Uint8Array, facts: JpegFacts): PdfImage | undefined {
  if (facts.precision !== 8 || facts.width === 0 || facts.height === 0) return undefined;
  const base = { width: facts.width, height: facts.height, bitsPerComponent: 8 as const, filter: 'DCTDecode' as const, data: bytes };
  switch (facts.components) {
    case 1:
      return { ...base, colorSpace: 'DeviceGray' };
    case 3:
      // An Adobe marker saying "no transform" means the samples are RGB, not YCbCr.
      return facts.adobeTransform === 0 ? { ...base, colorSpace: 'DeviceRGB', decodeParms: { ColorTransform: 0 } } : { ...base, colorSpace: 'DeviceRGB' };
    case 4:
      // Adobe's CMYK JPEGs store the inks inverted.
      return {
        ...base,
        colorSpace: 'DeviceCMYK',
        decodeParms: { ColorTransform: facts.adobeTransform === 2 ? 1 : 0 },
        ...(facts.adobeTransform === undefined ? {} : { decode: [1, 0, 1, 0, 1, 0, 1, 0] }),
      };
    default:
      return undefined;
  }
}

// --- PNG -------------------------------------------------------------------------------------

export interface PngFacts {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  palette?: Uint8Array;
  /** The tRNS chunk's data, when there is one: a palette's alpha per entry, or a gray or RGB colour key. */
  transparency?: Uint8Array;
  resolution?: Resolution;
  /** The IDAT chunks' data, joined: one zlib stream of filtered rows. */
  data: Uint8Array;
}

export function pngFacts(bytes: Uint8Array): PngFacts | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 33 || view.readUInt32BE(0) !== 0x89504e47) return undefined;
  let offset = 8;
  let header: Omit<PngFacts, 'data' | 'transparency'> | undefined;
  let transparency: Uint8Array | undefined;
  let palette: Uint8Array | undefined;
  let resolution: Resolution | undefined;
  const data: Buffer[] = [];
  while (offset + 8 <= view.length) {
    const length = view.readUInt32BE(offset);
    const type = view.toString('latin1', offset + 4, offset + 8);
    const body = offset + 8;
    if (body + length > view.length) return undefined;
    if (type === 'IHDR' && length >= 13) {
      header = { width: view.readUInt32BE(body), height: view.readUInt32BE(body + 4), bitDepth: view[body + 8] as number, colorType: view[body + 9] as number, interlaced: view[body + 12] === 1 };
    } else if (type === 'PLTE') palette = view.subarray(body, body + length);
    else if (type === 'tRNS') transparency = view.subarray(body, body + length);
    else if (type === 'pHYs' && length >= 9 && view[body + 8] === 1) {
      // Pixels per metre.
      resolution = plausibleResolution(view.readUInt32BE(body) * 0.0254, view.readUInt32BE(body + 4) * 0.0254);
    } else if (type === 'IDAT') data.push(view.subarray(body, body + length));
    else if (type === 'IEND') break;
    offset = body + length + 4;
  }
  if (!header || data.length === 0) return undefined;
  return { ...header, ...(transparency ? { transparency } : {}), ...(palette ? { palette } : {}), ...(resolution ? { resolution } : {}), data: Buffer.concat(data) };
}

/**
 * The PNG's compressed rows as they are: PDF's Flate filter with predictor 15 reads PNG's
 * per-row filters. Not for what PDF has no way to say that way: interlacing, an alpha channel
 * or transparent colour (a soft mask needs the pixels), those go through the pixels instead.
 */
export function pngImage(facts: PngFacts): PdfImage | undefined {
  const { width, height, bitDepth, colorType } = facts;
  if (facts.interlaced || facts.transparency || width === 0 || height === 0) return undefined;
  let colorSpace: ColorSpace;
  let colors: number;
  if (colorType === 0) {
    colorSpace = 'DeviceGray';
    colors = 1;
  } else if (colorType === 2 && (bitDepth === 8 || bitDepth === 16)) {
    colorSpace = 'DeviceRGB';
    colors = 3;
  } else if (colorType === 3 && facts.palette && facts.palette.length >= 3) {
    colorSpace = { indexed: facts.palette, entries: Math.floor(facts.palette.length / 3) };
    colors = 1;
  } else return undefined;
  if (![1, 2, 4, 8, 16].includes(bitDepth)) return undefined;
  return {
    width,
    height,
    colorSpace,
    bitsPerComponent: bitDepth as PdfImage['bitsPerComponent'],
    filter: 'FlateDecode',
    decodeParms: { Predictor: 15, Colors: colors, BitsPerComponent: bitDepth, Columns: width },
    data: facts.data,
  };
}

// --- Other formats' resolutions --------------------------------------------------------------

/** BMP's info header gives pixels per metre. */
export function bmpResolution(bytes: Uint8Array): Resolution | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 46) return undefined;
  return plausibleResolution(view.readInt32LE(38) * 0.0254, view.readInt32LE(42) * 0.0254);
}

/** TIFF XResolution/YResolution in ResolutionUnit (2 inch, the default; 3 centimetre). */
export function tiffResolution(x: number | undefined, y: number | undefined, unit: number | undefined): Resolution | undefined {
  const factor = unit === 3 ? 2.54 : unit === 1 ? Number.NaN : 1;
  return plausibleResolution(x === undefined ? undefined : x * factor, y === undefined ? undefined : y * factor);
}

// --- Pixels ----------------------------------------------------------------------------------

/**
 * Decoded 8-bit pixels (RGBA, or RGB when channels is 3) stored exactly, in the least space that
 * holds them: black and white as 1 bit, gray as 8, colour as RGB; alpha, when any pixel has some,
 * as a soft mask.
 */
export function pixelImage(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 3 | 4 = 4): PdfImage {
  const count = width * height;
  let gray = true;
  let bilevel = true;
  let opaque = true;
  for (let index = 0, offset = 0; index < count; index += 1, offset += channels) {
    const red = pixels[offset] as number;
    if (red !== pixels[offset + 1] || red !== pixels[offset + 2]) {
      gray = false;
      bilevel = false;
    } else if (red !== 0 && red !== 255) bilevel = false;
    if (channels === 4 && pixels[offset + 3] !== 255) opaque = false;
    if (!gray && !opaque) break;
  }
  let samples: Uint8Array;
  let colorSpace: ColorSpace;
  let bitsPerComponent: 1 | 8 = 8;
  if (bilevel) {
    const rowBytes = (width + 7) >> 3;
    samples = new Uint8Array(rowBytes * height);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        // DeviceGray at 1 bit: a set bit is white.
        if ((pixels[(y * width + x) * channels] as number) !== 0) samples[y * rowBytes + (x >> 3)] = (samples[y * rowBytes + (x >> 3)] as number) | (0x80 >> (x & 7));
      }
    }
    colorSpace = 'DeviceGray';
    bitsPerComponent = 1;
  } else if (gray) {
    samples = new Uint8Array(count);
    for (let index = 0; index < count; index += 1) samples[index] = pixels[index * channels] as number;
    colorSpace = 'DeviceGray';
  } else {
    samples = new Uint8Array(count * 3);
    for (let index = 0; index < count; index += 1) {
      samples[index * 3] = pixels[index * channels] as number;
      samples[index * 3 + 1] = pixels[index * channels + 1] as number;
      samples[index * 3 + 2] = pixels[index * channels + 2] as number;
    }
    colorSpace = 'DeviceRGB';
  }
  const image: PdfImage = { width, height, colorSpace, bitsPerComponent, filter: 'FlateDecode', data: zlib.deflateSync(samples) };
  if (!opaque) {
    const alpha = new Uint8Array(count);
    for (let index = 0; index < count; index += 1) alpha[index] = pixels[index * 4 + 3] as number;
    image.softMask = zlib.deflateSync(alpha);
  }
  return image;
}

/** bmp-js hands back ABGR with the alpha byte zero: as opaque RGBA. */
export function abgrToRgba(abgr: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(abgr.length);
  for (let offset = 0; offset < abgr.length; offset += 4) {
    rgba[offset] = abgr[offset + 3] as number;
    rgba[offset + 1] = abgr[offset + 2] as number;
    rgba[offset + 2] = abgr[offset + 1] as number;
    rgba[offset + 3] = 255;
  }
  return rgba;
}

/** Bytes an image adds to the PDF being assembled. */
export function imageBytes(image: PdfImage): number {
  return image.data.byteLength + (image.softMask?.byteLength ?? 0);
}

// --- Whole files -----------------------------------------------------------------------------

/**
 * The page image of a one-page image file, or why there is none. Decoders run again here only
 * when the file's own compressed data cannot go into the PDF as it is.
 */
export async function fileImage(bytes: Buffer, mime: string, maxImagePixels: number): Promise<PageImage | string> {
  switch (mime) {
    case 'image/jpeg': {
      const facts = jpegFacts(bytes);
      const shown = { resolution: facts?.resolution, rotate: orientationRotation(facts?.orientation) };
      const own = facts && jpegImage(bytes, facts);
      if (own) return { image: own, ...shown };
      const { default: jpeg } = await import('jpeg-js');
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxImagePixels / 1e6, maxMemoryUsageInMB: Math.ceil((maxImagePixels * 5) / 1024 / 1024) });
      return { image: pixelImage(decoded.data, decoded.width, decoded.height), ...shown };
    }
    case 'image/png': {
      const facts = pngFacts(bytes);
      const own = facts && pngImage(facts);
      if (own) return { image: own, resolution: facts.resolution };
      const { PNG } = await import('pngjs');
      const end = bytes.lastIndexOf('IEND');
      const png = PNG.sync.read(end > 0 ? bytes.subarray(0, end + 8) : bytes);
      return { image: pixelImage(png.data, png.width, png.height), resolution: facts?.resolution };
    }
    case 'image/gif': {
      const { GifReader } = await import('omggif');
      const reader = new GifReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const pixels = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, pixels);
      return { image: pixelImage(pixels, reader.width, reader.height) };
    }
    case 'image/bmp': {
      const { default: bmp } = await import('bmp-js');
      const decoded = bmp.decode(bytes);
      return { image: pixelImage(abgrToRgba(decoded.data), decoded.width, decoded.height), resolution: bmpResolution(bytes) };
    }
    case 'image/webp':
      return 'WebP images are not made into PDFs (doccat has no WebP decoder of its own; tesseract reads them)';
    default:
      return `${mime} images are not made into PDFs`;
  }
}
