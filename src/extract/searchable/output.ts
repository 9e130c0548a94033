import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { ExtractInput, ExtractResult } from '../extractor.js';

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Why a document that was OCRed has no searchable PDF; the document itself is catalogued as usual. */
export const NO_SEARCHABLE_PDF = 'W_NO_SEARCHABLE_PDF';

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
  build: () => Promise<{ bytes: Uint8Array; pdfa: boolean }>,
): Promise<void> {
  const target = input.searchablePdfPath;
  if (target === undefined) return;
  const limit = input.options.searchablePdfMaxBytes;
  if (limit !== undefined && inputBytes > limit) {
    result.warnings.push({ code: NO_SEARCHABLE_PDF, message: `no searchable PDF: the ${formatMb(inputBytes)} to assemble are over the ${formatMb(limit)} allowed (a quarter of ingest.maxMemoryMb)` });
    return;
  }
  let built: { bytes: Uint8Array; pdfa: boolean };
  try {
    built = await build();
  } catch (error) {
    result.warnings.push({ code: NO_SEARCHABLE_PDF, message: `no searchable PDF: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  // The caller's staging folder is private; the name is new (a leftover is never written through).
  const handle = await fsp.open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(built.bytes);
  } finally {
    await handle.close();
  }
  result.searchablePdf = { path: target, textPages, pdfa: built.pdfa };
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
