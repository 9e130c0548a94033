import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { ExtractInput, ExtractResult } from '../extractor.js';

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Why a document that was OCRed has no searchable PDF; the document itself is catalogued as usual. */
export const NO_SEARCHABLE_PDF = 'W_NO_SEARCHABLE_PDF';

/** A searchable PDF as built: `bytes`, after the whole of the file `after` when there is one (an incremental update). */
export interface SearchablePdfBytes {
  bytes: Uint8Array;
  after?: string;
  pdfa: boolean;
}

/**
 * Builds the searchable PDF and writes it, privately, where the caller asked. Best effort: the
 * text is what the catalogue is for, so a PDF that cannot be made (encrypted, unreadable to
 * pdf-lib, too large to assemble in memory) becomes a warning on the document, not a failure.
 */
export async function writeSearchablePdf(
  input: ExtractInput,
  result: ExtractResult,
  inputBytes: number,
  textPages: number,
  build: () => Promise<SearchablePdfBytes>,
): Promise<void> {
  const target = input.searchablePdfPath;
  if (target === undefined) return;
  const limit = input.options.searchablePdfMaxBytes;
  if (limit !== undefined && inputBytes > limit) {
    result.warnings.push({ code: NO_SEARCHABLE_PDF, message: `no searchable PDF: the ${formatMb(inputBytes)} to assemble are over the ${formatMb(limit)} allowed (a quarter of ingest.maxMemoryMb)` });
    return;
  }
  let built: SearchablePdfBytes;
  try {
    built = await build();
  } catch (error) {
    result.warnings.push({ code: NO_SEARCHABLE_PDF, message: `no searchable PDF: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  // The caller's staging folder is private; the name is new (a leftover is never written through).
  const handle = await fsp.open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    if (built.after !== undefined) await copyInto(handle, built.after);
    await handle.writeFile(built.bytes);
  } finally {
    await handle.close();
  }
  result.searchablePdf = { path: target, textPages, pdfa: built.pdfa };
}

/**
 * The file's bytes, a megabyte at a time, from the handle's position on (writeFile writes a whole
 * piece, however many writes that takes, and leaves the position after it).
 */
async function copyInto(handle: fsp.FileHandle, file: string): Promise<void> {
  const source = await fsp.open(file, 'r');
  try {
    const piece = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await source.read(piece, 0, piece.length, position);
      if (bytesRead === 0) return;
      await handle.writeFile(piece.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await source.close();
  }
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
