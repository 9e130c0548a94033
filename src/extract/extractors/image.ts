import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';
import type { Extractor } from '../extractor.js';
import { ocrRasters } from '../ocr-pages.js';
import { decodeToRaster, rgbaToRaster, type Raster } from '../raster.js';
import { checkImagePixels, checkPageCount } from '../limits.js';
import { SearchableImagePdf } from '../searchable/image-pdf.js';
import { fileImage, orientationRotation, pixelImage, tiffResolution } from '../searchable/images.js';

/** TIFF tags come as arrays of numbers from UTIF. */
function ifdDimension(tag: unknown): number {
  const value = Array.isArray(tag) ? (tag[0] as unknown) : tag;
  return typeof value === 'number' ? value : 0;
}

function requireOcr(enabled: boolean): void {
  if (!enabled) {
    throw new DoccatError('E_OCR_DISABLED', 'this image needs OCR, which is disabled', { hint: 'set features.ocr to true (or drop --no-ocr) to catalogue scans' });
  }
}

/**
 * Decoders render a truncated PNG or JPEG as a partial picture without complaint, which would
 * catalogue half a page as if it were whole. Both formats have an end marker: require it.
 */
export function checkComplete(bytes: Buffer, mime: string): void {
  const tail = bytes.subarray(Math.max(0, bytes.length - 4096));
  const complete =
    mime === 'image/png' ? tail.includes(Buffer.from('IEND', 'latin1')) : mime === 'image/jpeg' ? tail.includes(Buffer.from([0xff, 0xd9])) : true;
  if (!complete) {
    throw new DoccatError('E_IMAGE_TRUNCATED', `the ${mime === 'image/png' ? 'PNG' : 'JPEG'} file is truncated (its end marker is missing)`, {
      hint: 'the copy or download was cut short; copy or scan it again',
    });
  }
}

/** PNG, JPEG, WebP, BMP and GIF: one page each, straight to OCR. */
export const extractImage: Extractor = async (input) => {
  requireOcr(input.options.ocrEnabled);
  const bytes = await fsp.readFile(input.path);
  checkComplete(bytes, input.mime);
  const searchable = SearchableImagePdf.for(input);
  async function* pages(): AsyncIterable<{ raster: Raster }> {
    const raster = await decodeToRaster(bytes, input.mime, input.options.maxPagePixels, input.options.maxImagePixels);
    await searchable?.addImage(0, () => fileImage(bytes, input.mime, input.options.maxImagePixels));
    yield { raster };
  }
  const result = await ocrRasters(input, pages(), searchable && ((index, reading) => searchable.addReading(index, reading)));
  await searchable?.finish(result);
  return result;
};

/** TIFF, including multi-page faxes and scanner output, decoded page by page with UTIF. */
export const extractTiff: Extractor = async (input) => {
  requireOcr(input.options.ocrEnabled);
  const bytes = await fsp.readFile(input.path);
  const UTIF = (await import('utif2')).default;
  let ifds: ReturnType<typeof UTIF.decode>;
  try {
    ifds = UTIF.decode(bytes).filter((ifd) => ifd.t256 !== undefined && ifd.t257 !== undefined);
  } catch (error) {
    throw new DoccatError('E_IMAGE_CORRUPT', `cannot read the TIFF: ${(error as Error).message}`, { hint: 'the file is truncated or damaged; scan it again', cause: error });
  }
  if (ifds.length === 0) throw new DoccatError('E_IMAGE_CORRUPT', 'the TIFF holds no image', { hint: 'the file is truncated or damaged; scan it again' });
  // Every page's size is in its directory: refuse before decoding any of them.
  checkPageCount(ifds.length, input.options.maxPages, 'the TIFF');
  ifds.forEach((ifd, index) => checkImagePixels(ifdDimension(ifd.t256), ifdDimension(ifd.t257), input.options.maxImagePixels, ifds.length > 1 ? `page ${index + 1} of the TIFF` : 'the TIFF'));
  async function* pages(): AsyncIterable<{ raster: Raster; dpi?: number }> {
    for (const ifd of ifds) {
      try {
        UTIF.decodeImage(bytes, ifd);
      } catch (error) {
        throw new DoccatError('E_IMAGE_CORRUPT', `cannot decode a TIFF page: ${(error as Error).message}`, { hint: 'the file is truncated or damaged; scan it again', cause: error });
      }
      const width = ifd.width as number;
      const height = ifd.height as number;
      const rgba = UTIF.toRGBA8(ifd);
      const xResolution = (ifd.t282 as number[] | undefined)?.[0];
      const raster = rgbaToRaster(rgba, width, height, input.options.maxPagePixels);
      // TIFF's compressions (CCITT fax, LZW, PackBits...) are not all PDF's: its pages go in as pixels.
      await searchable?.addImage(pageIndex++, async () => ({
        image: pixelImage(rgba, width, height),
        resolution: tiffResolution(xResolution, (ifd.t283 as number[] | undefined)?.[0], (ifd.t296 as number[] | undefined)?.[0]),
        rotate: orientationRotation((ifd.t274 as number[] | undefined)?.[0]),
      }));
      // Free the decoded page before the next one: multi-page scans can be large.
      delete (ifd as { data?: unknown }).data;
      yield xResolution && xResolution > 50 ? { raster, dpi: xResolution } : { raster };
    }
  }
  const searchable = SearchableImagePdf.for(input);
  let pageIndex = 0;
  const result = await ocrRasters(input, pages(), searchable && ((index, reading) => searchable.addReading(index, reading)));
  await searchable?.finish(result);
  return result;
};
