import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir, type IngestJson } from '../support/cli.js';
import { endsWithin } from '../support/process-state.js';
import { processTree, sampleTreeRss } from '../support/process-tree-rss.mjs';
import { writeBigImagePdf, writeBombTiff, writeDeepHtml, writeDeepMime, writeGiantTextLine, writeManyPagesPdf, writeZipBombDocx } from '../support/hostile-files.mjs';

/** Ordinary documents of every kind, including a scan (OCR answered by the parent). */
const NORMAL = ['invoice-acme.pdf', 'mail/meeting.eml', 'office/quarterly-report.docx', 'scans/letter.png', 'text/notes.md', 'text/page.html'];
const MB = 1024 * 1024;

function copyNormal(directory: string, names = NORMAL): string[] {
  return names.map((name) => {
    const target = path.join(directory, 'normal', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, name), target);
    return target;
  });
}

function writeConfig(settings: object): string {
  const file = path.join(tempDir('doccat-config-'), 'doccat.config.json');
  fs.writeFileSync(file, JSON.stringify(settings));
  return file;
}

/** Extraction processes of a doccat process: its descendants running the child entry. */
function extractionChildren(pid: number): number[] {
  return processTree(pid).filter((candidate) => {
    try {
      return fs.readFileSync(`/proc/${candidate}/cmdline`, 'latin1').includes('dist/app/child.js');
    } catch {
      return false;
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('one hostile file never takes the run down', () => {
  const inputs = tempDir('doccat-hostile-');
  const home = tempDir();
  let exitCode: number | null;
  let report: IngestJson;
  let peakBytes = 0;
  const byName = (name: string) => report.files.find((file) => path.basename(file.path) === name);

  beforeAll(async () => {
    await Promise.all([
      writeZipBombDocx(path.join(inputs, 'bomb.docx')),
      writeManyPagesPdf(path.join(inputs, 'pages.pdf'), 100_000),
      writeBombTiff(path.join(inputs, 'bomb.tiff'), 30_000),
      writeBigImagePdf(path.join(inputs, 'big-image.pdf'), 12_600),
      writeGiantTextLine(path.join(inputs, 'giant.txt'), 210 * MB),
      writeDeepMime(path.join(inputs, 'deep.eml'), 5000),
      writeDeepHtml(path.join(inputs, 'deep.html'), 100_000),
    ]);
    copyNormal(inputs);
    let sampler: ReturnType<typeof sampleTreeRss> | undefined;
    const result = await runDoccat(['ingest', inputs, '--json', '--jobs', '2'], { home, onSpawn: (child) => void (sampler = sampleTreeRss(child.pid as number, 50)) });
    peakBytes = sampler?.stop().peakBytes ?? 0;
    fs.rmSync(path.join(inputs, 'giant.txt'));
    exitCode = result.code;
    report = parseIngestJson(result);
    console.log(`hostile folder with -j 2: peak RSS of the process tree ${(peakBytes / MB).toFixed(0)} MB; ${report.summary.catalogued} catalogued, ${report.summary.failed} failed`);
  }, 600_000);

  it.each([
    ['bomb.docx', 'E_TOO_LARGE', /64 MB/, /ingest\.maxUnpackedMb/],
    ['pages.pdf', 'E_TOO_LARGE', /100000 pages.*5000 pages/, /pdf\.maxPages/],
    ['bomb.tiff', 'E_TOO_LARGE', /30000x30000/, /ocr\.maxImagePixels/],
    ['big-image.pdf', 'E_TOO_LARGE', /100 M pixels/, /ocr\.maxImagePixels/],
    ['deep.eml', 'E_MALFORMED', /nests MIME parts/, /mail client/],
    ['deep.html', 'E_MALFORMED', /nests elements/, /browser/],
  ])('fails %s alone with %s, naming the limit and the setting', (name, code, message, hint) => {
    const file = byName(name);
    expect(file?.status, JSON.stringify(file)).toBe('failed');
    expect(file?.error?.code).toBe(code);
    expect(file?.error?.message).toMatch(message);
    expect(file?.error?.hint).toMatch(hint);
  });

  it('catalogues the ordinary files beside them, and finishes with exit 3', () => {
    expect(exitCode).toBe(3);
    for (const name of NORMAL) expect(`${name}: ${byName(path.basename(name))?.status}`).toBe(`${name}: catalogued`);
    expect(report.summary.interrupted).toBe(false);
    expect(report.files.filter((file) => file.error?.code === 'E_INTERNAL')).toEqual([]);
  });

  it('keeps only the first ingest.maxTextMb of a 210 MB one-line text file, and says so', async () => {
    const file = byName('giant.txt') as IngestJson['files'][number] & { warnings?: { code: string }[] };
    expect(file.status).toBe('catalogued');
    expect(file.warnings?.map((warning) => warning.code)).toContain('W_TEXT_TRUNCATED');
    const shown = JSON.parse((await runDoccat(['show', String(file.documentId), '--json', '--text'], { home })).stdout) as { document: { text: string } };
    expect(Buffer.byteLength(shown.document.text)).toBeLessThanOrEqual(16 * MB);
    expect(Buffer.byteLength(shown.document.text)).toBeGreaterThan(15 * MB);
  });

  it('keeps the whole process tree under 1.5 GB resident with -j 2', () => {
    expect(peakBytes).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThanOrEqual(1.5 * 1024 * MB);
  });
});

describe('a file that runs too long or crashes its process fails alone', () => {
  // The page limit is raised so that the 100,000-page PDF is really extracted, page by page.
  const manyPagesAllowed = { pdf: { maxPages: 200_000 } };

  it('fails a file whose extraction makes no progress for ingest.fileTimeoutMs with E_FILE_TIMEOUT, and goes on', async () => {
    const inputs = tempDir('doccat-timeout-');
    const home = tempDir();
    // One page whose 90 M-pixel image alone takes seconds to decode: longer than the 300 ms allowed.
    await writeBigImagePdf(path.join(inputs, 'a-scan.pdf'), 9500);
    copyNormal(inputs, ['text/notes.md', 'text/expenses.csv']);
    const config = writeConfig({ ingest: { fileTimeoutMs: 300 } });
    const result = await runDoccat(['ingest', inputs, '--json', '--jobs', '1', '--config', config], { home });
    const report = parseIngestJson(result);
    expect(result.code, result.stderr).toBe(3);
    expect(report.files.find((file) => file.path.endsWith('a-scan.pdf'))).toMatchObject({ status: 'failed', error: { code: 'E_FILE_TIMEOUT', hint: expect.stringMatching(/ingest\.fileTimeoutMs/) } });
    expect(report.files.filter((file) => file.status === 'catalogued')).toHaveLength(2);
  });

  it('gives a long document the whole allowance for every page', async () => {
    const inputs = tempDir('doccat-long-');
    writeManyPagesPdf(path.join(inputs, 'pages.pdf'), 4000);
    // The allowance is a sixth of what this machine needs for the whole file, measured first:
    // a fixed one is either longer than the run on a fast machine (and proves nothing) or
    // shorter than opening the file on a loaded one. No single page, nor the opening, takes a
    // sixth of the run.
    const free = await runDoccat(['ingest', inputs, '--json', '--jobs', '1'], { home: tempDir() });
    expect(free.code, free.stderr).toBe(0);
    const [measured] = parseIngestJson(free).files as (IngestJson['files'][number] & { durationMs: number })[];
    const whole = measured?.durationMs ?? 0;
    const allowance = Math.max(500, Math.round(whole / 6));
    const config = writeConfig({ ingest: { fileTimeoutMs: allowance } });
    const result = await runDoccat(['ingest', inputs, '--json', '--jobs', '1', '--config', config], { home: tempDir() });
    expect(result.code, `allowance ${allowance} ms of ${whole} ms: ${result.stderr}`).toBe(0);
    const [file] = parseIngestJson(result).files as (IngestJson['files'][number] & { durationMs: number })[];
    expect(file).toMatchObject({ status: 'catalogued', pages: 4000 });
    // Otherwise this file no longer shows anything: it must take longer than the allowance. The
    // margin is the sixth: two runs on a loaded machine may differ by half, not by six times.
    expect(file?.durationMs).toBeGreaterThan(allowance);
  });

  it('fails a file whose extraction passes ingest.maxMemoryMb with E_TOO_LARGE, and goes on', async () => {
    const inputs = tempDir('doccat-memory-');
    const home = tempDir();
    // 9000x9000 gray pixels: under ocr.maxImagePixels, but decoding them takes over 300 MB.
    await writeBigImagePdf(path.join(inputs, 'a-scan.pdf'), 9000);
    copyNormal(inputs, ['text/notes.md', 'invoice-acme.pdf']);
    const config = writeConfig({ ingest: { maxMemoryMb: 256 } });
    const result = await runDoccat(['ingest', inputs, '--json', '--jobs', '1', '--config', config], { home });
    const report = parseIngestJson(result);
    expect(result.code, result.stderr).toBe(3);
    expect(report.files.find((file) => file.path.endsWith('a-scan.pdf'))).toMatchObject({ status: 'failed', error: { code: 'E_TOO_LARGE', message: expect.stringMatching(/256 MB/), hint: expect.stringMatching(/ingest\.maxMemoryMb/) } });
    expect(report.files.filter((file) => file.status === 'catalogued')).toHaveLength(2);
  });

  it('fails a file whose extraction process dies with E_EXTRACT_CRASHED, and goes on with a new process', async () => {
    const inputs = tempDir('doccat-crash-');
    const home = tempDir();
    writeManyPagesPdf(path.join(inputs, 'a-pages.pdf'), 100_000);
    copyNormal(inputs, ['text/notes.md', 'invoice-acme.pdf']);
    const config = writeConfig(manyPagesAllowed);
    let killed: number | undefined;
    const result = await runDoccat(['ingest', inputs, '--json', '--jobs', '1', '--config', config], {
      home,
      onSpawn: (doccat) => {
        // a-pages.pdf comes first (name order) and takes minutes: kill the process extracting it.
        const started = Date.now();
        const watch = setInterval(() => {
          const [child] = extractionChildren(doccat.pid as number);
          if (child !== undefined && Date.now() - started > 3000) {
            clearInterval(watch);
            killed = child;
            process.kill(child, 'SIGKILL');
          } else if (Date.now() - started > 60_000) {
            clearInterval(watch);
            doccat.kill('SIGKILL');
          }
        }, 100);
      },
    });
    expect(killed, 'an extraction process was found and killed').toBeDefined();
    const report = parseIngestJson(result);
    expect(result.code, result.stderr).toBe(3);
    expect(report.files.find((file) => file.path.endsWith('a-pages.pdf'))).toMatchObject({ status: 'failed', error: { code: 'E_EXTRACT_CRASHED', message: expect.stringMatching(/SIGKILL/) } });
    expect(report.files.filter((file) => file.status === 'catalogued').map((file) => path.basename(file.path)).sort()).toEqual(['invoice-acme.pdf', 'notes.md']);
  });

  it('stops within seconds of SIGTERM in the middle of a 100,000-page PDF: exit 130, run recorded as interrupted, nothing left running', async () => {
    const inputs = tempDir('doccat-sigterm-');
    const home = tempDir();
    copyNormal(inputs, ['text/notes.md']);
    writeManyPagesPdf(path.join(inputs, 'z-pages.pdf'), 100_000);
    const config = writeConfig(manyPagesAllowed);
    let sentAt = 0;
    let extractors: number[] = [];
    const result = await runDoccat(['ingest', inputs, '--ndjson', '--jobs', '1', '--config', config], {
      home,
      onLine: (line, doccat) => {
        // notes.md is done; z-pages.pdf is next and takes minutes. Let it get well into it.
        if (sentAt === 0 && line.includes('"event":"file"')) {
          sentAt = -1;
          void sleep(3000).then(() => {
            extractors = extractionChildren(doccat.pid as number);
            sentAt = Date.now();
            doccat.kill('SIGTERM');
          });
        }
      },
    });
    const stoppedMs = Date.now() - sentAt;
    console.log(`SIGTERM mid-extraction: exited ${stoppedMs} ms after the signal`);
    expect(sentAt).toBeGreaterThan(0);
    expect(result.code, result.stderr).toBe(130);
    // Seconds, not the minutes the page still needed; the bound leaves room for a loaded machine.
    expect(stoppedMs).toBeLessThan(5000);
    expect(extractors.length, 'the PDF was being extracted in a child process').toBe(1);
    for (const pid of extractors) expect(await endsWithin(pid, 5000), `extraction process ${pid} outlived the run`).toBe(true);

    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT status FROM runs').all()).toEqual([{ status: 'interrupted' }]);
      expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(1);
      // The interrupted file is neither catalogued nor failed: the next run takes it again.
      expect(db.prepare('SELECT count(*) AS n FROM sources WHERE path LIKE ?').get('%z-pages.pdf')).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
