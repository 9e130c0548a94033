import type { ExtractInput } from '../../extractor.js';
import { decodedImageToRaster, fitScale, rgbaToRaster, type DecodedImage, type Raster } from '../../raster.js';
import { chain, invert, type Matrix } from '../../searchable/matrix.js';
import { multiply, type OperatorList, type PdfJs, type PdfPage } from './pdfjs.js';

/** Blank pages are not worth rendering: only pages that paint images or shapes can hold a scan. */
export function hasVisibleContent(pdfjs: PdfJs, list: OperatorList): boolean {
  const ops = pdfjs.OPS;
  const painting = new Set<number>([
    ops.paintImageXObject,
    ops.paintInlineImageXObject,
    ops.paintImageMaskXObject,
    ops.paintImageXObjectRepeat,
    ops.paintImageMaskXObjectRepeat,
    ops.paintInlineImageXObjectGroup,
    ops.paintImageMaskXObjectGroup,
    ops.constructPath,
    ops.showText,
    ops.showSpacedText,
  ]);
  return list.fnArray.some((fn) => painting.has(fn));
}

/**
 * The one image a scanned page consists of, upright and unscaled by anything but its size on the
 * page, with its resolution; undefined when the page paints anything else (text, shapes, masks,
 * a second image) or turns the image, which then needs rendering.
 */
async function soleImage(pdfjs: PdfJs, page: PdfPage, list: OperatorList): Promise<{ image: DecodedImage; dpi: number; matrix: Matrix } | undefined> {
  const ops = pdfjs.OPS;
  const harmless = new Set<number>([ops.save, ops.restore, ops.transform, ops.dependency, ops.clip, ops.eoClip, ops.endPath, ops.setGState, ops.setRenderingIntent, ops.setFlatness]);
  let matrix = [1, 0, 0, 1, 0, 0];
  const saved: number[][] = [];
  let found: { name: string; matrix: number[] } | undefined;
  for (let index = 0; index < list.fnArray.length; index += 1) {
    const fn = list.fnArray[index] as number;
    const args = list.argsArray[index] as unknown[] | null;
    if (fn === ops.save) saved.push(matrix);
    else if (fn === ops.restore) matrix = saved.pop() ?? matrix;
    else if (fn === ops.transform) matrix = multiply(matrix, args as number[]);
    // A clipping path (painted with "no paint"): it can only hide part of the image.
    else if (fn === ops.constructPath && args?.[0] === ops.endPath) continue;
    else if (fn === ops.paintImageXObject && !found) found = { name: args?.[0] as string, matrix };
    else if (!harmless.has(fn)) return undefined;
  }
  if (!found || page.rotate % 360 !== 0) return undefined;
  const [a, b, c, d] = found.matrix as [number, number, number, number];
  if (b !== 0 || c !== 0 || !(a > 0) || !(d > 0)) return undefined;
  // Pixels stretched more one way than the other (aspect.pdf) read wrongly unless rendered.
  const stretch = (found.matrix[0] as number) / (found.matrix[3] as number);
  const name = found.name;
  const image = await new Promise<unknown>((resolve) => (name.startsWith('g_') ? page.commonObjs : page.objs).get(name, resolve));
  const decoded = image as Partial<DecodedImage> | null;
  if (!decoded?.data || !decoded.width || !decoded.height || ![1, 2, 3].includes(decoded.kind as number)) return undefined;
  if (decoded.data.length < expectedBytes(decoded as DecodedImage)) return undefined;
  if (Math.abs(stretch / (decoded.width / decoded.height) - 1) > 0.01) return undefined;
  // User space is in points (1/72 in): the image's pixels over its width on the page.
  return { image: decoded as DecodedImage, dpi: (decoded.width / a) * 72, matrix: found.matrix as unknown as Matrix };
}

function expectedBytes(image: DecodedImage): number {
  return image.kind === 1 ? ((image.width + 7) >> 3) * image.height : image.width * image.height * (image.kind === 2 ? 3 : 4);
}

/**
 * A page to OCR: a scan (one image, nothing else) is read from pdf.js's decoded image directly,
 * scaled down on the way; anything else is rendered. Rendering a page around a large image costs
 * the page canvas, a scratch canvas of the image's full size and the RGBA copy getImageData
 * makes (enormous.pdf's 9000x9000 scan: 1.9 GB); taking the image costs only its decoding.
 */
export async function pageRaster(pdfjs: PdfJs, page: PdfPage, list: OperatorList, input: ExtractInput): Promise<{ raster: Raster; dpi: number; toPage: Matrix }> {
  const scan = await soleImage(pdfjs, page, list);
  if (scan) {
    // No finer than a render would be: tesseract reads a 2400-dpi scan worse than the same at 300.
    const atRenderDpi = scan.image.width * scan.image.height * Math.min(1, (input.options.renderDpi / scan.dpi) ** 2);
    const raster = decodedImageToRaster(scan.image, Math.min(input.options.maxPagePixels, Math.max(1, Math.floor(atRenderDpi))));
    // The decoded image (243 MB for enormous.pdf) is not needed while the page waits for OCR.
    scan.image.data = new Uint8Array(0);
    page.cleanup();
    // In an extraction process (started with --expose-gc) give the memory back before OCR starts.
    (globalThis as { gc?: () => void }).gc?.();
    // An image is painted on the unit square through the transform in force.
    return { raster, dpi: scan.dpi * raster.scale, toPage: scan.matrix };
  }
  const base = page.getViewport({ scale: 1 });
  const wanted = input.options.renderDpi / 72;
  const scale = wanted * fitScale(base.width * wanted, base.height * wanted, input.options.maxPagePixels);
  const viewport = page.getViewport({ scale });
  const { createCanvas } = await import('@napi-rs/canvas');
  const canvas = createCanvas(Math.max(1, Math.ceil(viewport.width)), Math.max(1, Math.ceil(viewport.height)));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  // pdf.js types its canvas as the DOM's; @napi-rs/canvas implements the same 2D API.
  type RenderParameters = Parameters<PdfPage['render']>[0];
  await page.render({ canvas: canvas as unknown as RenderParameters['canvas'], canvasContext: context as unknown as RenderParameters['canvasContext'], viewport, background: 'white' }).promise;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const raster = rgbaToRaster(pixels, canvas.width, canvas.height, Number.MAX_SAFE_INTEGER);
  // The canvas's unit square (y up) to its pixels (y down), then back through the viewport to the page.
  const toPage = chain([canvas.width, 0, 0, -canvas.height, 0, canvas.height], invert(viewport.transform as unknown as Matrix));
  return { raster, dpi: scale * 72, toPage };
}
