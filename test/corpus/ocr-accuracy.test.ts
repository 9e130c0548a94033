import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, tempDir } from '../support/cli.js';
import { characterErrorRate, corpusAvailable, readManifest } from '../support/corpus.js';
import { OcrPool } from '../../src/extract/ocr/pool.js';
import { extractorFor } from '../../src/extract/registry.js';
import { sniffFile } from '../../src/pipeline/sniff.js';

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const nativeAvailable = hasCommand('tesseract') && hasCommand('pdftoppm');
if (!corpusAvailable) console.warn(`skipping OCR accuracy: no corpus at ${CORPUS}`);
else if (!nativeAvailable) console.warn('skipping OCR accuracy: native tesseract or pdftoppm missing (apt-get install tesseract-ocr poppler-utils)');

/** Native tesseract on the same pages: images as they are, PDF pages rendered at 300 dpi. */
function nativeOcr(file: string, mime: string): string {
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  if (mime !== 'application/pdf') return execFileSync('tesseract', [file, 'stdout', '-l', 'eng'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const dir = tempDir('doccat-native-');
  execFileSync('pdftoppm', ['-r', '300', '-gray', '-png', file, path.join(dir, 'page')]);
  return fs
    .readdirSync(dir)
    .sort()
    .map((page) => execFileSync('tesseract', [path.join(dir, page), 'stdout', '-l', 'eng'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString())
    .join('\n');
}

describe.skipIf(!corpusAvailable || !nativeAvailable)('OCR accuracy on the corpus scans with ground truth', () => {
  const rows = corpusAvailable ? readManifest().filter((row) => ['scan-image', 'ocr-line', 'scan-pdf'].includes(row.kind) && row.groundTruth.endsWith('.txt')) : [];
  const pool = new OcrPool({ languages: ['eng'], size: 2, pageTimeoutMs: 300_000, recycleAfterPages: 40 });
  const figures: string[] = [];
  afterAll(async () => {
    await pool.close();
    console.log(`CER (doccat vs native tesseract):\n${figures.join('\n')}`);
  });

  it.each(rows.map((row) => [row.path, row] as const))('%s: doccat CER is at most native CER + 0.02', async (_name, row) => {
    const file = path.join(CORPUS, row.path);
    const { mime } = await sniffFile(file);
    const extractor = await extractorFor(mime);
    expect(extractor, mime).toBeDefined();
    const result = await extractor!({
      path: file,
      mime,
      size: fs.statSync(file).size,
      options: { ocrEnabled: true, renderDpi: 300, maxPagePixels: 18_000_000, minTextCharsPerPage: 16, pdfPasswords: [], maxPages: 5000, maxImagePixels: 100_000_000, maxUnpackedBytes: 64 * 1024 * 1024, maxTextBytes: 16 * 1024 * 1024 },
      ocr: () => pool,
      signal: new AbortController().signal,
    });
    // Where one transcription applies to every page (cardinal.pdf), the reference repeats.
    const truth = fs.readFileSync(path.join(CORPUS, row.groundTruth), 'utf8');
    const reference = Array.from({ length: Math.max(1, result.pages) }, () => truth).join('\n');
    const ours = characterErrorRate(result.text, reference);
    const native = characterErrorRate(nativeOcr(file, mime), reference);
    figures.push(`  ${row.path.padEnd(42)} doccat ${ours.toFixed(3)}  native ${native.toFixed(3)}  (${result.method}, ${result.pages} p)`);
    expect(ours).toBeLessThanOrEqual(native + 0.02);
    // Accuracy, not speed, is what this measures: a rotated four-page scan read up to four times
    // per page takes minutes on a loaded two-core machine.
  }, 600_000);
});
