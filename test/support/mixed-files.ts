import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './cli.js';
import { makeDocx } from './docx-writer.mjs';
import { makeTextPdf } from './pdf-writer.mjs';

/**
 * A folder of ordinary documents of every kind doccat reads, all distinct except `duplicates`
 * copies, with a few scans that need OCR (slow enough that a kill often lands inside one).
 */
export function writeMixedFiles(dir: string, count: number, options: { scans?: number; duplicates?: number } = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const scans = options.scans ?? 4;
  const duplicates = options.duplicates ?? 4;
  const letter = fs.readFileSync(path.join(FIXTURES, 'scans', 'letter.png'));
  const files: string[] = [];
  const write = (name: string, content: Buffer | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    files.push(file);
  };
  for (let index = 0; index < scans; index += 1) write(`scan-${index}.png`, Buffer.concat([letter, Buffer.from(`copy ${index}`)]));
  for (let index = 0; files.length < count - duplicates; index += 1) {
    const words = `Document ${index} about the ${['garden', 'invoice', 'contract', 'holiday', 'tax return'][index % 5]} ${'with some ordinary words in it '.repeat(5 + (index % 11))}`;
    switch (index % 7) {
      case 0:
        write(`report-${index}.pdf`, makeTextPdf([[`Report ${index}`, words], [`Second page of ${index}`]]));
        break;
      case 1:
        write(`letter-${index}.docx`, makeDocx([`Letter ${index}`, words]));
        break;
      case 2:
        write(`page-${index}.html`, `<!doctype html><html><head><title>Page ${index}</title></head><body><h1>Page ${index}</h1><p>${words}</p></body></html>`);
        break;
      case 3:
        write(`mail-${index}.eml`, `From: Sender ${index} <s${index}@example.com>\r\nTo: me@example.com\r\nSubject: Message ${index}\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\n${words}\r\n`);
        break;
      case 4:
        write(`table-${index}.csv`, `name,amount\nitem ${index},${index * 3}.50\n${words.replace(/ /g, ',')}\n`);
        break;
      default:
        write(`note-${index}.txt`, `Note ${index}\n${words}\n`);
    }
  }
  const originals = files.filter((file) => file.endsWith('.txt'));
  for (let index = 0; index < duplicates; index += 1) {
    const original = originals[index % originals.length] as string;
    write(`copy-${index}-${path.basename(original)}`, fs.readFileSync(original));
  }
  return files;
}

/** A small seeded generator, so that a failing run of kill points can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
