import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { FIXTURES, REPO_ROOT, parseIngestJson, runDoccat, tempDir, type IngestJson } from '../support/cli.js';
import { makeTextPdf } from '../support/pdf-writer.mjs';
import { blobKeysOnDisk, expectConsistentCatalogue, openCatalogDb, referencedBlobKeys } from '../support/catalogue-invariants.js';

const LETTER_PNG = path.join(FIXTURES, 'scans', 'letter.png');

function writeFile(directory: string, name: string, content: Buffer | string): string {
  const filePath = path.join(directory, name);
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, content);
  return filePath;
}

/** Copies of a scan that differ in content (bytes after IEND), so none is a duplicate of another. */
function distinctScans(directory: string, count: number): string[] {
  const png = fs.readFileSync(LETTER_PNG);
  return Array.from({ length: count }, (_, index) => writeFile(directory, `scan-${String(index).padStart(2, '0')}.png`, Buffer.concat([png, Buffer.from(`copy ${index}`)])));
}

function failureLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => / E_[A-Z_]+ /.test(line));
}

describe('bad input never crashes the run', () => {
  const inputs = tempDir('doccat-bad-');
  const home = tempDir();
  let result: Awaited<ReturnType<typeof runDoccat>>;
  let report: IngestJson;
  const expectedFailures: Record<string, string> = {};

  beforeAll(async () => {
    expectedFailures[writeFile(inputs, 'empty.pdf', '')] = 'E_EMPTY_FILE';
    const invoice = fs.readFileSync(path.join(FIXTURES, 'invoice-acme.pdf'));
    expectedFailures[writeFile(inputs, 'corrupt.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]))] = 'E_PDF_CORRUPT';
    expectedFailures[writeFile(inputs, 'truncated.pdf', invoice.subarray(0, 600))] = 'E_PDF_CORRUPT';
    expectedFailures[writeFile(inputs, 'zero-pages.pdf', makeTextPdf([]))] = 'E_PDF_NO_PAGES';
    expectedFailures[writeFile(inputs, 'encrypted.pdf', fs.readFileSync(path.join(REPO_ROOT, 'fixtures', 'bad', 'password.pdf')))] = 'E_PDF_ENCRYPTED';
    expectedFailures[writeFile(inputs, 'truncated.png', fs.readFileSync(LETTER_PNG).subarray(0, 20_000))] = 'E_IMAGE_TRUNCATED';
    // A valid signature and header with garbage pixel data: this crashed a native decoder once.
    const letter = fs.readFileSync(LETTER_PNG);
    expectedFailures[writeFile(inputs, 'malformed.png', Buffer.concat([letter.subarray(0, 33), Buffer.alloc(2000, 7), letter.subarray(letter.length - 12)]))] = 'E_IMAGE_CORRUPT';
    // Not a failure since issue 19: an unknown binary is catalogued as an artifact.
    writeFile(inputs, 'unknown.bin', Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)));
    fs.symlinkSync('self-loop', path.join(inputs, 'self-loop'));
    expectedFailures[path.join(inputs, 'self-loop')] = 'E_SYMLINK_LOOP';
    fs.mkdirSync(path.join(inputs, 'nested'));
    fs.symlinkSync('..', path.join(inputs, 'nested', 'parent-link'));
    expectedFailures[path.join(inputs, 'nested', 'parent-link')] = 'E_SYMLINK_LOOP';
    writeFile(inputs, 'latin1.txt', Buffer.from('Grüße aus München, schöne Grüße von Jürgen\n', 'latin1'));
    writeFile(inputs, 'good.pdf', invoice);
    result = await runDoccat(['ingest', inputs, '--json'], { home });
    report = parseIngestJson(result);
  });

  it('exits 3 when some files failed and catalogues the rest', () => {
    expect(result.code).toBe(3);
    expect(report.summary.catalogued).toBe(3);
    expect(report.files.find((file) => path.basename(file.path) === 'unknown.bin')).toMatchObject({ status: 'catalogued', type: 'artifact', method: 'none' });
    expect(report.summary.failed).toBe(Object.keys(expectedFailures).length);
  });

  it('records each bad file as failed with a stable code', () => {
    for (const [filePath, code] of Object.entries(expectedFailures)) {
      const file = report.files.find((item) => item.path === filePath);
      expect(`${path.basename(filePath)}: ${file?.status} ${file?.error?.code}`).toBe(`${path.basename(filePath)}: failed ${code}`);
      expect(file?.error?.hint, filePath).toBeTruthy();
    }
  });

  it('prints exactly one stderr line per bad file: path, code, message, hint', () => {
    const lines = failureLines(result.stderr);
    expect(lines).toHaveLength(Object.keys(expectedFailures).length);
    for (const [filePath, code] of Object.entries(expectedFailures)) {
      const line = lines.find((item) => item.startsWith(`${filePath}: ${code} `));
      expect(line, `${filePath} in\n${result.stderr}`).toBeDefined();
      expect(line).toMatch(/\(.+\)$/);
    }
  });

  it('shows the failure reason for a failed path', async () => {
    const shown = await runDoccat(['show', path.join(inputs, 'encrypted.pdf'), '--json'], { home });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ source: { status: 'failed', error: { code: 'E_PDF_ENCRYPTED' } } });
  });

  it('decodes non-UTF-8 text instead of producing mojibake', async () => {
    const file = report.files.find((item) => item.path.endsWith('latin1.txt'));
    const shown = JSON.parse((await runDoccat(['show', String(file?.documentId), '--json', '--text'], { home })).stdout) as { document: { text: string } };
    expect(shown.document.text).toBe('Grüße aus München, schöne Grüße von Jürgen');
  });

  it('opens an encrypted PDF with a configured password', async () => {
    const other = tempDir();
    const config = writeFile(tempDir(), 'doccat.config.json', JSON.stringify({ pdf: { passwords: ['wrong', 'password'] } }));
    const opened = parseIngestJson(await runDoccat(['ingest', path.join(inputs, 'encrypted.pdf'), '--json', '--config', config], { home: other }));
    expect(opened.files[0]).toMatchObject({ status: 'catalogued', method: 'text-layer' });
    const shown = JSON.parse((await runDoccat(['show', String(opened.files[0]?.documentId), '--json', '--text'], { home: other })).stdout) as { document: { text: string } };
    expect(shown.document.text).toContain('File with password');
  });

  it('retries failed files on the next run and keeps the good ones', async () => {
    const again = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(again.summary).toMatchObject({ catalogued: 0, unchanged: 3, failed: Object.keys(expectedFailures).length });
    expectConsistentCatalogue(home);
  });
});

describe('files that cannot be read', () => {
  it('reports a file without read permission and goes on', async () => {
    const inputs = tempDir('doccat-perm-');
    const home = tempDir();
    writeFile(inputs, 'readable.txt', 'An ordinary note about the garden.');
    const secret = writeFile(inputs, 'secret.txt', 'nobody may read this');
    fs.chmodSync(secret, 0o000);
    const isRoot = process.getuid?.() === 0;
    // root reads anything, so run doccat as an unprivileged user, as a real user would be.
    const asUser = isRoot ? { uid: 65534, gid: 65534 } : {};
    if (isRoot) {
      fs.chmodSync(inputs, 0o755);
      fs.chmodSync(path.join(inputs, 'readable.txt'), 0o644);
      fs.chownSync(home, 65534, 65534);
    }
    const result = await runDoccat(['ingest', inputs, '--json'], { home, ...asUser });
    const report = parseIngestJson(result);
    expect(result.code, result.stderr).toBe(3);
    expect(report.files.find((file) => file.path === secret)).toMatchObject({ status: 'failed', error: { code: 'E_FILE_UNREADABLE' } });
    expect(report.files.find((file) => file.path.endsWith('readable.txt'))).toMatchObject({ status: 'catalogued' });
    expect(failureLines(result.stderr)).toEqual([expect.stringMatching(/secret\.txt: E_FILE_UNREADABLE permission denied \(.+\)$/)]);
  });

  it('reports a file that disappears mid-run and goes on', async () => {
    const inputs = tempDir('doccat-vanish-');
    const home = tempDir();
    distinctScans(inputs, 3);
    const doomed = writeFile(inputs, 'zz-vanishing.txt', 'this file will be gone before doccat reads it');
    let deleted = false;
    const result = await runDoccat(['ingest', inputs, '--ndjson', '--jobs', '1'], {
      home,
      onLine: () => {
        // The scans are taken in name order and each takes a while to OCR: the text file is
        // still waiting when the first scan is done, and is gone by the time its turn comes.
        if (!deleted) {
          fs.rmSync(doomed);
          deleted = true;
        }
      },
    });
    expect(result.code, result.stderr).toBe(3);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; path?: string; status?: string; error?: { code: string } });
    expect(events.find((event) => event.path === doomed)).toMatchObject({ status: 'failed', error: { code: 'E_FILE_VANISHED' } });
    expect(events.filter((event) => event.status === 'catalogued')).toHaveLength(3);
    expectConsistentCatalogue(home);
  });

  it('handles a 200-page PDF page by page within a small heap', async () => {
    const inputs = tempDir('doccat-long-');
    const home = tempDir();
    const pages = Array.from({ length: 200 }, (_, page) => Array.from({ length: 45 }, (_, line) => `Page ${page + 1} line ${line + 1}: the quick brown fox jumps over the lazy dog.`));
    writeFile(inputs, 'long.pdf', makeTextPdf(pages));
    const result = await runDoccat(['ingest', inputs, '--json'], { home, env: { NODE_OPTIONS: '--max-old-space-size=128' } });
    expect(result.code, result.stderr).toBe(0);
    const report = parseIngestJson(result);
    expect(report.files[0]).toMatchObject({ status: 'catalogued', pages: 200, method: 'text-layer' });
    expect(report.files[0]?.words).toBeGreaterThan(200 * 45 * 10);
  });
});

describe('interruptions leave a consistent catalogue', () => {
  async function interruptAfterFirstFile(signal: NodeJS.Signals): Promise<{ home: string; inputs: string; code: number | null; done: number }> {
    const inputs = tempDir('doccat-interrupt-');
    const home = tempDir();
    distinctScans(inputs, 5);
    let sent = false;
    const result = await runDoccat(['ingest', inputs, '--ndjson', '--jobs', '1'], {
      home,
      onLine: (_line, child) => {
        if (!sent) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    const done = result.stdout.split('\n').filter((line) => line.includes('"status":"catalogued"')).length;
    return { home, inputs, code: signal === 'SIGKILL' ? (result.signal === 'SIGKILL' ? 137 : result.code) : result.code, done };
  }

  it('stops on Ctrl-C with exit 130, and a re-run finishes the rest without duplicates', async () => {
    const { home, inputs, code, done } = await interruptAfterFirstFile('SIGINT');
    expect(code).toBe(130);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(5);
    expectConsistentCatalogue(home);
    const rerun = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(rerun.summary.failed).toBe(0);
    expect(rerun.summary.catalogued + rerun.summary.unchanged).toBe(5);
    expect(rerun.summary.unchanged).toBeGreaterThanOrEqual(done);
    expectConsistentCatalogue(home);
    const db = openCatalogDb(home);
    expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(5);
    db.close();
  });

  it('survives kill -9: a re-run reconciles every blob and adds no duplicates', async () => {
    const { home, inputs, code } = await interruptAfterFirstFile('SIGKILL');
    expect(code).toBe(137);
    expectConsistentCatalogue(home);
    const rerun = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(rerun.summary.failed).toBe(0);
    expectConsistentCatalogue(home);
    const db = openCatalogDb(home);
    expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(5);
    db.close();
    // Originals and the scans' searchable PDFs, nothing else.
    expect(blobKeysOnDisk(home).sort()).toEqual(referencedBlobKeys(home));
    expect(fs.readdirSync(path.join(home, 'blobs', '.tmp'))).toEqual([]);
  });
});

describe('configuration errors', () => {
  it('exits 2 with path: message lines for an invalid config file', async () => {
    const config = writeFile(tempDir(), 'doccat.config.json', JSON.stringify({ ingest: { jobs: 0 }, ocr: { languages: 'eng' }, nonsense: true }));
    const result = await runDoccat(['ingest', FIXTURES, '--config', config], { home: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_CONFIG_INVALID');
    expect(result.stderr).toMatch(/ingest\.jobs: /);
    expect(result.stderr).toMatch(/ocr\.languages: /);
    expect(result.stderr).toMatch(/nonsense|Unrecognized key/);
  });

  it('exits 2 when an OCR language is not installed, before touching any file', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', FIXTURES, '--json'], { home, env: { DOCCAT_OCR_LANGUAGES: 'xyz', TESSDATA_PREFIX: os.tmpdir() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_OCR_LANGUAGE_MISSING');
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'E_OCR_LANGUAGE_MISSING' } });
  });
});
