import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DoccatError } from '../../errors.js';
import { abortError, ocrFailed, parseTsv, timeoutError, type OcrEngine, type OcrImage, type OcrEngineInfo, type OcrOrientation, type OcrPageResult, type OcrRecognizeOptions } from './engine.js';
import { withHugePages } from '../../system/huge-pages.js';
import type { NativeTesseract } from './native-probe.js';

export interface NativeEngineOptions {
  tesseract: NativeTesseract;
  languages: readonly string[];
  /** Pages read at once: one tesseract process each. */
  size: number;
  pageTimeoutMs: number;
}

const STDERR_TAIL_BYTES = 2048;

/**
 * The installed tesseract command, one process per page (`tesseract <page file|stdin> <base> txt tsv [pdf]`),
 * at most `size` at a time, each single-threaded (OMP_THREAD_LIMIT=1: its OpenMP threads would
 * fight the other pages for the same cores) and killed on the page timeout or an abort. A process
 * per page keeps nothing between pages: no memory that grows, nothing a bad page can wedge for the
 * next one. Loading the model costs about 0.15 s of CPU per process.
 */
export class NativeTesseractEngine implements OcrEngine {
  readonly info: OcrEngineInfo;
  private readonly running = new Set<ChildProcess>();
  private readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private active = 0;
  private recognized = 0;
  private nextId = 0;
  private closed = false;
  private scratch: string | undefined;
  private readonly killAll = () => {
    for (const child of this.running) child.kill('SIGKILL');
  };

  constructor(private readonly options: NativeEngineOptions) {
    this.info = {
      engine: 'tesseract',
      version: options.tesseract.version,
      languages: options.languages,
      dataPath: options.tesseract.dataPath,
      orientation: options.tesseract.languages.includes('osd'),
    };
    // process.exit (a second Ctrl-C) runs no async cleanup: end the pages being read with it.
    process.on('exit', this.killAll);
  }

  get pagesRecognized(): number {
    return this.recognized;
  }

  async recognize(image: OcrImage, options: OcrRecognizeOptions = {}): Promise<OcrPageResult> {
    await this.acquire(options.signal);
    const base = path.join(this.scratchFolder(), `page-${process.pid}-${(this.nextId += 1)}`);
    const outputs = ['txt', 'tsv', ...(options.textPdf ? ['pdf'] : [])];
    try {
      const args = [
        inputOf(image),
        base,
        ...this.baseArgs(this.options.languages),
        ...(options.dpi ? ['--dpi', String(Math.round(options.dpi))] : []),
        '--psm',
        '3',
        '-c',
        'tessedit_create_txt=1',
        '-c',
        'tessedit_create_tsv=1',
        // The text-only renderer: the page's words as invisible text, without the image.
        ...(options.textPdf ? ['-c', 'tessedit_create_pdf=1', '-c', 'textonly_pdf=1'] : []),
      ];
      await this.run(args, image, options.signal);
      const [text, tsv, textPdf] = await Promise.all([
        fsp.readFile(`${base}.txt`, 'utf8'),
        fsp.readFile(`${base}.tsv`, 'utf8'),
        options.textPdf ? fsp.readFile(`${base}.pdf`) : undefined,
      ]);
      const { words, confidence } = parseTsv(tsv);
      this.recognized += 1;
      return { text, confidence, words, ...(textPdf ? { textPdf: new Uint8Array(textPdf.buffer, textPdf.byteOffset, textPdf.byteLength) } : {}) };
    } catch (error) {
      throw ocrFailed(error);
    } finally {
      await Promise.all(outputs.map((extension) => fsp.rm(`${base}.${extension}`, { force: true })));
      this.release();
    }
  }

  /** Tesseract's orientation and script detection (`--psm 0`), where osd.traineddata is installed. */
  async detectOrientation(image: OcrImage, options: { dpi?: number; signal?: AbortSignal } = {}): Promise<OcrOrientation | null> {
    if (!this.info.orientation) return null;
    await this.acquire(options.signal);
    try {
      const args = [inputOf(image), 'stdout', ...this.baseArgs(['osd']), ...(options.dpi ? ['--dpi', String(Math.round(options.dpi))] : []), '--psm', '0'];
      const stdout = await this.run(args, image, options.signal);
      return parseOsd(stdout);
    } catch (error) {
      if (error instanceof DoccatError && error.code === 'E_INTERRUPTED') throw error;
      // "Too few characters", a page too small: no answer, the caller probes instead.
      return null;
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    process.off('exit', this.killAll);
    for (const waiter of this.waiters.splice(0)) waiter.reject(abortError());
    this.killAll();
    if (this.scratch) await fsp.rm(this.scratch, { recursive: true, force: true });
  }

  private baseArgs(languages: readonly string[]): string[] {
    const tessdata = this.options.tesseract.tessdataDir;
    return [...(tessdata ? ['--tessdata-dir', tessdata] : []), '-l', languages.join('+')];
  }

  private scratchFolder(): string {
    // A private folder (mkdtemp makes it 0700): the pages' text is the documents' text.
    this.scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-ocr-'));
    return this.scratch;
  }

  /** Runs tesseract with the image on stdin (or named in args); resolves with its stdout. */
  private run(args: string[], image: OcrImage, signal: AbortSignal | undefined): Promise<string> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.tesseract.command, args, {
        env: withHugePages({ ...process.env, OMP_THREAD_LIMIT: '1' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.running.add(child);
      let stdout = '';
      let stderr = '';
      let failure: DoccatError | undefined;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
      });
      const stop = (error: DoccatError) => {
        failure ??= error;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => stop(timeoutError(this.options.pageTimeoutMs)), this.options.pageTimeoutMs);
      const onAbort = () => stop(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      // A process that ended before reading its input (bad arguments) breaks the pipe; 'close' tells why.
      child.stdin.on('error', () => undefined);
      if (Buffer.isBuffer(image)) child.stdin.end(image);
      else child.stdin.end();
      child.on('error', (error) => {
        // Spawning failed (the command vanished since the probe): there may be no 'close' to wait for.
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.running.delete(child);
        reject(failure ?? new DoccatError('E_OCR_INIT', `cannot run ${this.options.tesseract.command}: ${error.message}`, { hint: 'check ocr.tesseractPath, or set ocr.engine to tesseract.js' }));
      });
      child.on('close', (code, killedBy) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.running.delete(child);
        if (failure) reject(failure);
        else if (code === 0) resolve(stdout);
        else {
          const why = lastLines(stderr) || (killedBy ? `killed by ${killedBy}` : `exit code ${code}`);
          reject(new DoccatError('E_OCR_FAILED', `tesseract could not read the page: ${why}`, { hint: 'the image may be corrupt or in an unsupported pixel format' }));
        }
      });
    });
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.reject(abortError());
    if (this.active < Math.max(1, this.options.size)) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next page waiting.
    if (next) next.resolve();
    else this.active -= 1;
  }
}

/** tesseract's input argument: the page's file, or stdin for bytes. */
function inputOf(image: OcrImage): string {
  return Buffer.isBuffer(image) ? 'stdin' : image.file;
}

/** "Rotate: 90" is how far to turn the page clockwise; "Orientation confidence" how sure OSD is. */
export function parseOsd(output: string): OcrOrientation | null {
  const rotate = /^Rotate:\s*(\d+)/m.exec(output);
  const confidence = /^Orientation confidence:\s*([\d.]+)/m.exec(output);
  if (!rotate) return null;
  const degrees = Number(rotate[1]) % 360;
  if (degrees !== 0 && degrees !== 90 && degrees !== 180 && degrees !== 270) return null;
  return { degrees, confidence: confidence ? Number(confidence[1]) : 0 };
}

function lastLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(Warning|Estimating resolution|Detected \d+ diacritics)/i.test(line))
    .slice(-2)
    .join('; ')
    .slice(0, 300);
}
