import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { DoccatError, toErrorInfo, type ErrorInfo } from '../../errors.js';
import type { ExtractInput, ExtractResult } from '../extractor.js';
import { abortError, type OcrImage } from '../ocr/engine.js';
import { createPageFolder, pageFileIn, removePageFolder } from './page-files.js';
import { residentBytes } from './process-memory.js';
import type { ChildMessage, IsolatedExtractInput, OcrRequest, OrientationRequest, ParentMessage } from './protocol.js';

export interface ExtractionPoolOptions {
  /** Extraction processes at most (the ingest's jobs); each is started on first use. */
  size: number;
  /**
   * How long one file's extraction may go without progress: the clock starts again with every
   * page done, and stops while the child waits for the parent's OCR (each OCR page has its own
   * limit, ocr.pageTimeoutMs, and may wait behind other files' pages for a worker). A 300-page
   * scan therefore never runs out of time for being long or for sharing the OCR workers, while a
   * decoder spinning on one page (or on a file without pages) is stopped after this long of its
   * own work. The length of a document is bounded separately, by pdf.maxPages.
   */
  fileTimeoutMs: number;
  /** Resident memory one child may use; its V8 heap gets the same cap. */
  maxMemoryMb: number;
  /** A child is replaced after this many files, so that what pdf.js and the allocator keep does not pile up. */
  recycleAfterFiles?: number;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

export interface ExtractionPool {
  /** Extracts one file in a child process; `ocr`, `signal` and `onPage` stay in this process. */
  extract(input: ExtractInput): Promise<ExtractResult>;
  /** Kills the children. */
  close(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url));
const MEMORY_POLL_MS = 100;
const DEFAULT_RECYCLE_AFTER_FILES = 50;
const STDERR_TAIL_BYTES = 4096;
/**
 * A child still this large after a file (with pdf.js and its libraries loaded it is 100-170 MB) kept
 * what a big file made it allocate: the allocator seldom gives that back, and the next file would
 * start from there. A new process costs a few hundred milliseconds.
 */
const RECYCLE_ABOVE_BYTES = 200 * 1024 * 1024;

interface Slot {
  child: ChildProcess | undefined;
  /** Resolves when the child has loaded (its 'ready' message), or when it ended before that. */
  ready: Promise<void>;
  files: number;
  busy: boolean;
  stderrTail: string;
}

/**
 * A pool of long-lived extraction processes (child_process.fork), one file at a time each.
 * Processes, not worker threads: a worker's resourceLimits bound only the V8 heap (decoded
 * images and the canvas live outside it), a segfault in a native module ends the whole process
 * a worker lives in, and terminate() cannot interrupt native code. A child can be SIGKILLed.
 */
export function createExtractionPool(options: ExtractionPoolOptions): ExtractionPool {
  const slots: Slot[] = Array.from({ length: Math.max(1, options.size) }, () => ({ child: undefined, ready: Promise.resolve(), files: 0, busy: false, stderrTail: '' }));
  const waiters: { resolve: (slot: Slot) => void; reject: (error: unknown) => void }[] = [];
  const capBytes = options.maxMemoryMb * 1024 * 1024;
  const recycleAfter = options.recycleAfterFiles ?? DEFAULT_RECYCLE_AFTER_FILES;
  let closed = false;
  let pageFolder: string | undefined;

  // process.exit (a second Ctrl-C) runs no async cleanup: kill the children synchronously.
  const killAll = () => {
    for (const slot of slots) slot.child?.kill('SIGKILL');
    if (pageFolder) removePageFolder(pageFolder);
  };
  process.on('exit', killAll);

  function spawnChild(slot: Slot): ChildProcess {
    // The child learns who its parent is from us, not from its own ppid at startup: a parent
    // killed while the child was still loading would otherwise already be init by then.
    pageFolder ??= createPageFolder();
    const child = fork(CHILD_ENTRY, [String(process.pid), pageFolder], {
      serialization: 'advanced',
      // The parent's flags (a test runner's loaders, --inspect) are not the child's business.
      // --expose-gc: extractors hand a large decoded image back at once (pdf.ts) instead of
      // holding it until V8 feels pressure, which in a process with a roomy heap may be never.
      execArgv: [`--max-old-space-size=${options.maxMemoryMb}`, '--expose-gc'],
      // stdout is ours for data; stderr carries pdf.js warnings and, when a child dies, why.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // glibc's own mmap threshold slides up to each large block freed and takes the heap's trim
      // threshold with it: a child that decoded a few 26 MB page images kept 50-60 MB it no
      // longer used. Fixed at 128 KB, every page image (pdf.js's RGB copy of a gray A4 scan is
      // 26 MB) was a fresh mapping, zeroed page by page: 10,000 page faults a page, a third of the
      // process's CPU (a 40-page scan: 20-22 CPU-seconds, 6 of them in the kernel). Fixed at
      // 32 MB, the most glibc takes, page images reuse the heap (15-16 CPU-seconds, the scan at
      // -j 2 9 % sooner) while the trim threshold stays low. The cost is memory: that scan's
      // process peaked at 196-214 MB instead of 178-183. Larger images are still mapped and
      // returned.
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? String(32 * 1024 * 1024) },
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      slot.stderrTail = (slot.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // A send to a child that just died emits 'error'; its 'exit' tells the file what happened.
    child.on('error', (error) => options.logger?.debug({ err: error.message }, 'extraction process error'));
    slot.ready = new Promise((resolve) => {
      const onReady = (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        child.off('message', onReady);
        resolve();
      };
      child.on('message', onReady);
      child.once('exit', () => resolve());
    });
    child.once('exit', () => {
      if (slot.child === child) slot.child = undefined;
    });
    slot.child = child;
    slot.files = 0;
    return child;
  }

  function retire(slot: Slot): void {
    const child = slot.child;
    slot.child = undefined;
    child?.kill('SIGKILL');
  }

  function acquire(): Promise<Slot> {
    if (closed) return Promise.reject(abortError());
    const free = slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  function release(slot: Slot): void {
    const next = waiters.shift();
    if (next) next.resolve(slot);
    else slot.busy = false;
  }

  async function runFile(slot: Slot, input: ExtractInput): Promise<ExtractResult> {
    const child = slot.child ?? spawnChild(slot);
    slot.stderrTail = '';
    await slot.ready;
    if (input.signal.aborted) throw abortError();
    // It ended while starting (a broken install, no memory for another process).
    if (child.exitCode !== null || child.signalCode !== null) throw crashError(child.exitCode, child.signalCode, slot.stderrTail);
    return new Promise<ExtractResult>((resolve, reject) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      let workedMs = 0;
      let runningSince = Date.now();
      let ocrWaiting = 0;
      // Pages still being recognised for a file that has ended (killed, crashed) are dropped.
      const fileEnded = new AbortController();
      const ocrSignal = AbortSignal.any([input.signal, fileEnded.signal]);
      // OCR errors are the parent's own: rethrow the original (it carries its exit code).
      const ocrErrors: DoccatError[] = [];

      const finish = (error: unknown, result?: ExtractResult) => {
        if (settled) return;
        settled = true;
        if (ocrWaiting > 0) fileEnded.abort();
        clearTimeout(deadline);
        clearInterval(memoryPoll);
        input.signal.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('close', onExit);
        if (result) resolve(result);
        else reject(error);
      };
      const killWith = (error: DoccatError) => {
        retire(slot);
        finish(error);
      };
      const armDeadline = () => {
        runningSince = Date.now();
        deadline = setTimeout(
          () => killWith(new DoccatError('E_FILE_TIMEOUT', `extracting the file made no progress for ${options.fileTimeoutMs} ms (no page done; time spent on OCR not counted)`, {
            hint: 'the file may make a decoder loop; if it is a document that really needs longer per page, raise ingest.fileTimeoutMs',
          })),
          Math.max(0, options.fileTimeoutMs - workedMs),
        );
      };
      const pauseDeadline = () => {
        clearTimeout(deadline);
        workedMs += Date.now() - runningSince;
      };
      const onAbort = () => killWith(abortError());
      const memoryPoll = setInterval(() => {
        const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
        if (rss !== undefined && rss > capBytes) killWith(memoryError(options.maxMemoryMb));
      }, MEMORY_POLL_MS);

      const answerOcr = (request: OcrRequest | OrientationRequest) => {
        if (ocrWaiting++ === 0) pauseDeadline();
        const dpi = request.dpi === undefined ? {} : { dpi: request.dpi };
        Promise.resolve()
          .then(async (): Promise<ParentMessage> => {
            const image = pageImage(request);
            const engine = input.ocr();
            if (request.type === 'orientation') {
              const result = engine.detectOrientation ? await engine.detectOrientation(image, { ...dpi, signal: ocrSignal }) : null;
              return { type: 'orientation-result', id: request.id, result };
            }
            const result = await engine.recognize(image, { ...dpi, ...(request.textPdf ? { textPdf: true } : {}), signal: ocrSignal });
            return { type: 'ocr-result', id: request.id, result };
          })
          .then(
            (answer) => post(child, answer),
            (error: unknown) => {
              if (error instanceof DoccatError) ocrErrors.push(error);
              post(child, { type: 'ocr-failed', id: request.id, error: toErrorInfo(error) });
            },
          )
          .finally(() => {
            if (!settled && --ocrWaiting === 0) armDeadline();
          });
      };
      const pageImage = (request: OcrRequest | OrientationRequest): OcrImage => {
        if ('image' in request) return Buffer.from(request.image.buffer, request.image.byteOffset, request.image.byteLength);
        const file = pageFolder && pageFileIn(pageFolder, request.imageFile);
        if (!file) throw new DoccatError('E_INTERNAL', 'an extraction process named a page file outside its page folder', { hint: 'this is a bug in doccat; please report it' });
        return { file };
      };
      const onMessage = (message: ChildMessage) => {
        switch (message.type) {
          case 'page':
          case 'progress':
            if (message.type === 'page') input.onPage?.({ ocr: message.ocr });
            // Progress: the next page gets the whole allowance again.
            workedMs = 0;
            if (ocrWaiting === 0) {
              clearTimeout(deadline);
              armDeadline();
            }
            break;
          case 'ocr':
          case 'orientation':
            answerOcr(message);
            break;
          case 'done':
            finish(undefined, message.result);
            break;
          case 'ready':
            break;
          case 'failed':
            finish(ocrErrors.find((error) => error.code === message.error.code && error.message === message.error.message) ?? rebuildError(message.error));
            break;
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (input.signal.aborted) finish(abortError());
        // V8 ran out of its --max-old-space-size heap before our RSS poll saw it.
        else if (/heap out of memory|Allocation failed/i.test(slot.stderrTail)) finish(memoryError(options.maxMemoryMb));
        else finish(crashError(code, signal, slot.stderrTail));
      };

      input.signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', onMessage);
      // 'close', not 'exit': the last words on stderr (a V8 out-of-memory report) arrive after 'exit'.
      child.once('close', onExit);
      armDeadline();
      post(child, { type: 'extract', input: isolatedInput(input) });
    });
  }

  return {
    async extract(input) {
      if (input.signal.aborted) throw abortError();
      const slot = await acquire();
      try {
        return await runFile(slot, input);
      } finally {
        // A child killed for a timeout or its memory, or one that crashed, is gone; one that
        // reported a bad file (corrupt, encrypted) is fine and keeps serving, unless it kept
        // much of what a big file made it allocate, which it would carry into the next one.
        const pid = slot.child?.pid;
        if (pid !== undefined) {
          slot.files += 1;
          const rss = residentBytes(pid);
          const recycle = slot.files >= recycleAfter || (rss !== undefined && rss > Math.min(RECYCLE_ABOVE_BYTES, capBytes / 2));
          options.logger?.debug({ path: input.path, rssMb: rss === undefined ? undefined : Math.round(rss / 1024 / 1024), files: slot.files, recycle }, 'extraction process after a file');
          if (recycle) retire(slot);
        }
        release(slot);
      }
    },
    async close() {
      closed = true;
      for (const waiter of waiters.splice(0)) waiter.reject(abortError());
      for (const slot of slots) retire(slot);
      process.off('exit', killAll);
      if (pageFolder) removePageFolder(pageFolder);
    },
  };
}

function post(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message);
}

function isolatedInput(input: ExtractInput): IsolatedExtractInput {
  return { path: input.path, mime: input.mime, size: input.size, options: input.options, ...(input.searchablePdfPath === undefined ? {} : { searchablePdfPath: input.searchablePdfPath }) };
}

function rebuildError(info: ErrorInfo): DoccatError {
  return new DoccatError(info.code, info.message, info.hint === undefined ? {} : { hint: info.hint });
}

function memoryError(maxMemoryMb: number): DoccatError {
  return new DoccatError('E_TOO_LARGE', `extracting the file needed more than the limit of ${maxMemoryMb} MB of memory`, {
    hint: 'raise ingest.maxMemoryMb if this really is a document you want catalogued (each of the -j extraction processes may use that much)',
  });
}

function crashError(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): DoccatError {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const lastLine = stderrTail.trim().split('\n').filter((line) => !line.startsWith('Warning:')).pop();
  return new DoccatError('E_EXTRACT_CRASHED', `the extraction process ${how}${lastLine ? ` (${lastLine.slice(0, 200)})` : ''}`, {
    hint: 'a decoder crashed on this file; the rest of the run went on. If the file opens in other programs, please report it',
  });
}
