import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../support/cli.js';
import { characterErrorRate, corpusAvailable, readManifest } from '../support/corpus.js';
import type { OcrEngine, OcrEngineName } from '../../src/extract/ocr/engine.js';
import { probeNativeTesseract } from '../../src/extract/ocr/native-probe.js';
import { chooseOcrEngine } from '../../src/extract/ocr/select.js';
import { extractorFor } from '../../src/extract/registry.js';
import { sniffFile } from '../../src/pipeline/sniff.js';

const run = promisify(execFile);

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const nativeAvailable = hasCommand('tesseract') && hasCommand('pdftoppm');
const nativeEngine = (await probeNativeTesseract()).found;
if (!corpusAvailable) console.warn(`skipping OCR accuracy: no corpus at ${CORPUS}`);
else if (!nativeAvailable) console.warn('skipping OCR accuracy: native tesseract or pdftoppm missing (apt-get install tesseract-ocr poppler-utils)');

/**
 * doccat's CER on each page before the engines work (tesseract.js with the bundled best_int
 * model, every unsure page read four ways round): no page may read worse than this, with either
 * engine.
 */
const BEFORE: Record<string, number> = {
  'tesseract/phototest.tif': 0.0,
  'tesseract/phototest-rotated-L.png': 0.0,
  'tesseract/phototest-rotated-R.png': 0.0,
  'tesseract/phototest-rotated-180.png': 0.0,
  'tesseract/phototestrot.tif': 0.0,
  'tesseract/eurotext.tif': 0.019,
  'tesseract/lines/trainingtimesline.tif': 0.0,
  'tesseract/lines/trainingitalline.tif': 0.0,
  'ocrmypdf/linn.png': 0.012,
  'ocrmypdf/linn.pdf': 0.012,
  'ocrmypdf/skew.pdf': 0.013,
  'ocrmypdf/rotated_skew.pdf': 0.012,
  'ocrmypdf/cardinal.pdf': 0.012,
  'ocrmypdf/ccitt.pdf': 0.012,
  'ocrmypdf/jbig2.pdf': 0.013,
  'ocrmypdf/jbig2_baddevicen.pdf': 0.013,
  'ocrmypdf/typewriter.png': 0.021,
  'ocrmypdf/2400dpi.pdf': 0.006,
  'ocrmypdf/crom.png': 0.0,
  'ocrmypdf/francais.pdf': 0.08,
  'ocrmypdf/aspect.pdf': 0.0,
  'ocrmypdf/kcs.pdf': 0.038,
  'ocrmypdf/acroform.pdf': 0.0,
};
/** Rounding of the figures above. */
const SAME = 0.0005;

/**
 * Pages that are another page turned or skewed: with either engine (and its model) they must read
 * as well as the page they were made from, which is what orientation and deskew are for.
 */
const UPRIGHT_SOURCE: Record<string, string> = {
  'tesseract/phototest-rotated-L.png': 'tesseract/phototest.tif',
  'tesseract/phototest-rotated-R.png': 'tesseract/phototest.tif',
  'tesseract/phototest-rotated-180.png': 'tesseract/phototest.tif',
  'tesseract/phototestrot.tif': 'tesseract/phototest.tif',
  'ocrmypdf/skew.pdf': 'ocrmypdf/linn.png',
  'ocrmypdf/rotated_skew.pdf': 'ocrmypdf/linn.png',
  'ocrmypdf/cardinal.pdf': 'ocrmypdf/linn.png',
};

/** Native tesseract on the same pages: images as they are, PDF pages rendered at 300 dpi. */
const nativeReadings = new Map<string, Promise<string>>();
function nativeOcr(file: string, mime: string): Promise<string> {
  const key = file;
  let reading = nativeReadings.get(key);
  if (!reading) {
    reading = (async () => {
      const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
      if (mime !== 'application/pdf') return (await run('tesseract', [file, 'stdout', '-l', 'eng'], { env, maxBuffer: 16 * 1024 * 1024 })).stdout;
      const dir = tempDir('doccat-native-');
      await run('pdftoppm', ['-r', '300', '-gray', '-png', file, path.join(dir, 'page')]);
      const pages = fs.readdirSync(dir).sort();
      const texts: string[] = [];
      for (const page of pages) texts.push((await run('tesseract', [path.join(dir, page), 'stdout', '-l', 'eng'], { env, maxBuffer: 16 * 1024 * 1024 })).stdout);
      return texts.join('\n');
    })();
    nativeReadings.set(key, reading);
  }
  return reading;
}

const rows = corpusAvailable ? readManifest().filter((row) => ['scan-image', 'ocr-line', 'scan-pdf'].includes(row.kind) && row.groundTruth.endsWith('.txt')) : [];
/**
 * The turned and skewed pages and the pages they were made from: what orientation (OSD) and
 * doccat's own deskew decide, the part of reading that differs between the engines.
 */
const TURNED_AND_SOURCES = new Set([...Object.keys(UPRIGHT_SOURCE), ...Object.values(UPRIGHT_SOURCE)]);
/**
 * tesseract.js reads every file (its model is the one the BEFORE figures were taken with). The
 * native engine, much the faster, reads only the turned and skewed pages and their sources (9 of
 * the 23 files): its other pages go through the same rendering and the same code, and the whole
 * suite must stay cheap on CI's two cores.
 */
const ENGINES: { name: OcrEngineName; run: boolean; reads: (row: (typeof rows)[number]) => boolean }[] = [
  { name: 'tesseract.js', run: true, reads: () => true },
  { name: 'tesseract', run: nativeEngine, reads: (row) => TURNED_AND_SOURCES.has(row.path) },
];

for (const engineCase of ENGINES) {
  // Files run concurrently and their pages in parallel: the engine's two slots stay busy.
  describe.skipIf(!corpusAvailable || !nativeAvailable || !engineCase.run).concurrent(`OCR accuracy on the corpus scans with ground truth, engine ${engineCase.name}`, () => {
    let engine: OcrEngine;
    const figures: string[] = [];
    const readings = new Map<string, Promise<{ cer: number; pages: number; method: string }>>();
    let started = 0;
    beforeAll(async () => {
      started = performance.now();
      engine = (await chooseOcrEngine({ engine: engineCase.name, languages: ['eng'], size: 2, pageTimeoutMs: 300_000, recycleAfterPages: 40 })).create();
    });
    afterAll(async () => {
      await engine?.close();
      // What this engine's part of the suite cost (printed, not asserted): CI's time budget is watched.
      console.log(`CER with ${engineCase.name} (doccat vs native tesseract; before: doccat with tesseract.js before the engines work), ${figures.length} files in ${Math.round((performance.now() - started) / 1000)} s:\n${figures.sort().join('\n')}`);
    });

    /** doccat's CER on one corpus file with this engine, read once however many tests ask. */
    function cerOf(row: (typeof rows)[number]): Promise<{ cer: number; pages: number; method: string }> {
      let reading = readings.get(row.path);
      if (!reading) {
        reading = (async () => {
          const file = path.join(CORPUS, row.path);
          const { mime } = await sniffFile(file);
          const extractor = await extractorFor(mime);
          if (!extractor) throw new Error(`no extractor for ${mime}`);
          const result = await extractor({
            path: file,
            mime,
            size: fs.statSync(file).size,
            options: { ocrEnabled: true, renderDpi: 300, maxPagePixels: 18_000_000, minTextCharsPerPage: 16, pdfPasswords: [], maxPages: 5000, maxImagePixels: 100_000_000, maxUnpackedBytes: 64 * 1024 * 1024, maxTextBytes: 16 * 1024 * 1024, ocrParallelPages: 2 },
            ocr: () => engine,
            signal: new AbortController().signal,
          });
          return { cer: characterErrorRate(result.text, reference(row, result.pages)), pages: result.pages, method: result.method };
        })();
        readings.set(row.path, reading);
      }
      return reading;
    }

    it.each(rows.filter(engineCase.reads).map((row) => [row.path, row] as const))(
      '%s: doccat reads no worse than before, and at most native CER + 0.02',
      async (_name, row) => {
        const file = path.join(CORPUS, row.path);
        const { mime } = await sniffFile(file);
        const ours = await cerOf(row);
        const native = characterErrorRate(await nativeOcr(file, mime), reference(row, ours.pages));
        const before = BEFORE[row.path];
        const sourceRow = rows.find((candidate) => candidate.path === UPRIGHT_SOURCE[row.path]);
        const source = sourceRow ? await cerOf(sourceRow) : undefined;
        figures.push(`  ${row.path.padEnd(42)} doccat ${ours.cer.toFixed(3)}  native ${native.toFixed(3)}  before ${before === undefined ? '  -  ' : before.toFixed(3)}  (${ours.method}, ${ours.pages} p)`);
        expect(ours.cer).toBeLessThanOrEqual(native + 0.02);
        // The same model as before: no page reads worse.
        if (engineCase.name === 'tesseract.js' && before !== undefined) expect(ours.cer).toBeLessThanOrEqual(before + SAME);
        // Turned and skewed pages read as well as the upright page they were made from.
        if (source) expect(ours.cer).toBeLessThanOrEqual(source.cer + 0.002);
      },
      // Every test of the suite starts at once and waits its turn for the engine's two slots: the
      // timeout bounds the whole suite's reading (23 files, on a busy machine), not one file's.
      1_800_000,
    );
  });
}

/** The ground truth; where one transcription applies to every page (cardinal.pdf), repeated. */
function reference(row: (typeof rows)[number], pages: number): string {
  const truth = fs.readFileSync(path.join(CORPUS, row.groundTruth), 'utf8');
  return Array.from({ length: Math.max(1, pages) }, () => truth).join('\n');
}
