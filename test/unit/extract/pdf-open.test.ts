import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../support/cli.js';
import { makeImagePdf } from '../../support/pdf-writer.mjs';
import { canRenderScans, renderPages } from '../../support/scans.mjs';
import type { ExtractInput, ExtractOptions } from '../../../src/extract/extractor.js';
import { openDocument, type PdfSource } from '../../../src/extract/extractors/pdf/open.js';
import { loadPdfJs } from '../../../src/extract/extractors/pdf/pdfjs.js';

const OPTIONS: ExtractOptions = { ocrEnabled: true, renderDpi: 300, maxPagePixels: 18_000_000, minTextCharsPerPage: 16, pdfPasswords: [], maxPages: 5000, maxImagePixels: 100_000_000, maxUnpackedBytes: 64 * 1024 * 1024, maxTextBytes: 16 * 1024 * 1024 };

function input(file: string, options: Partial<ExtractOptions> = {}): ExtractInput {
  return { path: file, mime: 'application/pdf', size: fs.statSync(file).size, options: { ...OPTIONS, ...options }, ocr: () => { throw new Error('no OCR here'); }, signal: new AbortController().signal };
}

/** The file's bytes on request, counting how many were asked for; `fail` makes every read fail. */
function fileSource(file: string, fail = false): PdfSource & { asked: number } {
  const bytes = fs.readFileSync(file);
  return {
    asked: 0,
    length: bytes.length,
    async read(begin, end) {
      if (fail) throw new Error('the disk went away');
      this.asked += end - begin;
      return new Uint8Array(bytes.subarray(begin, end));
    },
  };
}

const pageText = async (document: Awaited<ReturnType<typeof openDocument>>['document'], number: number) =>
  ((await (await document.getPage(number)).getTextContent()).items as { str?: string }[]).map((item) => item.str ?? '').join(' ');

describe('opening a PDF range by range', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-pdf-open-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!canRenderScans())('reads the ranges a page needs, not the whole scan, and lets them go when opened again', async () => {
    const { pdfjs, root } = await loadPdfJs();
    const file = path.join(dir, 'six-pages.pdf');
    // Noise, as a scanner's: each page's image compresses to a sizeable share of the file.
    let seed = 7;
    const pages = renderPages(['one', 'two', 'three', 'four', 'five', 'six'].map((word, index) => [`Page ${index + 1}`, `The word on this page is ${word}.`])).map((page) => ({
      ...page,
      gray: page.gray.map((value) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return Math.max(0, value - ((seed >>> 0) % 48));
      }),
    }));
    fs.writeFileSync(file, makeImagePdf(pages));
    const source = fileSource(file);
    const opened = await openDocument(pdfjs, source, root, input(file));
    try {
      expect(opened.document.numPages).toBe(6);
      await (await opened.document.getPage(1)).getOperatorList();
      // A sixth of the scan and the file's structure: well under half of it.
      expect(opened.bytesHeld).toBeLessThan(source.length / 2);
      expect(opened.bytesHeld).toBe(source.asked);
      await (await opened.document.getPage(2)).getOperatorList();
      const afterTwo = opened.bytesHeld;
      await opened.reopen();
      expect(opened.bytesHeld).toBeLessThan(afterTwo);
      await (await opened.document.getPage(6)).getOperatorList();
      expect(opened.bytesHeld).toBeLessThan(source.length / 2);
    } finally {
      await opened.destroy();
    }
  });

  it('opens an encrypted PDF again with the password that opened it', async () => {
    const { pdfjs, root } = await loadPdfJs();
    const file = path.join(FIXTURES, '../bad/password.pdf');
    const opened = await openDocument(pdfjs, fileSource(file), root, input(file, { pdfPasswords: ['wrong', 'password'] }));
    try {
      expect(await pageText(opened.document, 1)).toContain('File with password');
      await opened.reopen();
      expect(await pageText(opened.document, 1)).toContain('File with password');
    } finally {
      await opened.destroy();
    }
  });

  it('fails, rather than waits, when the file cannot be read', async () => {
    const { pdfjs, root } = await loadPdfJs();
    const file = path.join(FIXTURES, 'invoice-acme.pdf');
    await expect(openDocument(pdfjs, fileSource(file, true), root, input(file))).rejects.toMatchObject({ code: 'E_PDF_CORRUPT' });
  });
});
