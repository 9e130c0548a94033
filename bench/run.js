#!/usr/bin/env node
// Benchmarks (not tests): `npm run bench -- ocr`, `npm run bench -- ingest`, or both.
// Each prints doccat's figure next to a baseline measured in the same run, and their ratio.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTextPdf } from '../test/support/pdf-writer.mjs';

const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus');
const cores = os.availableParallelism();
const which = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const wanted = which.length > 0 ? which : ['ocr', 'ingest'];

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  const results = [];
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  }));
  return results;
}

function line(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

async function benchOcr() {
  const candidates = [
    path.join(root, 'fixtures/documents/scans/letter.png'),
    path.join(corpus, 'tesseract/phototest.tif'),
    path.join(corpus, 'tesseract/eurotext.tif'),
    path.join(corpus, 'ocrmypdf/linn.png'),
    path.join(corpus, 'ocrmypdf/typewriter.png'),
    path.join(corpus, 'ocrmypdf/crom.png'),
    path.join(corpus, 'invoice2data/AmazonWebServices.png'),
    path.join(corpus, 'invoice2data/oyo.png'),
  ];
  const pages = candidates.filter((file) => fs.existsSync(file));
  const hasNative = spawnSync('sh', ['-c', 'command -v tesseract'], { stdio: 'ignore' }).status === 0;
  console.log(`\nOCR: ${pages.length} pages, ${cores} cores (doccat: ${cores} tesseract.js workers; native: ${cores} processes, OMP_THREAD_LIMIT=1)`);

  const { OcrPool } = await import('../dist/extract/ocr/pool.js');
  const { extractorFor } = await import('../dist/extract/registry.js');
  const { sniffFile } = await import('../dist/pipeline/sniff.js');
  const options = { ocrEnabled: true, renderDpi: 300, maxPagePixels: 40_000_000, minTextCharsPerPage: 16, pdfPasswords: [] };
  const timeDoccat = async (langPath) => {
    const pool = new OcrPool({ languages: ['eng'], size: cores, pageTimeoutMs: 600_000, recycleAfterPages: 40, ...(langPath ? { langPath } : {}) });
    const extractOne = async (file) => {
      const { mime } = await sniffFile(file);
      const extractor = await extractorFor(mime);
      return extractor({ path: file, mime, size: fs.statSync(file).size, options, ocr: () => pool, signal: new AbortController().signal });
    };
    // Warm-up: start every worker (language data load) outside the timed part, as a long run would.
    await mapLimit(pages.slice(0, cores), cores, extractOne);
    const started = performance.now();
    const results = await mapLimit(pages, cores, extractOne);
    const seconds = (performance.now() - started) / 1000;
    await pool.close();
    const pageCount = results.reduce((sum, result) => sum + result.pages, 0);
    return { rate: pageCount / seconds, pageCount, seconds };
  };
  const best = await timeDoccat(undefined);
  line('doccat OCR, bundled best_int model', `${best.rate.toFixed(2)} pages/s (${best.pageCount} pages in ${best.seconds.toFixed(1)} s)`);
  const debianData = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata'].find((dir) => fs.existsSync(path.join(dir, 'eng.traineddata')));
  const fast = debianData ? await timeDoccat(debianData) : undefined;
  if (fast) line('doccat OCR, Debian fast model (same as native)', `${fast.rate.toFixed(2)} pages/s (${fast.pageCount} pages in ${fast.seconds.toFixed(1)} s)`);
  line('doccat peak RSS (this process, all workers)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (!hasNative) {
    line('native tesseract', 'not installed (apt-get install tesseract-ocr): no ratio');
    return;
  }
  const started = performance.now();
  await mapLimit(pages, cores, (file) => execFileAsync('tesseract', [file, 'stdout', '-l', 'eng'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 64 * 1024 * 1024 }));
  const nativeSeconds = (performance.now() - started) / 1000;
  const nativeRate = pages.length / nativeSeconds;
  line('native tesseract, Debian fast model', `${nativeRate.toFixed(2)} pages/s (${pages.length} pages in ${nativeSeconds.toFixed(1)} s)`);
  if (fast) line('ratio doccat / native, same model', `${(fast.rate / nativeRate).toFixed(2)}x`);
  line('ratio doccat best_int / native fast', `${(best.rate / nativeRate).toFixed(2)}x`);
  console.log('note: doccat also re-reads low-confidence pages turned by 90/180/270 degrees; native does not');
}

async function benchIngest() {
  const count = 300;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-'));
  const inputs = path.join(dir, 'pdfs');
  fs.mkdirSync(inputs);
  for (let index = 0; index < count; index += 1) {
    const lines = Array.from({ length: 40 }, (_, row) => `Invoice ${index} line ${row}: printer paper, toner and delivery, total due ${(index * 3.7 + row).toFixed(2)} EUR`);
    fs.writeFileSync(path.join(inputs, `doc-${String(index).padStart(4, '0')}.pdf`), makeTextPdf([lines, lines.slice(0, 20)]));
  }
  console.log(`\nIngest: ${count} born-digital PDFs (2 pages each), whole doccat process, fresh catalogue`);
  const env = { ...process.env, DOCCAT_HOME: path.join(dir, 'catalogue') };
  const run = async (args) => {
    const started = performance.now();
    await execFileAsync(process.execPath, [path.join(root, 'bin/doccat.js'), ...args], { env, maxBuffer: 256 * 1024 * 1024 }).catch((error) => {
      if (error.code !== 3) throw error;
    });
    return (performance.now() - started) / 1000;
  };
  // Baseline: the least any cataloguer must do, read and hash every file, in one plain Node process.
  let started = performance.now();
  for (const name of fs.readdirSync(inputs)) createHash('sha256').update(fs.readFileSync(path.join(inputs, name))).digest('hex');
  const hashSeconds = (performance.now() - started) / 1000;
  const startupSeconds = await (async () => {
    const begin = performance.now();
    await execFileAsync(process.execPath, ['-e', '0']);
    return (performance.now() - begin) / 1000;
  })();
  const first = await run(['ingest', inputs, '--json', '--quiet']);
  const again = await run(['ingest', inputs, '--json', '--quiet']);
  const baselineRate = count / (hashSeconds + startupSeconds);
  line('doccat ingest, new files', `${(count / first).toFixed(1)} docs/s (${first.toFixed(2)} s)`);
  line('doccat ingest, same folder again', `${(count / again).toFixed(1)} docs/s (${again.toFixed(2)} s)`);
  line('baseline: node start + read and sha256 every file', `${baselineRate.toFixed(1)} docs/s`);
  line('ratio new / baseline', `${(count / first / baselineRate).toFixed(3)}x`);
  line('ratio again / baseline', `${(count / again / baselineRate).toFixed(3)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (wanted.includes('ocr')) await benchOcr();
if (wanted.includes('ingest')) await benchIngest();
