import path from 'node:path';
import { DoccatError } from '../../../errors.js';
import type { ExtractInput } from '../../extractor.js';
import type { PdfDocument, PdfJs } from './pdfjs.js';

/**
 * Opens the PDF, trying no password, then each configured one in the forms encryption revisions
 * want. `load` reads the file: pdf.js transfers (detaches) the bytes it is given, so each attempt
 * reads its own copy, and nobody else holds one while the pages are read.
 */
export async function openDocument(pdfjs: PdfJs, load: () => Promise<Uint8Array>, root: string, input: ExtractInput): Promise<PdfDocument> {
  // Some encryption revisions (AES-256 R5) make pdf.js compare the password as UTF-8 bytes in a
  // binary string; try that form too for passwords with non-ASCII characters.
  // AES-256 R6 also runs the password through SASLprep, which pdf.js leaves to the caller.
  const candidates = new Set<string>();
  for (const password of input.options.pdfPasswords) {
    for (const form of [password, saslPrep(password)]) {
      candidates.add(form);
      candidates.add(Buffer.from(form, 'utf8').toString('latin1'));
    }
  }
  const passwords: (string | undefined)[] = [undefined, ...candidates];
  let lastPasswordError: unknown;
  for (const password of passwords) {
    const task = pdfjs.getDocument({
      data: await load(),
      ...(password === undefined ? {} : { password }),
      isEvalSupported: false,
      enableXfa: false,
      disableFontFace: true,
      useSystemFonts: false,
      // Warnings (1) carry the one notice of an image left out for its size; watchPdfWarnings keeps them.
      verbosity: 1,
      stopAtErrors: false,
      // Checked against the image's declared width x height before it is decoded.
      maxImageSize: input.options.maxImagePixels,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      standardFontDataUrl: path.join(root, 'standard_fonts') + path.sep,
      cMapUrl: path.join(root, 'cmaps') + path.sep,
      cMapPacked: true,
      wasmUrl: path.join(root, 'wasm') + path.sep,
      iccUrl: path.join(root, 'iccs') + path.sep,
    });
    try {
      return await task.promise;
    } catch (error) {
      await task.destroy().catch(() => undefined);
      const name = (error as { name?: string }).name;
      if (name === 'PasswordException') {
        lastPasswordError = error;
        continue;
      }
      if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException') {
        throw new DoccatError('E_PDF_CORRUPT', `not a readable PDF: ${(error as Error).message}`, {
          hint: 'the file is damaged or truncated; download or export it again; `qpdf --check FILE` tells more',
          cause: error,
        });
      }
      throw new DoccatError('E_PDF_CORRUPT', `cannot open the PDF: ${(error as Error).message}`, {
        hint: 'the file is damaged or truncated; download or export it again',
        cause: error,
      });
    }
  }
  const tried = input.options.pdfPasswords.length;
  throw new DoccatError('E_PDF_ENCRYPTED', tried > 0 ? `the PDF is encrypted and none of the ${tried} configured passwords opens it` : 'the PDF is encrypted and needs a password', {
    hint: 'add its password to pdf.passwords in the config (or DOCCAT_PDF_PASSWORDS), or save an unencrypted copy',
    cause: lastPasswordError,
  });
}

/** RFC 4013 SASLprep, the parts that matter for passwords: drop "mapped to nothing", space, NFKC. */
export function saslPrep(password: string): string {
  return password
    // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is dropped on its own, combining or not.
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .normalize('NFKC');
}
