import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { assemblePdf } from './pdf-writer.mjs';

/** Reading searchable PDFs back the way a person's tools would: poppler's command-line tools and pdf.js. */

const require = createRequire(import.meta.url);

export const hasNativeTesseract = spawnSync('tesseract', ['--version']).status === 0;

/** Lower-cased words (letters and digits), in order. */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** pdftotext's text of a PDF; `raw` keeps the content stream's order instead of poppler's layout analysis. */
export function pdftotext(file: string, options: { raw?: boolean; first?: number; last?: number } = {}): string {
  const args = [...(options.raw ? ['-raw'] : []), ...(options.first ? ['-f', String(options.first)] : []), ...(options.last ? ['-l', String(options.last)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Share of `reference`'s words that `found` holds too (each occurrence counted once). */
export function recall(reference: string, found: string): number {
  const wanted = words(reference);
  if (wanted.length === 0) return 1;
  const available = new Map<string, number>();
  for (const word of words(found)) available.set(word, (available.get(word) ?? 0) + 1);
  let hits = 0;
  for (const word of wanted) {
    const left = available.get(word) ?? 0;
    if (left > 0) {
      hits += 1;
      available.set(word, left - 1);
    }
  }
  return hits / wanted.length;
}

export interface ListedImage {
  page: number;
  width: number;
  height: number;
  color: string;
  bpc: number;
  encoding: string;
  xPpi: number;
  yPpi: number;
}

/** `pdfimages -list`: every image painted on every page, with its pixel size and resolution there. */
export function pdfImages(file: string): ListedImage[] {
  const lines = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  return lines.map((line) => {
    const fields = line.trim().split(/\s+/);
    return { page: Number(fields[0]), width: Number(fields[3]), height: Number(fields[4]), color: fields[5] as string, bpc: Number(fields[7]), encoding: fields[8] as string, xPpi: Number(fields[12]), yPpi: Number(fields[13]) };
  });
}

export function pageCount(file: string): number {
  return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
}

export interface WordBox {
  word: string;
  /** Centre, in points from the top left of the page as shown. */
  x: number;
  y: number;
}

/** Word boxes as pdftotext places them (page 1 unless `page`). */
export function wordBoxes(file: string, page = 1): WordBox[] {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)].map((match) => ({
    word: match[5] as string,
    x: (Number(match[1]) + Number(match[3])) / 2,
    y: (Number(match[2]) + Number(match[4])) / 2,
  }));
}

/**
 * How far apart the same words are in two sets of boxes: for each word that appears exactly once
 * in both, the distance between its centres; the median of those, and how many there were.
 */
export function boxDistances(expected: WordBox[], actual: WordBox[], transform: (box: WordBox) => { x: number; y: number } = (box) => box): { median: number; count: number } {
  const once = (boxes: WordBox[]) => {
    const counts = new Map<string, number>();
    for (const box of boxes) counts.set(box.word.toLowerCase(), (counts.get(box.word.toLowerCase()) ?? 0) + 1);
    return new Map(boxes.filter((box) => box.word.length >= 4 && counts.get(box.word.toLowerCase()) === 1).map((box) => [box.word.toLowerCase(), box]));
  };
  const left = once(expected);
  const right = once(actual);
  const distances: number[] = [];
  for (const [word, box] of left) {
    const other = right.get(word);
    if (!other) continue;
    const moved = transform(box);
    distances.push(Math.hypot(moved.x - other.x, moved.y - other.y));
  }
  distances.sort((a, b) => a - b);
  return { median: distances[Math.floor(distances.length / 2)] ?? Number.POSITIVE_INFINITY, count: distances.length };
}

/**
 * Opens a PDF with pdf.js as doccat does (all its resources given), reads every page's text and
 * drawing operators, and returns the warnings and errors pdf.js reported, and the text it read.
 */
export async function readWithPdfJs(file: string): Promise<{ warnings: string[]; text: string; pages: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
  const warnings: string[] = [];
  const { log, warn, error } = console;
  const capture = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  console.log = capture;
  console.warn = capture;
  console.error = capture;
  try {
    const document = await pdfjs.getDocument({
      data: new Uint8Array(fs.readFileSync(file)),
      verbosity: 1,
      isEvalSupported: false,
      standardFontDataUrl: path.join(root, 'standard_fonts') + path.sep,
      cMapUrl: path.join(root, 'cmaps') + path.sep,
      cMapPacked: true,
      wasmUrl: path.join(root, 'wasm') + path.sep,
      iccUrl: path.join(root, 'iccs') + path.sep,
    }).promise;
    let text = '';
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      text += content.items.map((item) => ('str' in item ? `${item.str}${item.hasEOL ? '\n' : ' '}` : '')).join('') + '\n';
      await page.getOperatorList();
    }
    const pages = document.numPages;
    await document.destroy();
    return { warnings, text, pages };
  } finally {
    console.log = log;
    console.warn = warn;
    console.error = error;
  }
}

/**
 * An image-only PDF: one 8-bit gray image per page, painted through `matrix` (default: filling
 * the page), as a scanner or img2pdf writes them.
 */
export function imagePdf(pages: { gray: Uint8Array; width: number; height: number; pageSize: [number, number]; matrix?: number[] }[]): Buffer {
  const objects: (string | { dictionary: string; stream: Buffer })[] = [];
  const add = (body: string | { dictionary: string; stream: Buffer }) => {
    objects.push(body);
    return objects.length;
  };
  const catalogId = add('');
  const pagesId = add('');
  const pageIds: number[] = [];
  for (const page of pages) {
    const data = zlib.deflateSync(page.gray);
    const imageId = add({ dictionary: `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>`, stream: data });
    const matrix = page.matrix ?? [page.pageSize[0], 0, 0, page.pageSize[1], 0, 0];
    const content = Buffer.from(`q ${matrix.map((value) => value.toFixed(4)).join(' ')} cm /Im0 Do Q\n`, 'latin1');
    const contentId = add({ dictionary: `<< /Length ${content.length} >>`, stream: content });
    pageIds.push(add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${page.pageSize[0]} ${page.pageSize[1]}] /Resources << /XObject << /Im0 ${imageId} 0 R >> >> /Contents ${contentId} 0 R >>`));
  }
  objects[catalogId - 1] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId - 1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  return assemblePdf(objects, catalogId);
}

/** A PNG's pixels as 8-bit gray (the fixtures' scans are gray already). */
export async function grayPixels(file: string): Promise<{ gray: Uint8Array; width: number; height: number }> {
  const { PNG } = await import('pngjs');
  const png = PNG.sync.read(fs.readFileSync(file));
  const gray = new Uint8Array(png.width * png.height);
  for (let index = 0; index < gray.length; index += 1) gray[index] = png.data[index * 4] as number;
  return { gray, width: png.width, height: png.height };
}

/** The same gray pixels turned clockwise by 90, 180 or 270 degrees. */
export function turnGray(image: { gray: Uint8Array; width: number; height: number }, degrees: 90 | 180 | 270): { gray: Uint8Array; width: number; height: number } {
  const { gray, width, height } = image;
  const quarter = degrees !== 180;
  const outWidth = quarter ? height : width;
  const outHeight = quarter ? width : height;
  const turned = new Uint8Array(gray.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = gray[y * width + x] as number;
      if (degrees === 90) turned[x * outWidth + (height - 1 - y)] = value;
      else if (degrees === 180) turned[(height - 1 - y) * width + (width - 1 - x)] = value;
      else turned[(width - 1 - x) * outWidth + y] = value;
    }
  }
  return { gray: turned, width: outWidth, height: outHeight };
}

export async function writeGrayPng(file: string, image: { gray: Uint8Array; width: number; height: number }): Promise<void> {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(image.gray);
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
}

