// Generates, at test time, the files an attacker or an unlucky user drops into a folder doccat
// watches: decompression bombs, page-count and pixel bombs, pipes, escape sequences in names and
// text, symlink traps, pathological nesting and a giant text file. Nothing here is stored in the
// repository: the bombs are small to write but would be large to keep, and generating them keeps
// their recipe readable. Also runnable: `node test/support/hostile-corpus.mjs DIR` for measuring.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { assemblePdf } from './pdf-writer.mjs';

const MB = 1024 * 1024;

/**
 * A DOCX whose word/document.xml inflates to `inflatedMb` of repeated paragraphs. The zip is
 * written by hand around Node's native deflate: fflate's JavaScript deflate took 9 s for 400 MB.
 */
export async function writeZipBombDocx(file, inflatedMb = 400) {
  const paragraph = `<w:p><w:r><w:t>${'bomb '.repeat(200)}</w:t></w:r></w:p>`;
  const block = Buffer.from(paragraph.repeat(Math.ceil(MB / paragraph.length)));
  const pieces = [
    Buffer.from('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'),
    ...Array.from({ length: Math.ceil((inflatedMb * MB) / block.length) }, () => block),
    Buffer.from('</w:body></w:document>'),
  ];
  let crc = 0;
  let size = 0;
  const deflate = zlib.createDeflateRaw({ level: 6 });
  const compressed = [];
  deflate.on('data', (chunk) => compressed.push(chunk));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  for (const piece of pieces) {
    crc = zlib.crc32(piece, crc);
    size += piece.length;
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const entries = [
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>') },
    { name: '_rels/.rels', data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>') },
  ].map(({ name, data }) => ({ name, method: 0, crc: zlib.crc32(data), size: data.length, body: [data] }));
  entries.push({ name: 'word/document.xml', method: 8, crc, size, body: compressed });
  fs.writeFileSync(file, zipArchive(entries));
}

/** A zip file (no zip64: every entry under 4 GB) from entries whose bodies are already encoded. */
function zipArchive(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const stored = entry.body.reduce((sum, chunk) => sum + chunk.length, 0);
    const fields = (header) => {
      header.writeUInt16LE(20, 4 + (header.length === 46 ? 2 : 0));
      const at = header.length === 46 ? 8 : 6;
      header.writeUInt16LE(0, at); // flags
      header.writeUInt16LE(entry.method, at + 2);
      header.writeUInt32LE(0x00210000, at + 4); // 1980-01-01 00:00, so the file is reproducible
      header.writeUInt32LE(entry.crc >>> 0, at + 8);
      header.writeUInt32LE(stored, at + 12);
      header.writeUInt32LE(entry.size, at + 16);
      header.writeUInt16LE(name.length, at + 20);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    fields(record);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    parts.push(local, name, ...entry.body);
    offset += local.length + name.length + stored;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** A valid PDF whose page tree holds `pages` blank pages (100 branches of pages/100 leaves). */
export function manyPagePdf(pages = 100_000) {
  const branches = 100;
  const perBranch = Math.ceil(pages / branches);
  const objects = [null, null];
  const branchIds = [];
  for (let branch = 0; branch < branches; branch += 1) {
    const branchId = objects.push(null);
    branchIds.push(branchId);
    const leafIds = [];
    for (let leaf = 0; leaf < perBranch && branch * perBranch + leaf < pages; leaf += 1) leafIds.push(objects.push(`<< /Type /Page /Parent ${branchId} 0 R >>`));
    objects[branchId - 1] = `<< /Type /Pages /Parent 2 0 R /Kids [${leafIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${leafIds.length} >>`;
  }
  objects[0] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[1] = `<< /Type /Pages /Kids [${branchIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} /MediaBox [0 0 595 842] >>`;
  return assemblePdf(objects, 1);
}

/** A one-page PDF showing a single `side`×`side` 8-bit grey image of blank pixels (~155 KB). */
export function imageBombPdf(side = 12_600) {
  const pixels = zlib.deflateSync(Buffer.alloc(side * side, 0xff), { level: 9 });
  const content = 'q 595 0 0 842 0 0 cm /Im0 Do Q';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>',
    { dictionary: `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>`, stream: pixels },
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  return assemblePdf(objects, 1);
}

/** One bit per pixel, all white: 30000² pixels deflate to about 110 KB. */
function blankBilevelRows(side, filterByte) {
  const rowBytes = Math.ceil(side / 8);
  const row = Buffer.alloc(rowBytes + (filterByte ? 1 : 0), 0xff);
  if (filterByte) row[0] = 0;
  return zlib.deflateSync(Buffer.concat(Array.from({ length: side }, () => row)), { level: 9 });
}

/** A PNG declaring `side`×`side` pixels (1-bit greyscale) with all its pixel data present. */
export function pixelBombPng(side = 30_000) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', blankBilevelRows(side, true)), chunk('IEND', Buffer.alloc(0))]);
}

/** A baseline TIFF, one deflate strip, 1 bit per pixel, `side`×`side` (~109 KB for 30000). */
export function pixelBombTiff(side = 30_000) {
  const strip = blankBilevelRows(side, false);
  const entries = [
    [256, 4, side], // ImageWidth (LONG)
    [257, 4, side], // ImageLength
    [258, 3, 1], // BitsPerSample (SHORT)
    [259, 3, 8], // Compression: Adobe deflate
    [262, 3, 0], // Photometric: WhiteIsZero
    [273, 4, 0], // StripOffsets, filled in below
    [277, 3, 1], // SamplesPerPixel
    [278, 4, side], // RowsPerStrip
    [279, 4, strip.length], // StripByteCounts
  ];
  const ifdOffset = 8;
  const dataOffset = ifdOffset + 2 + entries.length * 12 + 4;
  entries[5][2] = dataOffset;
  const head = Buffer.alloc(dataOffset);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifdOffset, 4);
  head.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, value], index) => {
    const at = ifdOffset + 2 + index * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(1, at + 4);
    if (type === 3) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(value, at + 8);
  });
  return Buffer.concat([head, strip]);
}

/** An e-mail whose multipart bodies nest `depth` deep. */
export function nestedMime(depth = 5_000) {
  const lines = ['From: Mallory <mallory@example.com>', 'To: victim@example.com', 'Subject: nested parts', 'Date: Mon, 2 Jan 2023 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b0"', ''];
  for (let level = 0; level < depth; level += 1) lines.push(`--b${level}`, level + 1 < depth ? `Content-Type: multipart/mixed; boundary="b${level + 1}"` : 'Content-Type: text/plain', '');
  lines.push('the innermost part');
  for (let level = depth - 1; level >= 0; level -= 1) lines.push(`--b${level}--`);
  return lines.join('\r\n');
}

/** HTML with `depth` nested div elements around one sentence. */
export function nestedHtml(depth = 100_000) {
  return `<!doctype html><html><head><title>deep</title></head><body>${'<div>'.repeat(depth)}the innermost text${'</div>'.repeat(depth)}</body></html>`;
}

/** A text file of one line, `megabytes` long, written in pieces. */
export async function writeGiantText(file, megabytes = 450) {
  const out = fs.createWriteStream(file);
  const piece = Buffer.from('giant single line of text without any newline '.repeat(Math.ceil(MB / 47)).slice(0, MB));
  for (let index = 0; index < megabytes; index += 1) {
    if (!out.write(piece)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

/** A name and a text carrying an OSC 52 clipboard write, a screen clear and a C1 CSI. */
export const ESCAPE_NAME = 'invoice-\u001b]52;c;ZXZpbA==\u0007-\u001b[2J-\u009b31m.txt';
export const ESCAPE_TEXT = '\u001b]0;pwned\u0007Invoice 4711 \u001b[8mhidden\u001b[0m\nTotal 12.50 EUR\n';

/**
 * Writes the hostile corpus into `dir` and returns what is where. `outside` is a folder beside
 * it holding a file that must never be read through the links planted inside. Normal documents
 * go last in walk order (zz-normal/) so that they are processed after every hostile file.
 */
export async function makeHostileCorpus(dir, options = {}) {
  const outside = options.outside ?? `${dir}-outside`;
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  const secret = `outside-secret-${process.pid}-${Date.now()}`;
  fs.writeFileSync(path.join(outside, 'secret.txt'), `${secret}\n`);
  const at = (name) => path.join(dir, name);

  await writeZipBombDocx(at('bomb.docx'), options.docxInflatedMb ?? 400);
  fs.writeFileSync(at('many-pages.pdf'), manyPagePdf(options.pdfPages ?? 100_000));
  fs.writeFileSync(at('bomb.png'), pixelBombPng());
  fs.writeFileSync(at('bomb.tif'), pixelBombTiff());
  fs.writeFileSync(at('bomb-image.pdf'), imageBombPdf());
  fs.writeFileSync(at('nested.eml'), nestedMime());
  fs.writeFileSync(at('nested.html'), nestedHtml());
  if (options.giantTextMb !== 0) await writeGiantText(at('giant.txt'), options.giantTextMb ?? 450);
  execFileSync('mkfifo', [at('pipe.pdf')]);
  fs.writeFileSync(at(ESCAPE_NAME), ESCAPE_TEXT);
  fs.symlinkSync(path.join(outside, 'secret.txt'), at('outside-link.txt'));
  fs.symlinkSync(outside, at('outside-folder'));
  fs.symlinkSync('loop', at('loop'));
  // 20 levels, each holding two links to the next: 2^20 paths if links were walked naively.
  const fan = at('fan');
  for (let level = 0; level < 20; level += 1) fs.mkdirSync(path.join(fan, `level-${level}`), { recursive: true });
  fs.writeFileSync(path.join(fan, 'level-19', 'leaf.txt'), 'the leaf at the bottom of the fan\n');
  for (let level = 0; level < 19; level += 1) {
    for (const name of ['a', 'b']) fs.symlinkSync(path.join('..', `level-${level + 1}`), path.join(fan, `level-${level}`, name));
  }
  const normal = at('zz-normal');
  fs.cpSync(options.normalFrom, normal, { recursive: true });
  return { dir, outside, secret, normal, escapeName: ESCAPE_NAME };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = path.resolve(process.argv[2] ?? 'hostile-corpus');
  const normalFrom = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/documents');
  const made = await makeHostileCorpus(target, { normalFrom });
  process.stdout.write(`${JSON.stringify(made)}\n`);
}
