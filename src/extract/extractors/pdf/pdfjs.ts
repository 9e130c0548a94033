import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
export type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

export type OperatorList = Awaited<ReturnType<PdfPage['getOperatorList']>>;

const require = createRequire(import.meta.url);
let pdfjsModule: Promise<{ pdfjs: PdfJs; root: string }> | undefined;

/** pdf.js, loaded once, and the folder of its package (fonts, cmaps, wasm are read from there). */
export function loadPdfJs(): Promise<{ pdfjs: PdfJs; root: string }> {
  pdfjsModule ??= (async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
    // In Node pdf.js runs its "worker" in this thread; it still needs to know where the code is.
    pdfjs.GlobalWorkerOptions.workerSrc = pathToFileURL(path.join(root, 'legacy/build/pdf.worker.mjs')).href;
    return { pdfjs, root };
  })();
  return pdfjsModule;
}

/**
 * pdf.js leaves out an image over maxImageSize and only says so in a console warning; this counts
 * those warnings (and keeps pdf.js's other warnings off our stderr) while a PDF is read.
 */
export interface PdfWarnings {
  readonly imagesLeftOut: number;
  stop(): void;
}

export function watchPdfWarnings(): PdfWarnings {
  // biome-ignore lint/suspicious/noConsole: pdf.js reports through console.warn; its warnings are counted, others passed on.
  const original = console.warn;
  let imagesLeftOut = 0;
  console.warn = (...args: unknown[]) => {
    const message = typeof args[0] === 'string' ? args[0] : '';
    if (!message.startsWith('Warning: ')) return original.apply(console, args);
    if (message.includes('Image exceeded maximum allowed size')) imagesLeftOut += 1;
  };
  return {
    get imagesLeftOut() {
      return imagesLeftOut;
    },
    stop() {
      // biome-ignore lint/suspicious/noConsole: see above.
      if (console.warn !== original) console.warn = original;
    },
  };
}

/** The product of two pdf.js transforms [a b c d e f]: n applied first, then m. */
export function multiply(m: number[], n: number[]): number[] {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const [a2, b2, c2, d2, e2, f2] = n as [number, number, number, number, number, number];
  return [a2 * a + b2 * c, a2 * b + b2 * d, c2 * a + d2 * c, c2 * b + d2 * d, e2 * a + f2 * c + e, e2 * b + f2 * d + f];
}
