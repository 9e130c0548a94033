import path from 'node:path';
import { DoccatError } from '../../../errors.js';
import type { ExtractInput } from '../../extractor.js';
import type { PdfDocument, PdfJs } from './pdfjs.js';

/** The PDF file as pdf.js reads it: its length, and any range of its bytes when asked. */
export interface PdfSource {
  length: number;
  read(begin: number, end: number): Promise<Uint8Array>;
}

/**
 * An open PDF that can be opened again: pdf.js keeps every byte it has read for as long as the
 * document is open, so a long scan is reopened when it holds many (see extractPages) to let the
 * bytes of the pages done go.
 */
export interface OpenedPdf {
  readonly document: PdfDocument;
  /** Bytes pdf.js has read into this document since it was opened (it keeps them all). */
  readonly bytesHeld: number;
  reopen(): Promise<void>;
  destroy(): Promise<void>;
}

/** The size of the ranges pdf.js asks for (its own default). */
const RANGE_CHUNK = 65_536;

/**
 * Opens the PDF, trying no password, then each configured one in the forms encryption revisions
 * want. pdf.js reads it range by range as pages need them (its range transport, fed from the
 * file) instead of being handed the whole file: a 108 MB scan is not all in memory to read its
 * first page, and what it holds is what the pages read since the document was opened.
 */
export async function openDocument(pdfjs: PdfJs, source: PdfSource, root: string, input: ExtractInput): Promise<OpenedPdf> {
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
  let bytesHeld = 0;
  const open = (password: string | undefined) => {
    bytesHeld = 0;
    const transport = new pdfjs.PDFDataRangeTransport(source.length, null);
    const task = pdfjs.getDocument({
      range: transport,
      length: source.length,
      rangeChunkSize: RANGE_CHUNK,
      // Only the ranges the pages read: no reading ahead, no streaming the whole file behind.
      disableAutoFetch: true,
      disableStream: true,
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
    // pdf.js has no way to hear that a range could not be read: opening fails with the read's
    // error, and an open document is destroyed, which fails what waits on it.
    let failOpening: (error: unknown) => void = () => undefined;
    const unreadable = new Promise<never>((_, reject) => {
      failOpening = reject;
    });
    unreadable.catch(() => undefined);
    transport.requestDataRange = (begin: number, end: number) => {
      source.read(begin, end).then(
        (bytes) => {
          bytesHeld += bytes.length;
          transport.onDataRange(begin, bytes);
        },
        (error: unknown) => {
          failOpening(error);
          void task.destroy().catch(() => undefined);
        },
      );
    };
    return { task, document: Promise.race([task.promise, unreadable]) };
  };
  let lastPasswordError: unknown;
  for (const password of passwords) {
    const { task, document: opening } = open(password);
    let document: PdfDocument;
    try {
      document = await opening;
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
    return {
      get document() {
        return document;
      },
      get bytesHeld() {
        return bytesHeld;
      },
      reopen: async () => {
        await document.destroy().catch(() => undefined);
        document = await open(password).document;
      },
      destroy: () => document.destroy().catch(() => undefined),
    };
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
