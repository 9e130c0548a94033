import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExtractResult } from '../../../src/extract/extractor.js';
import { OcrPool, type OcrEngine } from '../../../src/extract/ocr/pool.js';
import { extractorFor } from '../../../src/extract/registry.js';
import { chooseOcrEngine } from '../../../src/extract/ocr/select.js';
import { graftTextLayers, SearchablePdfError } from '../../../src/extract/searchable/graft.js';
import { fileImage, jpegFacts } from '../../../src/extract/searchable/images.js';
import { chain, rotateAround, scale } from '../../../src/extract/searchable/matrix.js';
import { FIXTURES, REPO_ROOT, tempDir } from '../../support/cli.js';
import { assemblePdf } from '../../support/pdf-writer.mjs';
import {
  boxDistances,
  grayPixels,
  hasNativeTesseract,
  imagePdf,
  pageCount,
  pdfImages,
  pdftotext,
  readWithPdfJs,
  recall,
  turnGray,
  wordBoxes,
  type WordBox,
} from '../../support/searchable-pdf.js';

/**
 * The searchable PDF an extraction makes, read back with pdftotext, pdfimages and pdf.js: the
 * words are all there and where they are on the page, the pages and their images are the
 * original's, and nothing else changed.
 */

let pool: OcrPool;
let work: string;
beforeAll(() => {
  pool = new OcrPool({ languages: ['eng'], size: 2, pageTimeoutMs: 300_000, recycleAfterPages: 40 });
  work = tempDir('doccat-searchable-');
});
afterAll(async () => {
  await pool.close();
  await nativeEngine?.close();
});

/** doccat's native engine (the installed tesseract command), started on first use. */
let nativeEngine: OcrEngine | undefined;
async function native(): Promise<OcrEngine> {
  nativeEngine ??= (await chooseOcrEngine({ engine: 'tesseract', languages: ['eng'], size: 2, pageTimeoutMs: 300_000, recycleAfterPages: 40 })).create();
  return nativeEngine;
}

const MIME: Record<string, string> = { '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg', '.tiff': 'image/tiff' };
let outputs = 0;

/** Extracts a file as ingest would (in this process), asking for a searchable PDF. */
async function extract(file: string, options: { engine?: OcrEngine; maxBytes?: number } = {}): Promise<{ result: ExtractResult; pdf: string }> {
  const pdf = path.join(work, `searchable-${(outputs += 1)}.pdf`);
  const mime = MIME[path.extname(file)] as string;
  const extractor = await extractorFor(mime);
  if (!extractor) throw new Error(`no extractor for ${mime}`);
  const engine = options.engine ?? pool;
  const result = await extractor({
    path: file,
    mime,
    size: fs.statSync(file).size,
    options: {
      ocrEnabled: true,
      renderDpi: 300,
      maxPagePixels: 18_000_000,
      minTextCharsPerPage: 16,
      pdfPasswords: [],
      maxPages: 5000,
      maxImagePixels: 100_000_000,
      maxUnpackedBytes: 64 * 1024 * 1024,
      maxTextBytes: 16 * 1024 * 1024,
      searchablePdfMaxBytes: options.maxBytes ?? 256 * 1024 * 1024,
    },
    ocr: () => engine,
    signal: new AbortController().signal,
    searchablePdfPath: pdf,
  });
  return { result, pdf };
}

function write(name: string, bytes: Buffer | Uint8Array): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const receipt = path.join(FIXTURES, 'scans', 'receipt-scan.pdf');
const letterPng = path.join(FIXTURES, 'scans', 'letter.png');

describe('a searchable PDF of a scanned PDF', () => {
  let scanned: { result: ExtractResult; pdf: string };
  beforeAll(async () => {
    scanned = await extract(receipt);
  });

  it('holds the OCR text under the page: pdftotext finds its words, pdf.js reads it without a warning', async () => {
    expect(scanned.result.method).toBe('ocr');
    expect(scanned.result.searchablePdf).toEqual({ path: scanned.pdf, textPages: 1, pdfa: false });
    expect(recall(scanned.result.text, pdftotext(scanned.pdf))).toBeGreaterThanOrEqual(0.97);
    const read = await readWithPdfJs(scanned.pdf);
    expect(read.warnings).toEqual([]);
    expect(recall(scanned.result.text, read.text)).toBeGreaterThanOrEqual(0.97);
  });

  it('keeps the pages and their images as they were', () => {
    expect(pageCount(scanned.pdf)).toBe(pageCount(receipt));
    expect(pdfImages(scanned.pdf)).toEqual(pdfImages(receipt));
    // The text is invisible: the page looks exactly as before.
    const render = (file: string) => execFileSync('pdftoppm', ['-r', '30', '-gray', file], { maxBuffer: 64 * 1024 * 1024 });
    expect(render(scanned.pdf).equals(render(receipt))).toBe(true);
  });

  it.skipIf(!hasNativeTesseract)('grafts the native tesseract CLI\'s text-only pages the same way (words in the same places)', async () => {
    const read = await extract(receipt, { engine: await native() });
    expect(read.result.searchablePdf?.textPages).toBe(1);
    expect(recall(read.result.text, pdftotext(read.pdf))).toBeGreaterThanOrEqual(0.97);
    const distance = boxDistances(wordBoxes(scanned.pdf), wordBoxes(read.pdf));
    expect(distance.count).toBeGreaterThan(10);
    expect(distance.median).toBeLessThan(3);
  });
});

describe('written as an incremental update', () => {
  /** What an update appended to `original` must give: the original's bytes first, then readable text over its pages. */
  async function expectUpdateOf(original: string): Promise<string> {
    const { result, pdf } = await extract(original);
    const before = fs.readFileSync(original);
    const after = fs.readFileSync(pdf);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const update = after.subarray(before.length).toString('latin1');
    const previous = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(before.toString('latin1'))?.[1];
    expect(update).toMatch(new RegExp(`/Prev ${previous}\\b`));
    expect(recall(result.text, pdftotext(pdf))).toBeGreaterThanOrEqual(0.97);
    const read = await readWithPdfJs(pdf);
    expect(read.warnings).toEqual([]);
    expect(recall(result.text, read.text)).toBeGreaterThanOrEqual(0.97);
    expect(pdfImages(pdf)).toEqual(pdfImages(original));
    // poppler reads the chain of sections without complaint.
    expect(execFileSync('pdfinfo', [pdf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toMatch(/Pages: +1\n/);
    return update;
  }

  it('appends the text layer to a file with a cross-reference table, which stays byte for byte', async () => {
    const update = await expectUpdateOf(receipt);
    expect(update).toMatch(/\nxref\n0 1\n0000000000 65535 f/);
    expect(update).not.toContain('/XRef');
  });

  it('appends a cross-reference stream to a file whose last section is one', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const resaved = await (await PDFDocument.load(fs.readFileSync(receipt))).save({ useObjectStreams: true });
    const update = await expectUpdateOf(write('xref-stream.pdf', resaved));
    expect(update).toContain('/Type /XRef');
    expect(update).not.toMatch(/\nxref\n/);
  });

  it('writes the whole file anew when the original\'s last section cannot be found', async () => {
    const before = fs.readFileSync(receipt);
    const damaged = write('no-startxref.pdf', Buffer.from(before.toString('latin1').replace(/startxref\s+\d+\s+%%EOF\s*$/, '%%EOF\n'), 'latin1'));
    const { result, pdf } = await extract(damaged);
    const after = fs.readFileSync(pdf);
    expect(after.subarray(0, 64).equals(fs.readFileSync(damaged).subarray(0, 64))).toBe(false);
    expect(recall(result.text, pdftotext(pdf))).toBeGreaterThanOrEqual(0.97);
    expect(pageCount(pdf)).toBe(1);
  });
});

describe('where the words go', () => {
  let upright: WordBox[];
  let page: { width: number; height: number };
  let letter: { gray: Uint8Array; width: number; height: number };
  beforeAll(async () => {
    letter = await grayPixels(letterPng);
    // 300 dpi, in points.
    page = { width: (letter.width * 72) / 300, height: (letter.height * 72) / 300 };
    const { pdf } = await extract(write('upright.pdf', imagePdf([{ ...letter, pageSize: [page.width, page.height] }])));
    upright = wordBoxes(pdf);
    expect(upright.length).toBeGreaterThan(40);
  });

  // pdftotext gives box centres from the top left of the page as shown.
  const turnedClockwise = (box: WordBox) => ({ x: page.height - box.y, y: box.x });

  it('on a page that lies on its side (read turned, words laid back onto the page as it is)', async () => {
    const turned = turnGray(letter, 90);
    const { pdf, result } = await extract(write('sideways.pdf', imagePdf([{ ...turned, pageSize: [page.height, page.width] }])));
    expect(result.searchablePdf?.textPages).toBe(1);
    const distance = boxDistances(upright, wordBoxes(pdf), turnedClockwise);
    expect(distance.count).toBeGreaterThan(20);
    expect(distance.median).toBeLessThan(3);
  });

  it('on a page shown turned by /Rotate (rendered, then mapped back through the page\'s view)', async () => {
    const pdf = imagePdf([{ ...letter, pageSize: [page.width, page.height] }]).toString('latin1').replace('/Type /Page /Parent', '/Type /Page /Rotate 90 /Parent');
    const { pdf: out } = await extract(write('rotate.pdf', Buffer.from(pdf, 'latin1')));
    const distance = boxDistances(upright, wordBoxes(out), turnedClockwise);
    expect(distance.count).toBeGreaterThan(20);
    expect(distance.median).toBeLessThan(3);
  });

  // doccat straightens the page before either engine reads it (and tesseract.js's rotateAuto may
  // turn it a little more): the words are turned back onto the page as it is, with either engine.
  it.each([
    ['tesseract.js', true],
    ['tesseract', hasNativeTesseract],
  ] as const)('on a skewed scan read with %s (read straightened; its words are turned back onto the page)', async (name, available) => {
    if (!available) return;
    const radians = (2.5 * Math.PI) / 180;
    const cos = Math.cos(radians);
    const sin = Math.sin(radians);
    const [cx, cy] = [page.width / 2, page.height / 2];
    // The image painted turned by 2.5 degrees (counter-clockwise) around the page's centre.
    const matrix = [...chain(scale(page.width, page.height), rotateAround(radians, cx, cy))];
    const { pdf, result } = await extract(write(`skewed-${name}.pdf`, imagePdf([{ ...letter, pageSize: [page.width, page.height], matrix }])), name === 'tesseract' ? { engine: await native() } : {});
    // Each word stays whole in content order; poppler's layout mode splits words on slanted lines.
    expect(recall(result.text, pdftotext(pdf, { raw: true }))).toBeGreaterThanOrEqual(0.97);
    const turned = (box: WordBox) => {
      // Top-left coordinates to PDF's, turned around the centre, and back.
      const x = box.x - cx;
      const y = page.height - box.y - cy;
      return { x: cx + x * cos - y * sin, y: page.height - (cy + x * sin + y * cos) };
    };
    const distance = boxDistances(upright, wordBoxes(pdf), turned);
    expect(distance.count).toBeGreaterThan(20);
    expect(distance.median).toBeLessThan(4);
  });
});

describe('a PDF with pages that have text and pages that do not', () => {
  it('gives only the scanned pages a text layer; the others stay as they were', async () => {
    const letter = await grayPixels(letterPng);
    const pixels = zlib.deflateSync(letter.gray);
    const text = Buffer.from('BT /F1 14 Tf 72 760 Td (Quarterly report of the Northwind garden club, page one.) Tj ET', 'latin1');
    const image = Buffer.from('q 408 0 0 336 0 0 cm /Im0 Do Q', 'latin1');
    const mixed = assemblePdf(
      [
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
        '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
        { dictionary: `<< /Length ${text.length} >>`, stream: text },
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 408 336] /Resources << /XObject << /Im0 7 0 R >> >> /Contents 8 0 R >>',
        { dictionary: `<< /Type /XObject /Subtype /Image /Width ${letter.width} /Height ${letter.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>`, stream: pixels },
        { dictionary: `<< /Length ${image.length} >>`, stream: image },
      ],
      1,
    );
    const original = write('mixed.pdf', mixed);
    const { result, pdf } = await extract(original);
    expect(result.method).toBe('mixed');
    expect(result.searchablePdf?.textPages).toBe(1);
    expect(pdftotext(pdf, { raw: true, first: 1, last: 1 })).toBe(pdftotext(original, { raw: true, first: 1, last: 1 }));
    const { PDFDocument, PDFName } = await import('pdf-lib');
    const document = await PDFDocument.load(fs.readFileSync(pdf));
    const first = document.getPage(0).node;
    expect(first.Resources()?.get(PDFName.of('XObject'))).toBeUndefined();
    expect(first.get(PDFName.of('Contents'))?.toString()).toBe('5 0 R');
    const secondPageText = result.text.split('\f')[1] as string;
    expect(recall(secondPageText, pdftotext(pdf, { first: 2, last: 2 }))).toBeGreaterThanOrEqual(0.97);
    expect((await readWithPdfJs(pdf)).warnings).toEqual([]);
  });
});

describe('a searchable PDF of images', () => {
  it('puts a PNG on a page at its resolution, its pixels unchanged, as PDF/A-2b', async () => {
    const { result, pdf } = await extract(letterPng);
    expect(result.searchablePdf).toEqual({ path: pdf, textPages: 1, pdfa: true });
    expect(recall(result.text, pdftotext(pdf))).toBeGreaterThanOrEqual(0.97);
    // 1700 x 1400 pixels at the 300 dpi the PNG states.
    expect(pdfImages(pdf)).toEqual([expect.objectContaining({ page: 1, width: 1700, height: 1400, xPpi: 300, yPpi: 300 })]);
    execFileSync('pdfimages', ['-png', pdf, path.join(work, 'letter-back')]);
    // Compared as buffers: a deep equality of 2.4 million elements takes a minute.
    expect(Buffer.from((await grayPixels(path.join(work, 'letter-back-000.png'))).gray).equals(Buffer.from((await grayPixels(letterPng)).gray))).toBe(true);
    expect((await readWithPdfJs(pdf)).warnings).toEqual([]);
    await expectPdfA2b(pdf);
  });

  it('keeps a JPEG\'s bytes as they are, and turns its page as its EXIF orientation says', async () => {
    const { default: jpeg } = await import('jpeg-js');
    const letter = await grayPixels(letterPng);
    const rgba = Buffer.alloc(letter.width * letter.height * 4);
    for (let index = 0; index < letter.gray.length; index += 1) {
      rgba.fill(letter.gray[index] as number, index * 4, index * 4 + 3);
      rgba[index * 4 + 3] = 255;
    }
    const encoded = jpeg.encode({ data: rgba, width: letter.width, height: letter.height }, 90).data;
    const file = write('letter.jpg', withExifOrientation(encoded, 6));
    expect(jpegFacts(fs.readFileSync(file))).toMatchObject({ width: 1700, height: 1400, components: 3, orientation: 6 });
    const { result, pdf } = await extract(file);
    expect(recall(result.text, pdftotext(pdf, { raw: true }))).toBeGreaterThanOrEqual(0.97);
    expect(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/Page rot:\s+90/);
    execFileSync('pdfimages', ['-j', pdf, path.join(work, 'jpeg-back')]);
    expect(fs.readFileSync(path.join(work, 'jpeg-back-000.jpg')).equals(fs.readFileSync(file))).toBe(true);
  });

  it('puts each page of a TIFF on its own page, pixels unchanged', async () => {
    const tiff = path.join(FIXTURES, 'scans', 'contract.tiff');
    const { result, pdf } = await extract(tiff);
    expect(result.searchablePdf).toMatchObject({ textPages: 2, pdfa: true });
    expect(pageCount(pdf)).toBe(2);
    expect(recall(result.text, pdftotext(pdf))).toBeGreaterThanOrEqual(0.97);
    const UTIF = (await import('utif2')).default;
    const bytes = fs.readFileSync(tiff);
    const ifds = UTIF.decode(bytes);
    execFileSync('pdfimages', ['-png', pdf, path.join(work, 'tiff-back')]);
    for (const [index, ifd] of ifds.entries()) {
      UTIF.decodeImage(bytes, ifd);
      const rgba = UTIF.toRGBA8(ifd);
      const back = await grayPixels(path.join(work, `tiff-back-00${index}.png`));
      expect(back.width).toBe(ifd.width);
      expect(Buffer.from(back.gray).equals(Buffer.from(rgba.filter((_, at) => at % 4 === 0)))).toBe(true);
    }
  });

  it('says why an image gets none: WebP has no decoder here', async () => {
    expect(await fileImage(Buffer.from('RIFF0000WEBPVP8 '), 'image/webp', 1e8)).toMatch(/WebP images are not made into PDFs/);
  });
});

describe('when no searchable PDF can be made', () => {
  it('an encrypted PDF gets none: pdf-lib cannot decrypt, and an unprotected copy is not made', async () => {
    const encrypted = new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'fixtures', 'bad', 'password.pdf')));
    await expect(graftTextLayers(async () => encrypted, 1, [])).rejects.toThrow(SearchablePdfError);
    await expect(graftTextLayers(async () => encrypted, 1, [])).rejects.toThrow(/encrypted/);
  });

  it('a PDF too large to assemble in memory gets none, and the document keeps its text and a warning', async () => {
    const { result, pdf } = await extract(receipt, { maxBytes: 1000 });
    expect(result.ocrPages).toBe(1);
    expect(result.text).toMatch(/[A-Za-z]{4}/);
    expect(result.searchablePdf).toBeUndefined();
    expect(fs.existsSync(pdf)).toBe(false);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'W_NO_SEARCHABLE_PDF', message: expect.stringMatching(/over the 0\.0 MB allowed/) })]);
  });
});

/** PDF/A-2b's requirements beyond the pages, as far as they can be read without a validator. */
async function expectPdfA2b(file: string): Promise<void> {
  const { PDFDocument, PDFName, PDFArray, PDFDict, PDFRawStream, PDFNumber, PDFStream } = await import('pdf-lib');
  // lookup() is typed for PDFStream, whose static side PDFRawStream does not match; it checks the class it is given.
  const rawStream = PDFRawStream as unknown as typeof PDFStream;
  const document = await PDFDocument.load(fs.readFileSync(file), { updateMetadata: false });
  const metadata = document.catalog.lookup(PDFName.of('Metadata'), rawStream) as import('pdf-lib').PDFRawStream;
  expect(metadata.dict.get(PDFName.of('Filter'))).toBeUndefined();
  const xmp = Buffer.from(metadata.getContents()).toString('utf8');
  expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
  expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
  const intent = document.catalog.lookup(PDFName.of('OutputIntents'), PDFArray).lookup(0, PDFDict);
  expect(intent.get(PDFName.of('S'))?.toString()).toBe('/GTS_PDFA1');
  expect(intent.lookup(PDFName.of('DestOutputProfile'), rawStream).dict.lookup(PDFName.of('N'), PDFNumber).asNumber()).toBe(3);
  expect(document.context.trailerInfo.ID).toBeDefined();
  expect(document.context.trailerInfo.Encrypt).toBeUndefined();
  // Every font embedded (tesseract's glyphless font).
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  expect(fonts.length).toBeGreaterThan(0);
  for (const line of fonts) expect(line).toMatch(/ yes /);
}

/** A JPEG with an EXIF block holding only the Orientation tag, after its SOI marker. */
function withExifOrientation(jpegBytes: Uint8Array, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(body.length + 2, 2);
  const bytes = Buffer.from(jpegBytes);
  return Buffer.concat([bytes.subarray(0, 2), segment, body, bytes.subarray(2)]);
}

describe('the graft’s memory', () => {
  it('holds the original’s streams as views into its bytes, not as copies (a 111 MB scan once, not twice)', async () => {
    const { PDFDocument, PDFRawStream } = await import('pdf-lib');
    const load = vi.spyOn(PDFDocument, 'load');
    try {
      // A plain Uint8Array, as a caller may give: pdf-lib's slice() of one copies.
      const original = new Uint8Array(fs.readFileSync(receipt));
      await graftTextLayers(async () => original, 1, []);
      const document = (await load.mock.results[0]?.value) as Awaited<ReturnType<typeof PDFDocument.load>>;
      const streams = document.context
        .enumerateIndirectObjects()
        .map(([, object]) => object)
        .filter((object) => object instanceof PDFRawStream);
      expect(streams.length).toBeGreaterThan(0);
      for (const stream of streams) expect(stream.contents.buffer).toBe(original.buffer);
    } finally {
      load.mockRestore();
    }
  });
});
