export function writeZipBombDocx(file: string, inflatedBytes?: number): Promise<string>;
export function writeManyPagesPdf(file: string, pages?: number): string;
export function writeBigImagePdf(file: string, side?: number): Promise<string>;
export function writeBombTiff(file: string, side?: number): Promise<string>;
export function writeGiantTextLine(file: string, bytes?: number): Promise<string>;
export function writeDeepMime(file: string, depth?: number): string;
export function writeDeepHtml(file: string, depth?: number): string;
