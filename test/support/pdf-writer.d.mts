export function makeTextPdf(pages: string[][], options?: { title?: string }): Buffer;
