export function pixelBombPng(side?: number): Buffer;
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
