import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, FIXTURES } from '../../support/cli.js';
import { decodeToRaster, type Raster } from '../../../src/extract/raster.js';
import type { OcrEngine, OcrEngineName } from '../../../src/extract/ocr/engine.js';
import { chooseOcrEngine } from '../../../src/extract/ocr/select.js';
import { probeNativeTesseract } from '../../../src/extract/ocr/native-probe.js';
import { NativeTesseractEngine } from '../../../src/extract/ocr/native.js';

/**
 * One contract every OCR engine keeps, run against each (as the blob stores' contract is): text,
 * mean confidence and word boxes for a page, the languages checked before any page, a page
 * timeout and an abort that end the work, a bound on pages read at once. The native engine runs
 * where tesseract is installed (CI installs it).
 */

const probe = await probeNativeTesseract();
const nativeInstalled = probe.found;
/** OSD needs osd.traineddata (Debian tesseract-ocr-osd) next to the language data. */
const nativeOsd = probe.found && probe.tesseract.languages.includes('osd');
if (!nativeInstalled) console.warn('OCR engine contract: native tesseract not installed, only tesseract.js is tested (apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd)');
const hasPdfTools = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v pdfinfo && command -v pdftotext'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Capabilities {
  /** detectOrientation answers (tesseract with osd.traineddata). */
  orientation: boolean;
}

const ENGINES: { name: OcrEngineName; run: boolean; capabilities: Capabilities }[] = [
  { name: 'tesseract', run: nativeInstalled, capabilities: { orientation: nativeOsd } },
  { name: 'tesseract.js', run: true, capabilities: { orientation: false } },
];

async function createEngine(name: OcrEngineName, overrides: { size?: number; pageTimeoutMs?: number; languages?: string[] } = {}): Promise<OcrEngine> {
  const choice = await chooseOcrEngine({ engine: name, languages: overrides.languages ?? ['eng'], size: overrides.size ?? 2, pageTimeoutMs: overrides.pageTimeoutMs ?? 120_000, recycleAfterPages: 40 });
  return choice.create();
}

async function pageOf(file: string, mime = 'image/png'): Promise<Raster> {
  return decodeToRaster(fs.readFileSync(file), mime, 18_000_000, 100_000_000);
}

/** A page of noise: tesseract spends a long time finding no text in it. */
function noisePage(width: number, height: number): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  const pixels = Buffer.alloc(width * height);
  let seed = 12345;
  for (let index = 0; index < pixels.length; index += 1) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pixels[index] = seed % 3 === 0 ? 0 : 255;
  }
  return Buffer.concat([header, pixels]);
}

/** tesseract processes that are children of this test process. */
function tesseractChildren(): number {
  let count = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (command === 'tesseract' && parent === process.pid) count += 1;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

for (const { name, run, capabilities } of ENGINES) {
  describe.skipIf(!run)(`OCR engine ${name}`, () => {
    let engine: OcrEngine;
    let letter: Raster;
    beforeAll(async () => {
      engine = await createEngine(name);
      letter = await pageOf(path.join(FIXTURES, 'scans/letter.png'));
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('says which engine, version and languages it is', () => {
      expect(engine.info).toMatchObject({ engine: name, languages: ['eng'] });
      expect(engine.info?.version).toMatch(/^\d+\.\d+/);
      expect(engine.info?.dataPath).not.toBe('');
    });

    it('reads a page: text, mean word confidence, and word boxes inside the image', async () => {
      const result = await engine.recognize(letter.image, { dpi: 300 });
      expect(result.text).toMatch(/Northwind/);
      expect(result.confidence).toBeGreaterThan(60);
      expect(result.confidence).toBeLessThanOrEqual(100);
      const words = result.words ?? [];
      expect(words.length).toBeGreaterThan(10);
      for (const word of words) {
        expect(word.text.trim()).not.toBe('');
        expect(word.x0).toBeGreaterThanOrEqual(0);
        expect(word.y0).toBeGreaterThanOrEqual(0);
        expect(word.x1).toBeGreaterThan(word.x0);
        expect(word.y1).toBeGreaterThan(word.y0);
        expect(word.x1).toBeLessThanOrEqual(letter.width);
        expect(word.y1).toBeLessThanOrEqual(letter.height);
        expect(word.confidence).toBeGreaterThanOrEqual(0);
        expect(word.confidence).toBeLessThanOrEqual(100);
      }
      // The words are the text's words, in reading order.
      expect(words.map((word) => word.text).join(' ')).toBe(result.text.replace(/\s+/g, ' ').trim());
      const meanOfWords = words.reduce((sum, word) => sum + word.confidence, 0) / words.length;
      expect(Math.abs(meanOfWords - result.confidence)).toBeLessThan(2);
      // A word box frames its word: "Northwind" is wider than it is tall.
      const northwind = words.find((word) => /Northwind/.test(word.text));
      expect(northwind).toBeDefined();
      expect(northwind!.x1 - northwind!.x0).toBeGreaterThan(northwind!.y1 - northwind!.y0);
    });

    it('reads a blank page as no text with confidence 0', async () => {
      const blank = Buffer.concat([Buffer.from('P5\n400 300\n255\n', 'latin1'), Buffer.alloc(400 * 300, 255)]);
      const result = await engine.recognize(blank, { dpi: 300 });
      expect(result.text.trim()).toBe('');
      expect(result.confidence).toBe(0);
      expect(result.words ?? []).toEqual([]);
    });

    it('counts the pages it read', async () => {
      const before = engine.pagesRecognized;
      await engine.recognize(letter.image, { dpi: 300 });
      expect(engine.pagesRecognized).toBe(before + 1);
    });

    it('checks its languages before reading any page', async () => {
      await expect(createEngine(name, { languages: ['eng', 'xyz'] })).rejects.toMatchObject({ code: 'E_OCR_LANGUAGE_MISSING', exitCode: 2 });
    });

    it('fails a page that takes longer than the page timeout, and reads the next one', async () => {
      const slow = await createEngine(name, { size: 1, pageTimeoutMs: 400 });
      try {
        await expect(slow.recognize(noisePage(3000, 3000), { dpi: 300 })).rejects.toMatchObject({ code: 'E_OCR_TIMEOUT' });
        if (name === 'tesseract') expect(tesseractChildren()).toBe(0);
      } finally {
        await slow.close();
      }
      const again = await createEngine(name, { size: 1, pageTimeoutMs: 120_000 });
      try {
        expect((await again.recognize(letter.image, { dpi: 300 })).text).toMatch(/Northwind/);
      } finally {
        await again.close();
      }
    });

    it('stops a page at once when its signal aborts', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const reading = engine.recognize(noisePage(3000, 3000), { dpi: 300, signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(reading).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
      // Not the tens of seconds the page would take.
      expect(Date.now() - started).toBeLessThan(10_000);
      if (name === 'tesseract') expect(tesseractChildren()).toBe(0);
      await expect(engine.recognize(letter.image, { dpi: 300, signal: controller.signal })).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    });

    it('reads several pages at once, and every one comes back whole', async () => {
      const results = await Promise.all([0, 1, 2].map(() => engine.recognize(letter.image, { dpi: 300 })));
      for (const result of results) expect(result.text).toMatch(/Northwind/);
      expect(new Set(results.map((result) => result.text)).size).toBe(1);
    });

    it.skipIf(!capabilities.orientation || !fs.existsSync(CORPUS))('tells how far a page must be turned (OSD)', async () => {
      const sideways = await pageOf(path.join(CORPUS, 'tesseract/phototest-rotated-L.png'));
      const upsideDown = await pageOf(path.join(CORPUS, 'tesseract/phototest-rotated-180.png'));
      expect(await engine.detectOrientation?.(sideways.image, { dpi: 300 })).toMatchObject({ degrees: 90 });
      expect(await engine.detectOrientation?.(upsideDown.image, { dpi: 300 })).toMatchObject({ degrees: 180 });
      expect((await engine.detectOrientation?.(letter.image, { dpi: 300 }))?.degrees).toBe(0);
    });

    it.skipIf(capabilities.orientation)('offers no orientation check, so the caller probes', async () => {
      const answer = engine.detectOrientation ? await engine.detectOrientation(letter.image, { dpi: 300 }) : null;
      expect(answer).toBeNull();
    });

    // Both engines: the searchable PDF is built from these pages whichever engine read the scan.
    it('gives the text-only PDF only when asked, with the same reading', async () => {
      const plain = await engine.recognize(letter.image, { dpi: 200 });
      expect(plain.textPdf).toBeUndefined();
      const withPdf = await engine.recognize(letter.image, { dpi: 200, textPdf: true });
      expect(withPdf.textPdf).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(withPdf.textPdf!.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      expect(withPdf.text).toBe(plain.text);
      expect(withPdf.words?.length).toBe(plain.words?.length);
    });

    it.skipIf(!hasPdfTools)('gives the page as a text-only PDF of the image size at its dpi', async () => {
      const result = await engine.recognize(letter.image, { dpi: 200, textPdf: true });
      expect(result.textPdf).toBeInstanceOf(Uint8Array);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-textpdf-')), 'page.pdf');
      fs.writeFileSync(file, result.textPdf!);
      const info = execFileSync('pdfinfo', [file]).toString();
      const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
      expect(Number(size?.[1])).toBeCloseTo((letter.width / 200) * 72, 0);
      expect(Number(size?.[2])).toBeCloseTo((letter.height / 200) * 72, 0);
      expect(/Pages:\s+1\b/.test(info)).toBe(true);
      expect(execFileSync('pdftotext', [file, '-']).toString()).toMatch(/Northwind/);
      // Text only: no image in it.
      expect(execFileSync('pdfimages', ['-list', file]).toString().trim().split('\n').length).toBe(2);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });
  });
}

describe.skipIf(!nativeInstalled)('the native engine', () => {
  it('reads no more pages at once than its size, one tesseract process each', async () => {
    const engine = await createEngine('tesseract', { size: 2 });
    const letter = await pageOf(path.join(FIXTURES, 'scans/letter.png'));
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, tesseractChildren());
    }, 10);
    try {
      await Promise.all(Array.from({ length: 5 }, () => engine.recognize(letter.image, { dpi: 300 })));
    } finally {
      clearInterval(sampler);
      await engine.close();
    }
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
  });
});

describe('choosing the engine', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-engine-choice-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const settings = { languages: ['eng'], size: 1, pageTimeoutMs: 60_000, recycleAfterPages: 40 };

  /** A stand-in tesseract command that says what a given version would. */
  function fakeTesseract(version: string, languages: string[]): string {
    const file = path.join(dir, `tesseract-${version}`);
    fs.writeFileSync(
      file,
      `#!/bin/sh\ncase "$1" in\n  --version) echo "tesseract ${version}";;\n  --list-langs) echo 'List of available languages in "/fake/tessdata/" (${languages.length}):'; printf '%s\\n' ${languages.join(' ')};;\nesac\n`,
      { mode: 0o755 },
    );
    return file;
  }

  it.skipIf(!nativeInstalled)('auto takes the installed tesseract when it has every language', async () => {
    const choice = await chooseOcrEngine({ ...settings, engine: 'auto' });
    expect(choice.engine).toBe('tesseract');
    expect(choice.fallbackReason).toBeUndefined();
  });

  it('auto takes tesseract.js when there is no tesseract command, and says why', async () => {
    const choice = await chooseOcrEngine({ ...settings, engine: 'auto', tesseractPath: path.join(dir, 'no-such-tesseract') });
    expect(choice.engine).toBe('tesseract.js');
    expect(choice.fallbackReason).toMatch(/not installed/);
  });

  it('auto takes tesseract.js when the installed tesseract is older than 4.1', async () => {
    const choice = await chooseOcrEngine({ ...settings, engine: 'auto', tesseractPath: fakeTesseract('4.0.0', ['eng', 'osd']) });
    expect(choice.engine).toBe('tesseract.js');
    expect(choice.fallbackReason).toMatch(/4\.0\.0.*4\.1 or newer/);
  });

  it('auto takes tesseract.js when the installed tesseract lacks a language tesseract.js has', async () => {
    const choice = await chooseOcrEngine({ ...settings, engine: 'auto', tesseractPath: fakeTesseract('5.3.0', ['deu', 'osd']) });
    expect(choice.engine).toBe('tesseract.js');
    expect(choice.fallbackReason).toMatch(/no eng data/);
  });

  it('ocr.engine tesseract without the command is a configuration error naming what to install', async () => {
    await expect(chooseOcrEngine({ ...settings, engine: 'tesseract', tesseractPath: path.join(dir, 'no-such-tesseract') })).rejects.toMatchObject({
      code: 'E_OCR_ENGINE_MISSING',
      exitCode: 2,
      hint: expect.stringMatching(/apt-get install tesseract-ocr/),
    });
  });

  it('ocr.engine tesseract without a language names the package to install', async () => {
    await expect(chooseOcrEngine({ ...settings, engine: 'tesseract', languages: ['eng', 'chi_sim'], tesseractPath: fakeTesseract('5.3.0', ['eng']) })).rejects.toMatchObject({
      code: 'E_OCR_LANGUAGE_MISSING',
      exitCode: 2,
      hint: expect.stringMatching(/tesseract-ocr-chi-sim/),
    });
  });

  it('knows whether OSD is there from the installed languages', async () => {
    expect((await chooseOcrEngine({ ...settings, engine: 'tesseract', tesseractPath: fakeTesseract('5.3.0', ['eng']) })).info.orientation).toBe(false);
    expect((await chooseOcrEngine({ ...settings, engine: 'tesseract', tesseractPath: fakeTesseract('5.3.0', ['eng', 'osd']) })).info).toMatchObject({ orientation: true, version: '5.3.0', dataPath: '/fake/tessdata' });
  });
});

describe('the processes the native engine starts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-engine-env-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A stand-in tesseract that writes its outputs and notes the environment it was started with. */
  function recordingTesseract(): { command: string; seen: () => string } {
    const command = path.join(dir, 'tesseract');
    const seen = path.join(dir, 'seen');
    fs.writeFileSync(
      command,
      `#!/bin/sh\nprintf '%s|%s' "$OMP_THREAD_LIMIT" "$GLIBC_TUNABLES" > '${seen}'\nprintf 'Total 9\\n' > "$2.txt"\nprintf '5\\t1\\t1\\t1\\t1\\t1\\t10\\t10\\t50\\t20\\t91\\tTotal\\n' > "$2.tsv"\n`,
      { mode: 0o755 },
    );
    return { command, seen: () => fs.readFileSync(seen, 'utf8') };
  }

  async function environmentOfOnePage(tunables: string | undefined): Promise<string> {
    const fake = recordingTesseract();
    const saved = process.env.GLIBC_TUNABLES;
    if (tunables === undefined) delete process.env.GLIBC_TUNABLES;
    else process.env.GLIBC_TUNABLES = tunables;
    const engine = new NativeTesseractEngine({ tesseract: { command: fake.command, version: '5.3.0', tessdataDir: undefined, languages: ['eng'], dataPath: dir }, languages: ['eng'], size: 1, pageTimeoutMs: 10_000 });
    try {
      const page = await engine.recognize(Buffer.from('P5\n1 1\n255\n\xff', 'latin1'));
      expect(page).toMatchObject({ text: 'Total 9\n', confidence: 91 });
      return fake.seen();
    } finally {
      await engine.close();
      if (saved === undefined) delete process.env.GLIBC_TUNABLES;
      else process.env.GLIBC_TUNABLES = saved;
    }
  }

  it('runs tesseract single-threaded, with malloc on huge pages', async () => {
    expect(await environmentOfOnePage(undefined)).toBe('1|glibc.malloc.hugetlb=1');
    expect(await environmentOfOnePage('glibc.malloc.arena_max=2')).toBe('1|glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('keeps a huge-page setting the user made', async () => {
    expect(await environmentOfOnePage('glibc.malloc.hugetlb=0')).toBe('1|glibc.malloc.hugetlb=0');
    expect(await environmentOfOnePage('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2')).toBe('1|glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2');
  });
});
