// @ts-check
// Writes small, valid, born-digital PDFs (Helvetica text, one or more pages) without any
// dependency, so fixtures and tests can make PDFs with known text on any machine.
import zlib from 'node:zlib';

function escapePdfString(text) {
  return text.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');
}

/**
 * @param {string[][]} pages lines of text for each page
 * @param {{ title?: string }} [options]
 * @returns {Buffer}
 */
export function makeTextPdf(pages, options = {}) {
  const objects = [];
  const add = (body) => {
    objects.push(body);
    return objects.length;
  };
  const catalogId = add(null);
  const pagesId = add(null);
  const fontId = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const pageIds = [];
  for (const lines of pages) {
    const content = ['BT', '/F1 12 Tf', '14 TL', '72 770 Td', ...lines.map((line) => `(${escapePdfString(line)}) '`), 'ET'].join('\n');
    const contentId = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    pageIds.push(add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${fontId} 0 R >> >> /Contents ${contentId} 0 R >>`));
  }
  objects[catalogId - 1] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId - 1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const infoId = options.title ? add(`<< /Title (${escapePdfString(options.title)}) /Producer (doccat fixtures) >>`) : undefined;
  return assemblePdf(objects, catalogId, infoId);
}

/**
 * Numbers the objects 1..n in order and writes the file with its cross-reference table. An object
 * is the text (or bytes) between `obj` and `endobj`, or `{ dictionary, stream }` for stream data.
 * @param {(string | Buffer | { dictionary: string, stream: Buffer })[]} objects
 * @param {number} rootId
 * @param {number} [infoId]
 * @returns {Buffer}
 */
export function assemblePdf(objects, rootId, infoId) {
  const parts = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const push = (buffer) => {
    parts.push(buffer);
    length += buffer.length;
  };
  const offsets = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      push(Buffer.from(`${index + 1} 0 obj\n`, 'latin1'));
      push(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
      push(Buffer.from('\nendobj\n', 'latin1'));
    } else {
      push(Buffer.from(`${index + 1} 0 obj\n${body.dictionary}\nstream\n`, 'latin1'));
      push(body.stream);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    }
  });
  const xrefOffset = length;
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`)].join('');
  push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${rootId} 0 R${infoId ? ` /Info ${infoId} 0 R` : ''} >>\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * A scanned-looking PDF: each page one 8-bit gray image (FlateDecode) filling a page of the
 * image's size at its resolution, and nothing else, as a scanner writes it.
 * @param {{ gray: Uint8Array, width: number, height: number, dpi: number }[]} pages
 * @returns {Buffer}
 */
export function makeImagePdf(pages) {
  const objects = [];
  const add = (body) => {
    objects.push(body);
    return objects.length;
  };
  const catalogId = add(null);
  const pagesId = add(null);
  const kids = [];
  for (const page of pages) {
    const widthPt = ((page.width / page.dpi) * 72).toFixed(3);
    const heightPt = ((page.height / page.dpi) * 72).toFixed(3);
    const stream = zlib.deflateSync(Buffer.from(page.gray.buffer, page.gray.byteOffset, page.gray.byteLength));
    const imageId = add({ dictionary: `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${stream.length} >>`, stream });
    const content = `q ${widthPt} 0 0 ${heightPt} 0 0 cm /Im0 Do Q`;
    const contentId = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${widthPt} ${heightPt}] /Resources << /XObject << /Im0 ${imageId} 0 R >> >> /Contents ${contentId} 0 R >>`));
  }
  objects[catalogId - 1] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId - 1] = `<< /Type /Pages /Kids [${kids.map((id) => `${id} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  return assemblePdf(objects, catalogId);
}
