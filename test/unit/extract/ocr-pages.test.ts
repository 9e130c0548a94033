import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, FIXTURES } from '../../support/cli.js';
import { characterErrorRate, corpusAvailable } from '../../support/corpus.js';
import { canRenderScans, renderPages, writeScannedPdf } from '../../support/scans.mjs';
import type { ExtractInput, ExtractOptions } from '../../../src/extract/extractor.js';
import type { OcrEngine, OcrPageResult, OcrRecognizeOptions } from '../../../src/extract/ocr/engine.js';
import { chooseOcrEngine } from '../../../src/extract/ocr/select.js';
import { extractorFor } from '../../../src/extract/registry.js';
import { estimateSkew, rotateByAngle, straighten } from '../../../src/extract/deskew.js';
import type { Raster } from '../../../src/extract/raster.js';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const OPTIONS: ExtractOptions = { ocrEnabled: true, renderDpi: 300, maxPagePixels: 18_000_000, minTextCharsPerPage: 16, pdfPasswords: [], maxPages: 5000, maxImagePixels: 100_000_000, maxUnpackedBytes: 64 * 1024 * 1024, maxTextBytes: 16 * 1024 * 1024 };

/**
 * A real engine (the installed tesseract where there is one, else tesseract.js) seen through a
 * counter: how many pages are being read at once, and every image read with its size.
 */
class CountingEngine implements OcrEngine {
  inFlight = 0;
  mostInFlight = 0;
  calls = 0;
  readonly reads: { width: number; height: number }[] = [];
  orientationChecks = 0;
  /** Later calls answer sooner, so that pages finish out of order. */
  constructor(
    private readonly engine: OcrEngine,
    private readonly reverseDelayMs = 0,
  ) {}

  get pagesRecognized(): number {
    return this.engine.pagesRecognized;
  }

  get info() {
    return this.engine.info;
  }

  async recognize(image: Buffer, options: OcrRecognizeOptions): Promise<OcrPageResult> {
    const call = (this.calls += 1);
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const [width, height] = image.subarray(0, 32).toString('latin1').split('\n')[1]!.split(' ').map(Number) as [number, number];
    this.reads.push({ width, height });
    try {
      const result = await this.engine.recognize(image, options);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (10 - call) * this.reverseDelayMs)));
      return result;
    } finally {
      this.inFlight -= 1;
    }
  }

  async detectOrientation(image: Buffer, options: { dpi?: number; signal?: AbortSignal }) {
    this.orientationChecks += 1;
    return this.engine.detectOrientation ? this.engine.detectOrientation(image, options) : null;
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

function input(file: string, mime: string, engine: OcrEngine, options: Partial<ExtractOptions> = {}): ExtractInput {
  return { path: file, mime, size: fs.statSync(file).size, options: { ...OPTIONS, ...options }, ocr: () => engine, signal: new AbortController().signal };
}

describe('OCR of the pages of one document', () => {
  let engine: OcrEngine;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-ocr-pages-'));
  beforeAll(async () => {
    engine = (await chooseOcrEngine({ engine: 'auto', languages: ['eng'], size: 3, pageTimeoutMs: 120_000, recycleAfterPages: 40 })).create();
  });
  afterAll(async () => {
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!canRenderScans())('reads the pages of a scanned PDF in parallel, no more at once than the OCR slots and one more, in page order', async () => {
    const file = path.join(dir, 'six-pages.pdf');
    const names = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig'];
    writeScannedPdf(file, names.map((name, index) => [`Page ${index + 1} of the scan`, `The fruit on this page is ${name}.`]));
    const counting = new CountingEngine(engine, 40);
    const result = await (await extractorFor('application/pdf'))!(input(file, 'application/pdf', counting, { ocrParallelPages: 2 }));
    expect(result).toMatchObject({ method: 'ocr', pages: 6, ocrPages: 6 });
    // Two slots reading and a third page waiting its turn, never the whole document.
    expect(counting.mostInFlight).toBe(3);
    const positions = names.map((name) => result.text.indexOf(name));
    expect(positions.every((position) => position >= 0), result.text).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(result.text.split('\f').length).toBe(6);
  });

  // Pages finish out of order (later calls answer sooner): each page's text-only PDF must still
  // land on its own page of the searchable PDF.
  it.skipIf(!canRenderScans() || !hasPdftotext)('lays each page\'s text layer on its own page when pages are read in parallel (PDF and TIFF)', async () => {
    const file = path.join(dir, 'six-pages-searchable.pdf');
    const names = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig'];
    writeScannedPdf(file, names.map((name, index) => [`Page ${index + 1} of the scan`, `The fruit on this page is ${name}.`]));
    const searchable = path.join(dir, 'six-pages-out.pdf');
    const counting = new CountingEngine(engine, 40);
    const result = await (await extractorFor('application/pdf'))!({ ...input(file, 'application/pdf', counting, { ocrParallelPages: 2, searchablePdfMaxBytes: 256 * 1024 * 1024 }), searchablePdfPath: searchable });
    expect(counting.mostInFlight).toBe(3);
    expect(result.searchablePdf?.textPages).toBe(6);
    names.forEach((name, index) => {
      const page = execFileSync('pdftotext', ['-f', String(index + 1), '-l', String(index + 1), searchable, '-'], { encoding: 'utf8' });
      expect(page, `page ${index + 1}`).toContain(name);
      expect(names.filter((other) => other !== name && page.includes(other)), `page ${index + 1}`).toEqual([]);
    });

    const tiff = path.join(FIXTURES, 'scans/contract.tiff');
    const tiffOut = path.join(dir, 'contract-out.pdf');
    await (await extractorFor('image/tiff'))!({ ...input(tiff, 'image/tiff', new CountingEngine(engine, 40), { ocrParallelPages: 2, searchablePdfMaxBytes: 256 * 1024 * 1024 }), searchablePdfPath: tiffOut });
    const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', tiffOut, '-'], { encoding: 'utf8' });
    const second = execFileSync('pdftotext', ['-f', '2', '-l', '2', tiffOut, '-'], { encoding: 'utf8' });
    expect(first).toContain('SERVICE AGREEMENT');
    expect(first).not.toContain('Signed by');
    expect(second).toContain('Signed by');
  });

  it('reads the pages of a multi-page TIFF in parallel too, in page order', async () => {
    const file = path.join(FIXTURES, 'scans/contract.tiff');
    const counting = new CountingEngine(engine, 40);
    const result = await (await extractorFor('image/tiff'))!(input(file, 'image/tiff', counting, { ocrParallelPages: 2 }));
    expect(result.pages).toBe(2);
    expect(counting.mostInFlight).toBe(2);
    // Page one opens the agreement, page two is signed.
    expect(result.text.indexOf('SERVICE AGREEMENT')).toBeGreaterThanOrEqual(0);
    expect(result.text.indexOf('Signed by')).toBeGreaterThan(result.text.indexOf('SERVICE AGREEMENT'));
    expect(result.text.indexOf('\f')).toBeGreaterThan(result.text.indexOf('SERVICE AGREEMENT'));
    expect(result.text.indexOf('\f')).toBeLessThan(result.text.indexOf('Signed by'));
  });

  it.skipIf(!corpusAvailable)('turns a sideways page upright with one cheap check, reading it in full twice at most', async () => {
    const file = path.join(CORPUS, 'tesseract/phototest-rotated-L.png');
    const counting = new CountingEngine(engine);
    const result = await (await extractorFor('image/png'))!(input(file, 'image/png', counting));
    const truth = fs.readFileSync(path.join(CORPUS, 'tesseract/phototest.txt'), 'utf8');
    expect(characterErrorRate(result.text, truth)).toBeLessThan(0.02);
    // The page is 480 x 640: a full reading is one of that size (either way round).
    const full = counting.reads.filter((read) => read.width * read.height >= 480 * 640 * 0.9);
    expect(full.length).toBeLessThanOrEqual(2);
    // Whatever checked the orientation (OSD, or a probe of small readings) cost less than one full reading.
    const probe = counting.reads.filter((read) => read.width * read.height < 480 * 640 * 0.9);
    expect(probe.reduce((sum, read) => sum + read.width * read.height, 0)).toBeLessThan(480 * 640);
    expect(counting.orientationChecks).toBe(1);
  });

  it.skipIf(!corpusAvailable)('reads an upright page that reads well once, with no orientation check', async () => {
    const file = path.join(CORPUS, 'tesseract/phototest.tif');
    const counting = new CountingEngine(engine);
    await (await extractorFor('image/tiff'))!(input(file, 'image/tiff', counting));
    expect(counting.reads.length).toBe(1);
    expect(counting.orientationChecks).toBe(0);
  });
});

describe('straightening skewed pages', () => {
  it.skipIf(!canRenderScans())('finds the angle of a page fed in askew and turns it level', () => {
    const [page] = renderPages([Array.from({ length: 30 }, (_, index) => `Line ${index + 1}: the quick brown fox jumps over the lazy dog`)], 200);
    const level: Raster = { image: Buffer.alloc(0), width: page!.width, height: page!.height, scale: 1, gray: page!.gray };
    expect(Math.abs(estimateSkew(level).degrees)).toBeLessThan(0.2);
    expect(straighten(level).degrees).toBe(0);
    for (const angle of [2.5, -1.5, 4]) {
      const skewed = rotateByAngle(level, angle);
      const found = estimateSkew(skewed).degrees;
      expect(Math.abs(found - angle), `skewed ${angle}, found ${found}`).toBeLessThan(0.2);
      const straightened = straighten(skewed);
      expect(Math.abs(estimateSkew(straightened.raster).degrees)).toBeLessThan(0.2);
    }
  });

  it('leaves a page without lines alone', () => {
    const gray = new Uint8Array(800 * 600).fill(255);
    // Scattered dust (mulberry32, a fixed sequence): no rows of ink at any angle. (A regular
    // lattice of dots, or a weak generator's output, would not do: their dots line up.)
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let dot = 0; dot < 5000; dot += 1) gray[Math.floor(random() * gray.length)] = 0;
    expect(straighten({ image: Buffer.alloc(0), width: 800, height: 600, scale: 1, gray }).degrees).toBe(0);
  });
});
