import fsp from 'node:fs/promises';
import type { ExtractResult, Extractor } from '../extractor.js';
import { checkPageCount } from '../limits.js';
import type { PageTextLayer } from '../searchable/graft.js';
import { writeSearchablePdf } from '../searchable/output.js';
import { openDocument } from './pdf/open.js';
import { extractPages } from './pdf/pages.js';
import { loadPdfJs, watchPdfWarnings } from './pdf/pdfjs.js';

// The parts, each in pdf/: pdfjs.ts (loading pdf.js, its warnings), open.ts (passwords, damage),
// pages.ts (page by page: text layer or OCR), text-layer.ts, page-raster.ts (scan or render).

/**
 * PDF: the text layer where it is real, OCR of the rendered page where it is missing or garbage
 * (scans, text drawn as curves, fonts without a Unicode map). Pages are handled one at a time
 * and released, so memory stays bounded on long documents.
 */
export const extractPdf: Extractor = async (input) => {
  const { pdfjs, root } = await loadPdfJs();
  // Read when needed rather than held: pdf.js keeps its own copy while the pages are read, and a
  // second one here would double what a long scan costs (a 108 MB, 200-page scan held twice).
  // The file is doccat's private staged copy: it is the same bytes each time.
  const load = async () => new Uint8Array(await fsp.readFile(input.path));
  const warnings = watchPdfWarnings();
  let extracted: { result: ExtractResult; layers: PageTextLayer[]; numberOfPages: number };
  try {
    const document = await openDocument(pdfjs, load, root, input);
    try {
      // The page count is in the page tree's root: refuse a 100,000-page file before reading any page.
      checkPageCount(document.numPages, input.options.maxPages, 'the PDF');
      extracted = await extractPages(pdfjs, document, input, warnings);
    } finally {
      await document.destroy().catch(() => undefined);
    }
  } finally {
    warnings.stop();
  }
  const { result, layers, numberOfPages } = extracted;
  if (input.searchablePdfPath !== undefined && layers.length > 0 && !input.signal.aborted) {
    const { graftTextLayers } = await import('../searchable/graft.js');
    await writeSearchablePdf(input, result, input.size, layers.length, async () => {
      const grafted = await graftTextLayers(load, numberOfPages, layers, input.onProgress);
      return { bytes: grafted.bytes, ...(grafted.appended ? { after: input.path } : {}), pdfa: false };
    });
  }
  return result;
};
