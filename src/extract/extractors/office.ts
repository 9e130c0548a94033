import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';
import type { Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { normalizeWhitespace } from '../decode-text.js';
import { formatMegabytes, tooLarge } from '../limits.js';

/** Extension officeparser routes on; we pass a buffer plus this so detection by content stays ours. */
const EXTENSION_BY_MIME: Record<string, string> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/rtf': 'rtf',
  'application/epub+zip': 'epub',
};

/** Word, Excel, PowerPoint, OpenDocument, RTF and EPUB through officeparser (text only, no OCR). */
export const extractOffice: Extractor = async (input) => {
  const extension = EXTENSION_BY_MIME[input.mime];
  if (!extension) throw new DoccatError('E_UNSUPPORTED_TYPE', `no office extractor for ${input.mime}`);
  const bytes = await fsp.readFile(input.path);
  const { OfficeParser } = await import('officeparser');
  let text: string;
  try {
    const ast = await OfficeParser.parseOffice(bytes, {
      ocr: false,
      extractAttachments: false,
      outputErrorToConsole: false,
      // Counted on the bytes actually inflated, not the sizes the zip declares (a bomb lies).
      decompressionLimits: { maxUncompressedBytes: input.options.maxUnpackedBytes },
    } as Parameters<typeof OfficeParser.parseOffice>[1]);
    text = (await ast.to('text')).value as string;
  } catch (error) {
    if ((error as { officeIssue?: { code?: string } }).officeIssue?.code === 'ZIP_SIZE_LIMIT_EXCEEDED') {
      throw tooLarge(`the ${extension.toUpperCase()} file unpacks to more data than allowed`, formatMegabytes(input.options.maxUnpackedBytes), 'ingest.maxUnpackedMb');
    }
    throw new DoccatError('E_OFFICE_CORRUPT', `cannot read this ${extension.toUpperCase()} file: ${(error as Error).message}`, {
      hint: 'open and re-save it in an office suite, or convert it with `libreoffice --headless --convert-to pdf`',
      cause: error,
    });
  }
  return textResult(normalizeWhitespace(text));
};
