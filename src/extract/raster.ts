import { DoccatError } from '../errors.js';

/**
 * Raster helpers shared by image and PDF extraction: everything handed to OCR is a PNG on an
 * opaque white background (alpha flattened, palette/CMYK converted by the decoder), scaled down
 * when larger than the pixel budget so one huge scan cannot exhaust memory.
 */

export interface Raster {
  png: Buffer;
  width: number;
  height: number;
  /** Scale applied to fit the pixel budget (1 when untouched). */
  scale: number;
}

export function fitScale(width: number, height: number, maxPixels: number): number {
  const pixels = width * height;
  return pixels > maxPixels ? Math.sqrt(maxPixels / pixels) : 1;
}

/** Decodes png/jpeg/webp/gif/bmp with Skia and flattens it onto white. */
export async function encodedImageToRaster(bytes: Buffer, maxPixels: number): Promise<Raster> {
  const { loadImage, createCanvas } = await import('@napi-rs/canvas');
  let image;
  try {
    image = await loadImage(bytes);
  } catch (error) {
    throw new DoccatError('E_IMAGE_CORRUPT', `cannot decode the image: ${(error as Error).message}`, {
      hint: 'the file is truncated or damaged; scan or export it again',
      cause: error,
    });
  }
  if (!image.width || !image.height) {
    throw new DoccatError('E_IMAGE_CORRUPT', 'the image has no pixels (truncated or damaged)', { hint: 'scan or export it again' });
  }
  const scale = fitScale(image.width, image.height, maxPixels);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  return { png: await canvas.encode('png'), width, height, scale };
}

/** Wraps raw RGBA pixels (e.g. a decoded TIFF page) as a PNG on white, scaled to the budget. */
export async function rgbaToRaster(rgba: Uint8Array, width: number, height: number, maxPixels: number): Promise<Raster> {
  const { createCanvas, ImageData } = await import('@napi-rs/canvas');
  const source = createCanvas(width, height);
  source.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, width * height * 4), width, height), 0, 0);
  const scale = fitScale(width, height, maxPixels);
  const targetWidth = Math.max(1, Math.round(width * scale));
  const targetHeight = Math.max(1, Math.round(height * scale));
  const canvas = createCanvas(targetWidth, targetHeight);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, targetWidth, targetHeight);
  context.drawImage(source, 0, 0, targetWidth, targetHeight);
  return { png: await canvas.encode('png'), width: targetWidth, height: targetHeight, scale };
}
