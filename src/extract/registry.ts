import type { Extractor } from './extractor.js';
import { EXECUTABLE_TYPES, LISTED_ARCHIVE_TYPES, OTHER_ARCHIVE_TYPES, REPORT_TYPES } from './artifacts/formats.js';

type Loader = () => Promise<Extractor>;

const text: Loader = async () => (await import('./extractors/text.js')).extractText;
const html: Loader = async () => (await import('./extractors/html.js')).extractHtml;
const email: Loader = async () => (await import('./extractors/email.js')).extractEmail;
const mbox: Loader = async () => (await import('./extractors/mbox.js')).extractMbox;
const pdf: Loader = async () => (await import('./extractors/pdf.js')).extractPdf;
const image: Loader = async () => (await import('./extractors/image.js')).extractImage;
const tiff: Loader = async () => (await import('./extractors/image.js')).extractTiff;
const office: Loader = async () => (await import('./extractors/office.js')).extractOffice;
const executable: Loader = async () => (await import('./artifacts/executable.js')).extractExecutable;
const archive: Loader = async () => (await import('./artifacts/archive.js')).extractArchive;
const report: Loader = async () => (await import('./artifacts/reports.js')).extractReport;

/** MIME type -> extractor, imported on first use so a text-only run never loads pdf.js or OCR. */
const LOADERS: Record<string, Loader> = {
  'text/plain': text,
  'text/markdown': text,
  'text/csv': text,
  'text/tab-separated-values': text,
  'application/json': text,
  'text/html': html,
  'message/rfc822': email,
  'application/mbox': mbox,
  'application/pdf': pdf,
  'image/png': image,
  'image/jpeg': image,
  'image/webp': image,
  'image/bmp': image,
  'image/gif': image,
  'image/tiff': tiff,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': office,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': office,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': office,
  'application/vnd.oasis.opendocument.text': office,
  'application/vnd.oasis.opendocument.spreadsheet': office,
  'application/vnd.oasis.opendocument.presentation': office,
  'application/rtf': office,
  'application/epub+zip': office,
  ...Object.fromEntries([...EXECUTABLE_TYPES].map((mime) => [mime, executable])),
  ...Object.fromEntries([...LISTED_ARCHIVE_TYPES, ...Object.keys(OTHER_ARCHIVE_TYPES)].map((mime) => [mime, archive])),
  ...Object.fromEntries([...REPORT_TYPES].map((mime) => [mime, report])),
};

export async function extractorFor(mime: string): Promise<Extractor | undefined> {
  const loader = LOADERS[mime];
  return loader ? loader() : undefined;
}

/** Whether a type can be extracted, without importing its extractor (that happens in the extraction process). */
export function hasExtractor(mime: string): boolean {
  return Object.hasOwn(LOADERS, mime);
}
