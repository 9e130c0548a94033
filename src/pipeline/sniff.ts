import fsp, { type FileHandle } from 'node:fs/promises';
import type { FileTypeResult } from 'file-type';
import path from 'node:path';
import { DoccatError } from '../errors.js';
import { detectBom, looksLikeText, decodeText } from '../extract/decode-text.js';
import { reportMime } from './sniff-reports.js';

export interface SniffResult {
  mime: string;
}

const SAMPLE_BYTES = 64 * 1024;

/** Text subtypes cannot be told apart by magic bytes; the extension only refines text. */
const TEXT_MIME_BY_EXTENSION: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.htm': 'text/html',
  '.html': 'text/html',
  '.xhtml': 'text/html',
  '.eml': 'message/rfc822',
};

/**
 * Detects what a file is from its bytes (file-type), falling back to text heuristics for formats
 * without magic numbers: HTML, e-mail, CSV, Markdown, plain text. `name` (the source's own name,
 * when filePath is a staged copy) refines text by its extension.
 */
export async function sniffFile(filePath: string, name: string = filePath): Promise<SniffResult> {
  const { fileTypeFromFile } = await import('file-type');
  const handle = await fsp.open(filePath, 'r');
  try {
    // fileTypeFromFile can seek: TIFF and some containers keep their signature past the sample.
    return await sniffSample(await readSample(handle), name, () => fileTypeFromFile(filePath));
  } finally {
    await handle.close();
  }
}

/** sniffFile for a file that is already open (a dry run reads the source through its descriptor). */
export async function sniffHandle(handle: FileHandle, name: string): Promise<SniffResult> {
  const { fileTypeFromStream } = await import('file-type');
  return sniffSample(await readSample(handle), name, async () => {
    const stream = handle.createReadStream({ start: 0, autoClose: false });
    try {
      return await fileTypeFromStream(stream);
    } finally {
      stream.destroy();
    }
  });
}

async function readSample(handle: FileHandle): Promise<Buffer> {
  const buffer = Buffer.alloc(SAMPLE_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
  return buffer.subarray(0, bytesRead);
}

async function sniffSample(sample: Buffer, name: string, detectFurther: () => Promise<FileTypeResult | undefined>): Promise<SniffResult> {
  const { fileTypeFromBuffer } = await import('file-type');
  // A UTF-16/32 byte-order mark can look like an MPEG frame header to magic-number sniffing.
  if (detectBom(sample) && looksLikeText(sample)) return { mime: sniffText(sample, name) };
  const detected = (await fileTypeFromBuffer(sample)) ?? (sample.length === SAMPLE_BYTES ? await detectFurther() : undefined);
  if (detected) {
    if (detected.mime === 'application/x-cfb') return { mime: classifyCompoundFile(sample) };
    if (detected.mime === 'application/xml' || detected.ext === 'xml') return { mime: sniffText(sample, name) };
    return { mime: detected.mime };
  }
  if (looksLikeText(sample)) return { mime: sniffText(sample, name) };
  return { mime: 'application/octet-stream' };
}

function sniffText(sample: Buffer, filePath: string): string {
  const text = decodeText(sample).slice(0, 8192);
  const report = reportMime(text);
  if (report) return report;
  const head = text.trimStart().slice(0, 1024).toLowerCase();
  if (looksLikeMbox(text, filePath)) return 'application/mbox';
  if (looksLikeEmail(text)) return 'message/rfc822';
  if (head.startsWith('<') && /<(!doctype html|html|head|body)[\s>]/.test(head)) return 'text/html';
  const byExtension = TEXT_MIME_BY_EXTENSION[path.extname(filePath).toLowerCase()];
  if (byExtension === 'message/rfc822') return looksLikeEmail(text) ? byExtension : 'text/plain';
  return byExtension ?? 'text/plain';
}

/**
 * An mbox: a "From " envelope line, then a message. A single message saved with its envelope
 * line (some clients do) is an mbox only by its name; otherwise a second envelope line after a
 * blank line must be in the sample.
 */
function looksLikeMbox(text: string, filePath: string): boolean {
  const envelope = /^From \S+.*\r?\n/.exec(text);
  if (!envelope || !looksLikeEmail(text.slice(envelope[0].length))) return false;
  return /\.(mbox|mbx)$/i.test(filePath) || /\r?\n\r?\nFrom \S+[^\n]*\r?\n[A-Za-z][A-Za-z0-9-]*:/.test(text);
}

/** An RFC 822 header block: several "Name: value" lines first, including one that e-mail always has. */
function looksLikeEmail(text: string): boolean {
  const headerBlock = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const lines = headerBlock.split(/\r?\n/).filter((line) => !/^[ \t]/.test(line));
  if (lines.length < 2) return false;
  const headers = lines.filter((line) => /^[A-Za-z][A-Za-z0-9-]*:/.test(line));
  const names = new Set(headers.map((line) => line.slice(0, line.indexOf(':')).toLowerCase()));
  const essential = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'received', 'return-path'].filter((name) => names.has(name));
  return headers.length / lines.length > 0.8 && essential.length >= 2;
}

/** OLE compound files: legacy Office, Outlook .msg, and encrypted OOXML all share this container. */
function classifyCompoundFile(sample: Buffer): string {
  const utf16 = (name: string) => Buffer.from(name, 'utf16le');
  if (sample.includes(utf16('EncryptedPackage'))) return 'application/x-ooxml-encrypted';
  if (sample.includes(utf16('__substg1.0_'))) return 'application/vnd.ms-outlook';
  if (sample.includes(utf16('WordDocument'))) return 'application/msword';
  if (sample.includes(utf16('Workbook')) || sample.includes(utf16('Book'))) return 'application/vnd.ms-excel';
  if (sample.includes(utf16('PowerPoint Document'))) return 'application/vnd.ms-powerpoint';
  return 'application/x-cfb';
}

export function unsupportedTypeError(mime: string): DoccatError {
  switch (mime) {
    case 'application/x-ooxml-encrypted':
      return new DoccatError('E_ENCRYPTED', 'the Office file is password-protected', { hint: 'open it in an office suite, remove the password and save a copy' });
    case 'application/msword':
    case 'application/vnd.ms-excel':
    case 'application/vnd.ms-powerpoint':
    case 'application/x-cfb':
      return new DoccatError('E_UNSUPPORTED_TYPE', `legacy binary Office format (${mime}) is not supported`, { hint: 'convert it: libreoffice --headless --convert-to docx (or xlsx/pptx/pdf) FILE' });
    case 'application/vnd.ms-outlook':
      return new DoccatError('E_UNSUPPORTED_TYPE', 'Outlook .msg files are not supported', { hint: 'save the message as .eml from the mail client' });
    case 'application/zip':
    case 'application/gzip':
    case 'application/x-tar':
    case 'application/x-7z-compressed':
    case 'application/x-rar-compressed':
      return new DoccatError('E_UNSUPPORTED_TYPE', `archives (${mime}) are not unpacked`, { hint: 'extract the archive into a folder and ingest that folder' });
    case 'application/octet-stream':
      return new DoccatError('E_UNSUPPORTED_TYPE', 'unknown binary format', { hint: 'doccat reads PDF, images, office files, e-mail, HTML and text; convert the file to one of those' });
    default:
      return new DoccatError('E_UNSUPPORTED_TYPE', `${mime} is not a document format doccat reads`, { hint: 'doccat reads PDF, images, office files, e-mail, HTML and text; use --exclude to skip such files' });
  }
}
