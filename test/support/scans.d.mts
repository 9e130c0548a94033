export function canRenderScans(): boolean;
export function renderPages(pages: string[][], dpi?: number): { gray: Uint8Array; width: number; height: number; dpi: number }[];
export function writeScannedPdf(file: string, pages: string[][], dpi?: number): void;
