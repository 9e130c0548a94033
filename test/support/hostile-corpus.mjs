// @ts-check
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
import { pngFile } from './png-writer.mjs';
import { writeBigImagePdf, writeBombTiff, writeDeepHtml, writeDeepMime, writeGiantTextLine, writeManyPagesPdf, writeZipBombDocx } from './hostile-files.mjs';

const MB = 1024 * 1024;

/** PNG rows of one bit per pixel, all white, each after its filter byte: 30000² deflate to ~150 KB. */
function blankBilevelRows(side) {
  const row = Buffer.alloc(Math.ceil(side / 8) + 1, 0xff);
  row[0] = 0;
  return zlib.deflateSync(Buffer.concat(Array.from({ length: side }, () => row)), { level: 9 });
}

/** A PNG declaring `side`×`side` pixels (1-bit greyscale) with all its pixel data present. */
export function pixelBombPng(side = 30_000) {
  return pngFile({ width: side, height: side, bitDepth: 1, colorType: 0 }, blankBilevelRows(side));
}

/** A name and a text carrying an OSC 52 clipboard write, a screen clear and a C1 CSI. */
export const ESCAPE_NAME = 'invoice-\u001b]52;c;ZXZpbA==\u0007-\u001b[2J-\u009b31m.txt';
export const ESCAPE_TEXT = `\u001b]0;pwned\u0007Invoice 4711 \u001b[8mhidden\u001b[0m\nTotal 12.50 EUR\n${'An ordinary line of an ordinary invoice, to pay within thirty days.\n'.repeat(4)}`;

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

  await writeZipBombDocx(at('bomb.docx'), (options.docxInflatedMb ?? 400) * MB);
  writeManyPagesPdf(at('many-pages.pdf'), options.pdfPages ?? 100_000);
  fs.writeFileSync(at('bomb.png'), pixelBombPng());
  await writeBombTiff(at('bomb.tif'));
  await writeBigImagePdf(at('bomb-image.pdf'));
  writeDeepMime(at('nested.eml'));
  writeDeepHtml(at('nested.html'));
  if (options.giantTextMb !== 0) await writeGiantTextLine(at('giant.txt'), (options.giantTextMb ?? 450) * MB);
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
