export function makeTextPdf(pages: string[][], options?: { title?: string }): Buffer;
export function assemblePdf(objects: (string | { dictionary: string; stream: Buffer })[], rootId: number, infoId?: number): Buffer;
