import { createHash } from 'node:crypto';
import type { PDFDocument } from 'pdf-lib';
import { SRGB_ICC_PROFILE_BASE64 } from './srgb-profile.js';
import type { loadPdfLib } from './text-layer.js';

type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

const PRODUCER = 'doccat';

/**
 * What PDF/A-2b (ISO 19005-2, level B: the pages look the same everywhere, for ever) asks of a
 * file beyond its pages: XMP metadata naming the part and level and agreeing with the document
 * information dictionary, an output intent with the ICC profile of its device colours (sRGB,
 * for the DeviceGray and DeviceRGB images used here), and a file identifier. The rest is in
 * what the pages hold: only embedded fonts (tesseract's glyphless font), no encryption,
 * transparency only as image soft masks, no LZW, no JavaScript.
 */
export function declarePdfA2b(lib: PdfLib, document: PDFDocument, fileId: string, title?: string): void {
  const context = document.context;
  // No dates: the same scan makes the same bytes, so the same content-addressed blob.
  const info = context.obj({
    Producer: lib.PDFString.of(PRODUCER),
    Creator: lib.PDFString.of(PRODUCER),
    ...(title ? { Title: lib.PDFHexString.fromText(title) } : {}),
  });
  context.trailerInfo.Info = context.register(info);

  const xmp = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<pdfaid:part>2</pdfaid:part>',
    '<pdfaid:conformance>B</pdfaid:conformance>',
    `<xmp:CreatorTool>${PRODUCER}</xmp:CreatorTool>`,
    `<pdf:Producer>${PRODUCER}</pdf:Producer>`,
    '<dc:format>application/pdf</dc:format>',
    ...(title ? [`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(title)}</rdf:li></rdf:Alt></dc:title>`] : []),
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    // Room for an editor to change the packet in place, as XMP recommends.
    ' '.repeat(2000),
    '<?xpacket end="w"?>',
  ].join('\n');
  // PDF/A: the metadata stream is not filtered, so that any tool can read it.
  const metadata = context.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  document.catalog.set(lib.PDFName.of('Metadata'), context.register(metadata));

  const profile = context.flateStream(Buffer.from(SRGB_ICC_PROFILE_BASE64, 'base64'), { N: 3 });
  const intent = context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: lib.PDFString.of('sRGB IEC61966-2.1'),
    RegistryName: lib.PDFString.of('http://www.color.org'),
    Info: lib.PDFString.of('sRGB IEC61966-2.1'),
    DestOutputProfile: context.register(profile),
  });
  document.catalog.set(lib.PDFName.of('OutputIntents'), context.obj([context.register(intent)]));
  setFileId(lib, document, fileId);
}

/** The trailer's /ID, which PDF/A requires: two equal halves when the file is first written. */
export function setFileId(lib: PdfLib, document: PDFDocument, id: string): void {
  document.context.trailerInfo.ID = document.context.obj([lib.PDFHexString.of(id), lib.PDFHexString.of(id)]);
}

/** A file identifier made from what the file holds (16 bytes, as hex). */
export function contentId(parts: Iterable<Uint8Array>): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
