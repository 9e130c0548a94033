// @ts-check
/**
 * Hostile inputs, generated at test time (small on disk, enormous once decoded): each is the
 * shape of a problem found in issue 14. Reused by the reliability suite.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { assemblePdf } from './pdf-writer.mjs';

/** zlib (deflate) of `total` bytes all equal to `byte`, without holding the input in memory. */
function deflateRepeated(byte, total) {
  const chunk = Buffer.alloc(1 << 20, byte);
  const deflate = zlib.createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (part) => parts.push(part));
  for (let written = 0; written < total; written += chunk.length) deflate.write(written + chunk.length <= total ? chunk : chunk.subarray(0, total - written));
  deflate.end();
  return once(deflate, 'end').then(() => Buffer.concat(parts));
}

/** Raw deflate of `head`, then `run` repeated until `total` bytes, then `tail`; with its CRC-32. */
async function deflateRawRepeated(head, run, total, tail) {
  const deflate = zlib.createDeflateRaw({ level: 1 });
  const parts = [];
  deflate.on('data', (part) => parts.push(part));
  let crc = zlib.crc32(head);
  let size = head.length;
  deflate.write(head);
  while (size < total) {
    const part = size + run.length <= total ? run : run.subarray(0, total - size);
    crc = zlib.crc32(part, crc);
    size += part.length;
    if (!deflate.write(part)) await once(deflate, 'drain');
  }
  crc = zlib.crc32(tail, crc);
  size += tail.length;
  deflate.end(tail);
  await once(deflate, 'end');
  return { data: Buffer.concat(parts), crc, size };
}

/** A zip archive of { name, data (raw deflate or stored), crc, size, method } entries. */
function buildZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function storedEntry(name, text) {
  const data = Buffer.from(text, 'utf8');
  return { name, data, crc: zlib.crc32(data), size: data.length, method: 0 };
}

/**
 * A DOCX whose word/document.xml inflates to `inflatedBytes` (400 MB: a file of about 2 MB). The sizes
 * in its headers are true, so only a limit on what is inflated stops it, not a look at them.
 */
export async function writeZipBombDocx(file, inflatedBytes = 400 * 1024 * 1024) {
  const head = Buffer.from('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>', 'utf8');
  const tail = Buffer.from('</w:t></w:r></w:p></w:body></w:document>', 'utf8');
  const document = await deflateRawRepeated(head, Buffer.from('bomb '.repeat(200_000), 'utf8'), inflatedBytes - tail.length, tail);
  fs.writeFileSync(
    file,
    buildZip([
      storedEntry('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
      storedEntry('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
      { name: 'word/document.xml', ...document, method: 8 },
    ]),
  );
  return file;
}

function stream(dictionary, data) {
  return Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

/** A small PDF whose page tree lists one page object `pages` times. */
export function writeManyPagesPdf(file, pages = 100_000) {
  const content = Buffer.from('BT /F1 18 Tf 72 720 Td (The same page, over and over again.) Tj ET', 'latin1');
  const kids = Array.from({ length: pages }, () => '3 0 R').join(' ');
  fs.writeFileSync(
    file,
    assemblePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`,
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
      stream('', content),
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ], 1),
  );
  return file;
}

/** A one-page PDF whose only content is a side x side 8-bit gray image (Flate, all white). */
export async function writeBigImagePdf(file, side = 12_600) {
  const pixels = await deflateRepeated(255, side * side);
  const content = Buffer.from(`q 612 0 0 612 0 90 cm /Im1 Do Q`, 'latin1');
  fs.writeFileSync(
    file,
    assemblePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>',
      stream('', content),
      stream(`/Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`, pixels),
    ], 1),
  );
  return file;
}

/** A bilevel, deflate-compressed TIFF of side x side pixels (30000: 109 KB on disk, 112 MB of bits). */
export async function writeBombTiff(file, side = 30_000) {
  const rowBytes = Math.ceil(side / 8);
  const data = await deflateRepeated(0, rowBytes * side);
  const entries = [
    [256, 4, 1, side], // ImageWidth (LONG)
    [257, 4, 1, side], // ImageLength
    [258, 3, 1, 1], // BitsPerSample
    [259, 3, 1, 8], // Compression: Adobe deflate
    [262, 3, 1, 0], // Photometric: WhiteIsZero
    [273, 4, 1, 0], // StripOffsets (filled in below)
    [277, 3, 1, 1], // SamplesPerPixel
    [278, 4, 1, side], // RowsPerStrip
    [279, 4, 1, data.length], // StripByteCounts
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  const header = Buffer.alloc(dataOffset);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(ifdOffset, 4);
  header.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, count, value], index) => {
    const at = ifdOffset + 2 + index * 12;
    header.writeUInt16LE(tag, at);
    header.writeUInt16LE(type, at + 2);
    header.writeUInt32LE(count, at + 4);
    if (type === 3) header.writeUInt16LE(value, at + 8);
    else header.writeUInt32LE(tag === 273 ? dataOffset : value, at + 8);
  });
  header.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12);
  fs.writeFileSync(file, Buffer.concat([header, data]));
  return file;
}

/** One line of text, `bytes` long, written as a stream. */
export async function writeGiantTextLine(file, bytes = 220 * 1024 * 1024) {
  const out = fs.createWriteStream(file);
  const chunk = Buffer.from('lorem ipsum dolor sit amet '.repeat(40_000), 'latin1');
  for (let written = 0; written < bytes; written += chunk.length) {
    const part = written + chunk.length <= bytes ? chunk : chunk.subarray(0, bytes - written);
    if (!out.write(part)) await once(out, 'drain');
  }
  out.end('\n');
  await once(out, 'close');
  return file;
}

/** An e-mail whose MIME parts nest `depth` levels deep. */
export function writeDeepMime(file, depth = 5000) {
  const parts = ['From: someone@example.com\r\nTo: you@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n'];
  for (let level = 0; level < depth; level += 1) parts.push(`Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n`);
  parts.push('Content-Type: text/plain\r\n\r\nhello from the bottom\r\n');
  for (let level = depth - 1; level >= 0; level -= 1) parts.push(`--b${level}--\r\n`);
  fs.writeFileSync(file, parts.join(''));
  return file;
}

/** An HTML page with `depth` nested divs. */
export function writeDeepHtml(file, depth = 100_000) {
  fs.writeFileSync(file, `<!doctype html><html><head><title>deep</title></head><body>${'<div>'.repeat(depth)}hello${'</div>'.repeat(depth)}</body></html>`);
  return file;
}
