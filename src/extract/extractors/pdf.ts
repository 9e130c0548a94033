import fsp from 'node:fs/promises';
import type { ExtractResult, Extractor } from '../extractor.js';
import { checkPageCount } from '../limits.js';
import type { PageTextLayer } from '../searchable/graft.js';
import { writeSearchablePdf } from '../searchable/output.js';
import { openDocument, type PdfSource } from './pdf/open.js';
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
  // pdf.js reads the pages' ranges from the file; the graft reads it whole when it needs it. The
  // file is doccat's private staged copy: it is the same bytes each time.
  const load = () => fsp.readFile(input.path);
  const warnings = watchPdfWarnings();
  let extracted: { result: ExtractResult; layers: PageTextLayer[]; numberOfPages: number };
  const file = await fsp.open(input.path, 'r');
  try {
    const source: PdfSource = {
      length: (await file.stat()).size,
      read: async (begin, end) => {
        const bytes = new Uint8Array(end - begin);
        let done = 0;
        while (done < bytes.length) {
          const { bytesRead } = await file.read(bytes, done, bytes.length - done, begin + done);
          if (bytesRead === 0) throw new Error(`the file ended at ${begin + done} bytes`);
          done += bytesRead;
        }
        return bytes;
      },
    };
    const opened = await openDocument(pdfjs, source, root, input);
    try {
      // The page count is in the page tree's root: refuse a 100,000-page file before reading any page.
      checkPageCount(opened.document.numPages, input.options.maxPages, 'the PDF');
      extracted = await extractPages(pdfjs, opened, input, warnings);
    } finally {
      await opened.destroy();
    }
  } finally {
    warnings.stop();
    await file.close();
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
