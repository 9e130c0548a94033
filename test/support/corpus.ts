import fs from 'node:fs';
import path from 'node:path';
import { CORPUS } from './cli.js';

export interface ManifestRow {
  path: string;
  kind: string;
  label: string;
  groundTruth: string;
  notes: string;
}

export const corpusAvailable = fs.existsSync(path.join(CORPUS, 'MANIFEST.tsv'));

export function readManifest(): ManifestRow[] {
  const lines = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file = '', kind = '', label = '', groundTruth = '', , , notes = ''] = line.split('\t');
    return { path: file, kind, label, groundTruth, notes };
  });
}

/** Lenient OCR scoring, as the corpus README asks: whitespace, quotes, dashes and bullets folded. */
export function normalizeForScoring(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[‘’‚‛′`´]/g, "'")
    .replace(/[“”„‟″«»]/g, '"')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[•·●◦▪■]/g, '*')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Levenshtein distance with two rows of memory. */
export function editDistance(a: string, b: string): number {
  if (a.length < b.length) [a, b] = [b, a];
  let previous = new Int32Array(b.length + 1).map((_, index) => index);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    const charA = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j += 1) {
      const cost = charA === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

export function characterErrorRate(ocr: string, truth: string): number {
  const reference = normalizeForScoring(truth);
  return reference.length === 0 ? 0 : editDistance(normalizeForScoring(ocr), reference) / reference.length;
}
