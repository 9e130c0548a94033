export function makeTextPdf(pages: string[][], options?: { title?: string }): Buffer;
export function assemblePdf(objects: (string | Buffer | { dictionary: string; stream: Buffer })[], rootId: number, infoId?: number): Buffer;
export function makeImagePdf(pages: { gray: Uint8Array; width: number; height: number; dpi: number }[]): Buffer;
