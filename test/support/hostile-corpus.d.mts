export function writeZipBombDocx(file: string, inflatedMb?: number): Promise<void>;
export function manyPagePdf(pages?: number): Buffer;
export function imageBombPdf(side?: number): Buffer;
export function pixelBombPng(side?: number): Buffer;
export function pixelBombTiff(side?: number): Buffer;
export function nestedMime(depth?: number): string;
export function nestedHtml(depth?: number): string;
export function writeGiantText(file: string, megabytes?: number): Promise<void>;
export const ESCAPE_NAME: string;
export const ESCAPE_TEXT: string;
export interface HostileCorpus {
  dir: string;
  outside: string;
  secret: string;
  normal: string;
  escapeName: string;
}
export function makeHostileCorpus(dir: string, options: { normalFrom: string; outside?: string; docxInflatedMb?: number; pdfPages?: number; giantTextMb?: number }): Promise<HostileCorpus>;
