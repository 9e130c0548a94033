// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTextPdf } from '../test/support/pdf-writer.mjs';
import { root, line, timeProcess } from './common.js';

/**
 * Ingest against the least any cataloguer must do for the same files, each side a whole process:
 * new files against reading and hashing every file; the unchanged second pass against a stat of
 * every file, which is all doccat does for a file whose path, size and mtime it already knows.
 */
export async function benchIngest() {
  const count = 300;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-'));
  const inputs = path.join(dir, 'pdfs');
  fs.mkdirSync(inputs);
  for (let index = 0; index < count; index += 1) {
    const lines = Array.from({ length: 40 }, (_, row) => `Invoice ${index} line ${row}: printer paper, toner and delivery, total due ${(index * 3.7 + row).toFixed(2)} EUR`);
    fs.writeFileSync(path.join(inputs, `doc-${String(index).padStart(4, '0')}.pdf`), makeTextPdf([lines, lines.slice(0, 20)]));
  }
  console.log(`\nIngest: ${count} born-digital PDFs (2 pages each), every figure a whole Node process from start to exit`);
  const env = { ...process.env, DOCCAT_HOME: path.join(dir, 'catalogue'), DOCCAT_FEATURES_AI: 'false' };
  const doccat = async (args) => (await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), ...args], { env })).seconds;
  const baseline = async (body) => (await timeProcess(process.execPath, ['--input-type=module', '-e', `import fs from 'node:fs'; import path from 'node:path'; import { createHash } from 'node:crypto'; const dir = ${JSON.stringify(inputs)}; for (const name of fs.readdirSync(dir)) { ${body} }`])).seconds;
  const hashSeconds = await baseline("createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');");
  const statSeconds = await baseline('fs.statSync(path.join(dir, name));');
  const first = await doccat(['ingest', inputs, '--json', '--quiet']);
  const again = await doccat(['ingest', inputs, '--json', '--quiet']);
  const rate = (seconds) => `${(count / seconds).toFixed(1)} docs/s (${seconds.toFixed(2)} s)`;
  line('doccat ingest, new files', `${rate(first)}: read, sniff, hash, extract, classify, store, commit`);
  line('baseline: read and sha256 every file', rate(hashSeconds));
  line('ratio new / hash baseline', `${(hashSeconds / first).toFixed(3)}x`);
  line('doccat ingest, same folder again', `${rate(again)}: open the catalogue, stat every file, look its path up`);
  line('baseline: stat every file', rate(statSeconds));
  line('ratio again / stat baseline', `${(statSeconds / again).toFixed(3)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}
