import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { processTree } from '../support/process-tree-rss.mjs';
import { canRenderScans, writeScannedPdf } from '../support/scans.mjs';
import { probeNativeTesseract } from '../../src/extract/ocr/native-probe.js';

const native = await probeNativeTesseract();
const nativeInstalled = native.found;

function copyFixture(directory: string, name: string): string {
  const target = path.join(directory, path.basename(name));
  fs.mkdirSync(directory, { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, name), target);
  return target;
}

/** tesseract processes under a doccat process. */
function tesseractsUnder(pid: number): number {
  return processTree(pid).filter((candidate) => {
    try {
      return fs.readFileSync(`/proc/${candidate}/comm`, 'latin1').trim() === 'tesseract';
    } catch {
      return false;
    }
  }).length;
}

describe('the OCR engine of each document', () => {
  const home = tempDir();
  let letterId: number;
  let contractId: number | undefined;
  let invoiceId: number;

  beforeAll(async () => {
    const first = await runDoccat(['ingest', copyFixture(tempDir(), 'scans/letter.png'), copyFixture(tempDir(), 'invoice-acme.pdf'), '--json', '--ocr-engine', 'tesseract.js'], { home });
    expect(first.code, first.stderr).toBe(0);
    const report = parseIngestJson(first);
    const letter = report.files.find((file) => file.path.endsWith('letter.png'));
    expect(letter).toMatchObject({ status: 'catalogued', method: 'ocr', ocrEngine: expect.stringMatching(/^tesseract\.js \d+\.\d+/) });
    letterId = letter!.documentId!;
    invoiceId = report.files.find((file) => file.path.endsWith('invoice-acme.pdf'))!.documentId!;
    if (nativeInstalled) {
      const second = await runDoccat(['ingest', copyFixture(tempDir(), 'scans/contract.tiff'), '--json', '--ocr-engine', 'tesseract'], { home });
      expect(second.code, second.stderr).toBe(0);
      const contract = parseIngestJson(second).files[0];
      expect(contract).toMatchObject({ status: 'catalogued', pages: 2, ocrEngine: expect.stringMatching(/^tesseract \d+\.\d+/) });
      contractId = contract!.documentId!;
    }
  });

  it('show --json names the engine and version that read a scan, and none for a born-digital PDF', async () => {
    const letter = JSON.parse((await runDoccat(['show', String(letterId), '--json'], { home })).stdout) as { document: { ocrEngine: string | null } };
    expect(letter.document.ocrEngine).toMatch(/^tesseract\.js \d+\.\d+\.\d+$/);
    const invoice = JSON.parse((await runDoccat(['show', String(invoiceId), '--json'], { home })).stdout) as { document: { ocrEngine: string | null } };
    expect(invoice.document.ocrEngine).toBeNull();
    const table = await runDoccat(['show', String(letterId)], { home });
    expect(table.stdout).toMatch(/ocr engine\s+tesseract\.js \d/);
  });

  it.skipIf(!nativeInstalled)('records the native engine with the installed version', async () => {
    const contract = JSON.parse((await runDoccat(['show', String(contractId), '--json'], { home })).stdout) as { document: { ocrEngine: string } };
    expect(contract.document.ocrEngine).toBe(`tesseract ${native.found ? native.tesseract.version : ''}`);
  });

  it('stats splits the scanned pages by engine', async () => {
    const result = await runDoccat(['stats', '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout) as { ocr: { byEngine: { engine: string; files: number; pages: number; msPerPage: number | null }[] } };
    const embedded = stats.ocr.byEngine.find((row) => row.engine.startsWith('tesseract.js '));
    expect(embedded).toMatchObject({ files: 1, pages: 1 });
    expect(embedded!.msPerPage).toBeGreaterThan(0);
    if (nativeInstalled) expect(stats.ocr.byEngine.find((row) => /^tesseract \d/.test(row.engine))).toMatchObject({ files: 1, pages: 2 });
    const text = await runDoccat(['stats'], { home });
    expect(text.stdout).toMatch(/OCR engines/);
  });

  it('keeps the engine in the catalogue itself (migration 0012)', () => {
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, ocr_engine FROM documents ORDER BY id').all() as { id: number; ocr_engine: string | null }[];
      expect(rows.find((row) => row.id === letterId)?.ocr_engine).toMatch(/^tesseract\.js /);
      expect(rows.find((row) => row.id === invoiceId)?.ocr_engine).toBeNull();
    } finally {
      db.close();
    }
  });
});

describe('choosing the engine from the command line and the config', () => {
  it('ocr.engine tesseract without the command stops before any file, with exit 2 and what to install', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', copyFixture(tempDir(), 'scans/letter.png'), '--json', '--ocr-engine', 'tesseract'], { home, env: { DOCCAT_OCR_TESSERACT_PATH: path.join(tempDir(), 'no-tesseract-here') } });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'E_OCR_ENGINE_MISSING', hint: expect.stringMatching(/tesseract-ocr/) } });
  });

  it('refuses an engine it does not know', async () => {
    const result = await runDoccat(['ingest', tempDir(), '--ocr-engine', 'cuneiform'], { home: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cuneiform.*(auto|tesseract)/s);
  });

  it('falls back to tesseract.js when auto finds no tesseract command, and says so in health', async () => {
    const home = tempDir();
    const result = await runDoccat(['health', '--json'], { home, env: { DOCCAT_OCR_TESSERACT_PATH: path.join(tempDir(), 'no-tesseract-here') } });
    const ocr = (JSON.parse(result.stdout) as { checks: { check: string; status: string; detail: string; hint?: string }[] }).checks.find((check) => check.check === 'ocr');
    expect(ocr).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^tesseract\.js \d+\.\d+\.\d+, eng from .*orientation by probe.*not the installed tesseract: .*not installed/) });
    expect(ocr?.hint).toMatch(/apt-get install tesseract-ocr/);
  });

  it.skipIf(!nativeInstalled)('health names the installed tesseract, its version, languages and OSD', async () => {
    const result = await runDoccat(['health', '--json'], { home: tempDir() });
    const ocr = (JSON.parse(result.stdout) as { checks: { check: string; status: string; detail: string }[] }).checks.find((check) => check.check === 'ocr');
    const version = native.found ? native.tesseract.version : '';
    expect(ocr).toMatchObject({ status: 'ok', detail: expect.stringContaining(`tesseract ${version}, eng from `) });
    if (native.found && native.tesseract.languages.includes('osd')) expect(ocr?.detail).toMatch(/orientation by OSD/);
  });
});

describe.skipIf(!nativeInstalled || !canRenderScans())('one long scan keeps every OCR slot busy', () => {
  it('reads the pages of one scanned PDF in parallel with -j 2, and keeps them in order', async () => {
    const inputs = tempDir();
    const words = ['amber', 'birch', 'cedar', 'dahlia', 'ebony', 'fennel'];
    writeScannedPdf(path.join(inputs, 'scan.pdf'), words.map((word, index) => [`Page ${index + 1}`, `Today's word is ${word}, and only on this page.`, 'The rest of the page is the same on every page of the scan.']), 200);
    const home = tempDir();
    let most = 0;
    let sampler: NodeJS.Timeout | undefined;
    const result = await runDoccat(['ingest', inputs, '--json', '-j', '2', '--ocr-engine', 'tesseract'], {
      home,
      onSpawn: (child) => {
        sampler = setInterval(() => {
          if (child.pid !== undefined) most = Math.max(most, tesseractsUnder(child.pid));
        }, 20);
      },
    });
    clearInterval(sampler);
    expect(result.code, result.stderr).toBe(0);
    const file = parseIngestJson(result).files[0];
    expect(file).toMatchObject({ status: 'catalogued', method: 'ocr', pages: 6, ocrPages: 6 });
    // Two pages of the one document were being read at the same time (never more than -j).
    expect(most).toBe(2);
    const text = (JSON.parse((await runDoccat(['show', String(file!.documentId), '--json', '--text'], { home })).stdout) as { document: { text: string } }).document.text;
    const positions = words.map((word) => text.indexOf(word));
    expect(positions.every((position) => position >= 0), text).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe.skipIf(!nativeInstalled)('pages cross from the extraction process as files', () => {
  it('hands tesseract a page file in a private folder, and leaves no folder behind', async () => {
    const tmp = tempDir();
    const log = path.join(tempDir(), 'inputs.log');
    // tesseract as installed, with each reading's input argument written down.
    const wrapper = path.join(tempDir(), 'tesseract');
    fs.writeFileSync(wrapper, `#!/bin/sh\ncase "$1" in -*) ;; *) echo "$1" >> '${log}' ;; esac\nexec '${native.found ? native.tesseract.command : 'tesseract'}' "$@"\n`, { mode: 0o755 });
    const result = await runDoccat(['ingest', copyFixture(tempDir(), 'scans/letter.png'), '--json', '--ocr-engine', 'tesseract'], {
      home: tempDir(),
      env: { TMPDIR: tmp, DOCCAT_OCR_TESSERACT_PATH: wrapper },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(parseIngestJson(result).files[0]).toMatchObject({ status: 'catalogued', method: 'ocr' });
    const inputs = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(input).toMatch(new RegExp(`^${tmp}/doccat-pages-\\d+-\\w+/\\d+-\\d+\\.page$`));
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith('doccat-pages-'))).toEqual([]);
  });
});
