// @ts-check
// Scanned pages with known text, for OCR tests: text pages rendered at a resolution by pdftoppm
// (poppler-utils, which CI installs), as gray rasters, PNG files or one image-only PDF.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { makeImagePdf, makeTextPdf } from './pdf-writer.mjs';

export function canRenderScans() {
  try {
    execFileSync('sh', ['-c', 'command -v pdftoppm'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Each page's lines rendered at `dpi` (A4, Helvetica 12 pt) as 8-bit gray rasters.
 * @param {string[][]} pages
 * @param {number} [dpi]
 * @returns {{ gray: Uint8Array, width: number, height: number, dpi: number }[]}
 */
export function renderPages(pages, dpi = 150) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-scans-'));
  try {
    const pdf = path.join(dir, 'text.pdf');
    fs.writeFileSync(pdf, makeTextPdf(pages));
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', pdf, path.join(dir, 'page')]);
    return fs
      .readdirSync(dir)
      .filter((name) => name.startsWith('page'))
      .sort()
      .map((name) => {
        const png = PNG.sync.read(fs.readFileSync(path.join(dir, name)));
        const gray = new Uint8Array(png.width * png.height);
        for (let index = 0; index < gray.length; index += 1) gray[index] = png.data[index * 4];
        return { gray, width: png.width, height: png.height, dpi };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An image-only PDF of the pages' lines, as a scanner would make it. */
export function writeScannedPdf(file, pages, dpi = 150) {
  fs.writeFileSync(file, makeImagePdf(renderPages(pages, dpi)));
}
