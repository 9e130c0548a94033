// @ts-check
// OCR benchmarks (`npm run bench -- ocr`, `npm run bench -- ocr-memory`): doccat with each engine
// against native tesseract on the same pages, each side a whole cold process (or set of processes).
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { makeImagePdf, makeTextPdf } from '../test/support/pdf-writer.mjs';
import { pngChunk, pngFile } from '../test/support/png-writer.mjs';
import { sampleTreeRss, treeResidentBytes } from '../test/support/process-tree-rss.mjs';

const execFileAsync = promisify(execFile);
const MB = 1024 * 1024;

function line(label, value) {
  console.log(`${label.padEnd(52)} ${value}`);
}

function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * At most `limit` of `fn` at once, results in the order of `items` (also used by run.js): doccat's
 * own forEachLimit, so the benchmarks pace their calls as the CLI does.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T, index: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
export async function mapLimit(items, limit, fn) {
  const { forEachLimit } = await import('../dist/system/concurrency.js');
  /** @type {R[]} */
  const results = [];
  await forEachLimit(items, { limit }, async (item, index) => {
    results[index] = await fn(item, index);
  });
  return results;
}

/**
 * Runs a command as a whole cold process, sampling the RSS of its process tree (doccat, its
 * extraction processes, its tesseract processes) every 50 ms; onLine sees each stdout line.
 */
function runMeasured(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const sampler = sampleTreeRss(/** @type {number} */ (child.pid), 50);
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!options.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) options.onLine(text, child);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const { peakBytes } = sampler.stop();
      // doccat exits 3 when some files failed; the run still counts.
      if (code !== 0 && code !== 3) reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ seconds, stdout, peakBytes });
    });
  });
}

/** A deterministic pseudo-random source, so that every run generates the same pages. */
function seeded(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const WORDS = ('invoice total amount payment account customer delivery order number date terms due balance statement '
  + 'insurance policy premium contract agreement party clause notice letter reply request meeting report summary quarter '
  + 'office address street city country phone reference tax return income deduction refund bank transfer closing opening '
  + 'the of and to in for on with your this that from by is are be at as we you it not or have will an our their '
  + 'printer paper toner service maintenance shipment warehouse product quantity price discount subtotal signed received').split(' ');

/** Lines of paperwork-like English text for one page, different for every seed. */
function pageLines(seed, count = 44) {
  const random = seeded(seed);
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  return Array.from({ length: count }, (_, index) => {
    if (index % 11 === 0) return `Section ${seed}.${index / 11 + 1}: ${word()} ${word()} ${word()}`.replace(/^\w/, (c) => c.toUpperCase());
    const words = Array.from({ length: 9 + Math.floor(random() * 4) }, word);
    if (random() < 0.4) words.push(`${Math.floor(random() * 9000 + 100)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`);
    return words.join(' ').replace(/^\w/, (c) => c.toUpperCase());
  });
}

/** An 8-bit grayscale PNG with its resolution (pHYs), as a scanner writes it. */
function grayPng(gray, width, height, dpi) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y += 1) raw.set(gray.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const pixelsPerMetre = Math.round(dpi / 0.0254);
  const phys = Buffer.alloc(9);
  phys.writeUInt32BE(pixelsPerMetre, 0);
  phys.writeUInt32BE(pixelsPerMetre, 4);
  phys[8] = 1;
  return pngFile({ width, height, bitDepth: 8, colorType: 0 }, zlib.deflateSync(raw, { level: 6 }), [pngChunk('pHYs', phys)]);
}

/**
 * Scanned-looking pages: text PDFs rendered at 300 dpi by pdftoppm, then speckled and grained so
 * that they read like a scanner's output rather than a clean render.
 */
async function generatedPages(dir, count, firstSeed, { root }) {
  const { decodeToRaster } = await import(path.join(root, 'dist/extract/raster.js'));
  const pdf = path.join(dir, `generated-${firstSeed}.pdf`);
  fs.writeFileSync(pdf, makeTextPdf(Array.from({ length: count }, (_, index) => pageLines(firstSeed + index))));
  const prefix = path.join(dir, `render-${firstSeed}`);
  await execFileAsync('pdftoppm', ['-r', '300', '-gray', '-png', pdf, prefix]);
  const renders = fs.readdirSync(dir).filter((name) => name.startsWith(`render-${firstSeed}`)).sort();
  const pages = [];
  for (const [index, name] of renders.entries()) {
    const file = path.join(dir, name);
    const raster = await decodeToRaster(fs.readFileSync(file), 'image/png', 100_000_000, 100_000_000);
    fs.rmSync(file);
    const random = seeded(1000 + firstSeed + index);
    const gray = Buffer.from(raster.gray);
    // Dust, dropouts in the ink and some grain: noisy enough to read like a scan, sparse enough
    // to compress like one.
    for (let offset = 0; offset < gray.length; offset += 1) {
      const speck = random();
      if (speck < 0.003) gray[offset] = 50;
      else if (speck > 0.997) gray[offset] = 235;
      else if (speck < 0.03) gray[offset] = Math.max(0, Math.min(255, gray[offset] + Math.round((random() - 0.5) * 80)));
    }
    pages.push({ name: `generated-${firstSeed + index}.png`, gray, width: raster.width, height: raster.height, dpi: 300 });
  }
  return pages;
}

/** Distinct scans of the corpus (upright, English-like), decoded to gray for the PDF. */
async function corpusPages(corpus, root) {
  const { decodeToRaster, rgbaToRaster } = await import(path.join(root, 'dist/extract/raster.js'));
  const files = [
    path.join(root, 'fixtures/documents/scans/letter.png'),
    path.join(corpus, 'tesseract/phototest.tif'),
    path.join(corpus, 'tesseract/eurotext.tif'),
    path.join(corpus, 'ocrmypdf/linn.png'),
    path.join(corpus, 'ocrmypdf/typewriter.png'),
    path.join(corpus, 'ocrmypdf/crom.png'),
    path.join(corpus, 'invoice2data/AmazonWebServices.png'),
    path.join(corpus, 'invoice2data/oyo.png'),
    path.join(corpus, 'invoice2data/FlipkartInvoice.png'),
    path.join(corpus, 'invoice2data/SammyMaystoneLinesTest.png'),
    path.join(corpus, 'unstructured/img/double-column-A.jpg'),
    path.join(corpus, 'unstructured/img/layout-parser-paper-fast.jpg'),
    path.join(corpus, 'unstructured/img/table-multi-row-column-cells.png'),
  ].filter((file) => fs.existsSync(file));
  const UTIF = (await import('utif2')).default;
  const pages = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    let raster;
    let dpi = 300;
    if (file.endsWith('.tif')) {
      const [ifd] = UTIF.decode(bytes);
      UTIF.decodeImage(bytes, ifd);
      raster = rgbaToRaster(UTIF.toRGBA8(ifd), ifd.width, ifd.height, 100_000_000);
      dpi = ifd.t282?.[0] > 50 ? ifd.t282[0] : 300;
    } else {
      raster = await decodeToRaster(bytes, file.endsWith('.png') ? 'image/png' : 'image/jpeg', 100_000_000, 100_000_000);
    }
    pages.push({ name: path.basename(file), original: file, gray: raster.gray, width: raster.width, height: raster.height, dpi });
  }
  return pages;
}

function rate(pages, seconds) {
  return `${(pages / seconds).toFixed(2)} pages/s (${pages} pages in ${seconds.toFixed(1)} s)`;
}

function debianData() {
  return ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata'].find((folder) => fs.existsSync(path.join(folder, 'eng.traineddata')));
}

/**
 * Throughput: ≥ 24 distinct scanned pages (corpus scans and generated 300-dpi pages), as page
 * images and as one multi-page image PDF, read by native tesseract (one process per core, the
 * baseline), by doccat with each engine, and by OCRmyPDF where installed; the same PDF at -j 1
 * and -j <cores> for the speed-up of one long scan.
 */
export async function benchOcr({ root, corpus, cores }) {
  if (!hasCommand('pdftoppm')) {
    console.log('\nOCR: pdftoppm (poppler-utils) is needed to generate the scanned pages; skipped');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-ocr-'));
  const images = path.join(dir, 'pages');
  fs.mkdirSync(images);
  const fromCorpus = await corpusPages(corpus, root);
  // 40 pages by default; DOCCAT_BENCH_OCR_PAGES=24 (the least that counts) for a quicker run.
  const total = Math.max(24, Number(process.env.DOCCAT_BENCH_OCR_PAGES) || 40);
  const generated = await generatedPages(dir, Math.max(11, total - fromCorpus.length), 1, { root });
  const pages = [...fromCorpus, ...generated];
  const files = pages.map((page, index) => {
    const file = path.join(images, `${String(index).padStart(2, '0')}-${page.name.replace(/\.\w+$/, '')}${page.original ? path.extname(page.original) : '.png'}`);
    if (page.original) fs.copyFileSync(page.original, file);
    else fs.writeFileSync(file, grayPng(page.gray, page.width, page.height, page.dpi));
    return file;
  });
  const scanPdf = path.join(dir, 'scan', 'scan.pdf');
  fs.mkdirSync(path.dirname(scanPdf));
  fs.writeFileSync(scanPdf, makeImagePdf(pages));
  for (const page of pages) page.gray = undefined;
  const megapixels = pages.reduce((sum, page) => sum + page.width * page.height, 0) / pages.length / 1e6;
  console.log(`\nOCR: ${pages.length} distinct scanned pages (${fromCorpus.length} from the corpus, ${generated.length} generated 300-dpi noisy pages; ${megapixels.toFixed(1)} MP on average), ${cores} cores.`);
  console.log('  Every figure is a whole cold process (or set of processes) from start to exit, model loading included, no warm-up.');
  console.log('  doccat also sniffs, hashes, stores, classifies (local rules) and commits every file, and checks the orientation of pages read poorly.');

  const hasNative = hasCommand('tesseract');
  const fastModel = debianData();
  const doccat = async (label, inputs, { engine, jobs = cores, env = {} }) => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const { seconds, stdout, peakBytes } = await runMeasured(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--json', '--quiet', '--jobs', String(jobs), '--ocr-engine', engine], {
      env: { ...process.env, DOCCAT_HOME: home, DOCCAT_FEATURES_AI: 'false', ...env },
    });
    const summary = JSON.parse(stdout).summary;
    line(label, `${rate(summary.ocrPages, seconds)}, peak RSS ${(peakBytes / MB).toFixed(0)} MB`);
    fs.rmSync(home, { recursive: true, force: true });
    return { pagesPerSecond: summary.ocrPages / seconds, seconds, peakBytes };
  };

  let native;
  /** Runs the baseline again; undefined without native tesseract. @type {() => Promise<number | undefined>} */
  let nativeAgain = async () => undefined;
  if (hasNative) {
    const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
    // One process per core reading a list of pages, the model loaded once per process.
    const lanes = Array.from({ length: cores }, (_, lane) => files.filter((_, index) => index % cores === lane)).filter((lane) => lane.length > 0);
    const lists = lanes.map((lane, index) => {
      const list = path.join(dir, `lane-${index}.txt`);
      fs.writeFileSync(list, `${lane.join('\n')}\n`);
      return list;
    });
    // Under the same tree-RSS sampling as doccat's runs (reading /proc every 50 ms costs this
    // process some CPU on the same cores): both sides pay it.
    const lanesScript = `${lists.map((list) => `tesseract '${list}' stdout -l eng > /dev/null &`).join(' ')} wait`;
    const runLanes = (extraEnv = {}) => runMeasured('sh', ['-c', lanesScript], { env: { ...env, ...extraEnv } });
    const measured = await runLanes();
    native = { seconds: measured.seconds, pagesPerSecond: pages.length / measured.seconds };
    nativeAgain = async () => pages.length / (await runLanes()).seconds;
    line('native tesseract, a process per core (baseline)', `${rate(pages.length, native.seconds)}, peak RSS ${(measured.peakBytes / MB).toFixed(0)} MB; ${lanes.length} processes reading list files, OMP_THREAD_LIMIT=1`);
    const started = performance.now();
    await mapLimit(files, cores, (file) => execFileAsync('tesseract', [file, 'stdout', '-l', 'eng'], { env, maxBuffer: 64 * MB }));
    const perPage = (performance.now() - started) / 1000;
    line('native tesseract, a process per page', `${rate(pages.length, perPage)}; ${cores} at a time, the model loaded for every page`);
    // doccat starts tesseract with malloc on huge pages (src/system/huge-pages.ts): the baseline
    // run the same way, for reference; the ratios stay against the plain command a user types.
    const huge = await runLanes({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    line('native tesseract, a process per core, huge pages (reference)', `${rate(pages.length, huge.seconds)}, peak RSS ${(huge.peakBytes / MB).toFixed(0)} MB`);
  } else {
    line('native tesseract', 'not installed (apt-get install tesseract-ocr tesseract-ocr-osd): no baseline, no ratios');
  }
  // This machine's speed drifts by a fifth over minutes: each run compared with native is
  // followed by the baseline again, and its ratio is against the baseline just before and after it.
  let lastNative = native?.pagesPerSecond;
  const againstNative = async (run) => {
    const after = await nativeAgain();
    if (after === undefined || lastNative === undefined) return run;
    line('  native baseline, measured again', `${after.toFixed(2)} pages/s`);
    const nativeAround = (lastNative + after) / 2;
    lastNative = after;
    return { ...run, nativeAround };
  };
  const ratio = (run) => (run.nativeAround ? ` = ${(run.pagesPerSecond / run.nativeAround).toFixed(2)}x native` : '');

  const results = {};
  if (hasNative) results.tesseract = await againstNative(await doccat('doccat, engine tesseract (same model as native)', images, { engine: 'tesseract' }));
  if (fastModel) results.tesseractJsSame = await againstNative(await doccat('doccat, engine tesseract.js, same model as native', images, { engine: 'tesseract.js', env: { DOCCAT_OCR_LANG_PATH: fastModel } }));
  results.tesseractJs = await againstNative(await doccat('doccat, engine tesseract.js, bundled best_int model', images, { engine: 'tesseract.js' }));
  const pdfEngine = hasNative ? 'tesseract' : 'tesseract.js';
  results.pdf = await againstNative(await doccat(`doccat, the same pages as one ${pages.length}-page PDF (${pdfEngine}), -j ${cores}`, path.dirname(scanPdf), { engine: pdfEngine }));
  results.pdfOne = await doccat(`doccat, the same PDF, -j 1`, path.dirname(scanPdf), { engine: pdfEngine, jobs: 1 });
  if (hasCommand('ocrmypdf')) {
    // Its default output is PDF/A-2b, as doccat's searchable PDF is (the issue's own comparison);
    // --output-type pdf skips Ghostscript's PDF/A conversion, for reference.
    for (const [key, label, extra] of [
      ['ocrmypdf', 'PDF/A, its default', []],
      ['ocrmypdfPlain', '--output-type pdf', ['--output-type', 'pdf']],
    ]) {
      const started = performance.now();
      await execFileAsync('ocrmypdf', ['--jobs', String(cores), ...extra, scanPdf, path.join(dir, `${key}.pdf`)], { maxBuffer: 64 * MB });
      const seconds = (performance.now() - started) / 1000;
      results[key] = { seconds, pagesPerSecond: pages.length / seconds };
      line(`OCRmyPDF --jobs ${cores}, the same PDF, ${label}`, rate(pages.length, seconds));
    }
  } else {
    line(`OCRmyPDF --jobs ${cores}`, 'not installed (apt-get install ocrmypdf, or pip install ocrmypdf): no comparison');
  }

  console.log('');
  if (native) console.log('  Ratios to native are against the mean of the baselines measured just before and just after each run.');
  if (results.tesseract) line('ratio engine tesseract / native (goal ≥ 0.95)', ratio(results.tesseract).replace(' = ', ''));
  if (results.tesseractJsSame) line('ratio engine tesseract.js, same model / native (goal ≥ 0.75)', ratio(results.tesseractJsSame).replace(' = ', ''));
  line('ratio engine tesseract.js, bundled model / native', ratio(results.tesseractJs).replace(' = ', '') || '-');
  line('ratio PDF / native', ratio(results.pdf).replace(' = ', '') || '-');
  if (results.ocrmypdf) line('ratio doccat PDF / OCRmyPDF writing PDF/A (goal ≥ 3)', `${(results.pdf.pagesPerSecond / results.ocrmypdf.pagesPerSecond).toFixed(2)}x`);
  if (results.ocrmypdfPlain) line('ratio doccat PDF / OCRmyPDF --output-type pdf', `${(results.pdf.pagesPerSecond / results.ocrmypdfPlain.pagesPerSecond).toFixed(2)}x`);
  line(`speed-up of the ${pages.length}-page PDF, -j ${cores} over -j 1 (goal ≥ 1.7)`, `${(results.pdfOne.seconds / results.pdf.seconds).toFixed(2)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Memory: peak RSS of the whole process tree for 200 scanned pages at -j 2 with each engine, and
 * whether it grows between page 100 and page 1,000 (1,000 small scanned page images, the tree
 * sampled as files finish).
 */
export async function benchOcrMemory({ root }) {
  if (!hasCommand('pdftoppm')) {
    console.log('\nOCR memory: pdftoppm (poppler-utils) is needed to generate the scanned pages; skipped');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-ocrmem-'));
  const engines = [...(hasCommand('tesseract') ? ['tesseract'] : []), 'tesseract.js'];
  // 200 full pages: 20 distinct 300-dpi pages, each ten times over in one 200-page PDF.
  const distinct = await generatedPages(dir, 20, 500, { root });
  const scan = path.join(dir, 'scan200');
  fs.mkdirSync(scan);
  fs.writeFileSync(path.join(scan, 'scan.pdf'), makeImagePdf(Array.from({ length: 200 }, (_, index) => distinct[index % distinct.length])));
  console.log(`\nOCR memory: the whole process tree's RSS (doccat, extraction processes, OCR processes or workers), sampled every 50 ms, -j 2`);
  for (const engine of engines) {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const { seconds, stdout, peakBytes } = await runMeasured(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', scan, '--json', '--quiet', '--jobs', '2', '--ocr-engine', engine], { env: { ...process.env, DOCCAT_HOME: home, DOCCAT_FEATURES_AI: 'false' } });
    const summary = JSON.parse(stdout).summary;
    line(`200-page scan, engine ${engine} (goal ≤ 400 MB)`, `peak ${(peakBytes / MB).toFixed(0)} MB; ${rate(summary.ocrPages, seconds)}`);
  }
  // 1,000 small page images (a receipt-sized 300-dpi page each), tree RSS when files finish.
  const small = path.join(dir, 'small');
  fs.mkdirSync(small);
  const smallPages = await generatedPagesSmall(dir, 50, 900, { root });
  for (let index = 0; index < 1000; index += 1) {
    const page = smallPages[index % smallPages.length];
    // Each file distinct (its own content hash): one changed pixel row.
    const gray = Buffer.from(page.gray);
    gray[index % gray.length] = (gray[index % gray.length] + 1 + (index % 200)) & 0xff;
    fs.writeFileSync(path.join(small, `page-${String(index).padStart(4, '0')}.png`), grayPng(gray, page.width, page.height, 300));
  }
  for (const engine of engines) {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const samples = [];
    let done = 0;
    const { seconds, peakBytes } = await runMeasured(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', small, '--ndjson', '--quiet', '--jobs', '2', '--ocr-engine', engine], {
      env: { ...process.env, DOCCAT_HOME: home, DOCCAT_FEATURES_AI: 'false' },
      onLine: (text, child) => {
        if (!text.includes('"path"')) return;
        done += 1;
        if (done % 50 === 0) samples.push({ pages: done, bytes: treeResidentBytes(child.pid) });
      },
    });
    const window = (from, to) => samples.filter((sample) => sample.pages >= from && sample.pages <= to).map((sample) => sample.bytes);
    const early = Math.max(...window(100, 250));
    const late = Math.max(...window(850, 1000));
    line(`1,000 page images, engine ${engine}`, `tree RSS at pages 100-250 at most ${(early / MB).toFixed(0)} MB, at pages 850-1000 at most ${(late / MB).toFixed(0)} MB (growth ${((late - early) / MB).toFixed(0)} MB); peak ${(peakBytes / MB).toFixed(0)} MB; ${rate(1000, seconds)}`);
    console.log(`    samples every 50 pages, MB: ${samples.map((sample) => (sample.bytes / MB).toFixed(0)).join(' ')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Receipt-sized pages (A6 at 300 dpi, a dozen lines): quick to read, for the long run. */
async function generatedPagesSmall(dir, count, firstSeed, options) {
  const pages = await generatedPages(dir, count, firstSeed, options);
  // The top quarter of each A4 render: about 1240 x 1750 pixels with its first lines.
  return pages.map((page) => {
    const width = Math.floor(page.width / 2);
    const height = Math.floor(page.height / 2);
    const gray = Buffer.alloc(width * height);
    for (let y = 0; y < height; y += 1) page.gray.copy(gray, y * width, (y + 150) * page.width + 150, (y + 150) * page.width + 150 + width);
    return { ...page, gray, width, height };
  });
}
