/**
 * Entry of an extraction child process (forked by pool.ts). It extracts one file at a time with
 * the ordinary extractors and answers on IPC; OCR pages go back to the parent. Whatever a file
 * does here (a decoder that spins, a zip bomb, a segfault in a native module) ends this process
 * at worst, never the run: the parent kills it on its deadline or memory cap and starts another.
 */
import { Worker } from 'node:worker_threads';
import { DoccatError, toErrorInfo } from '../../errors.js';
import { extractorFor } from '../registry.js';
import { capText, isStackOverflow, nestedTooDeeply } from '../limits.js';
import { RemoteOcr } from './remote-ocr.js';
import type { ChildMessage, IsolatedExtractInput, ParentMessage } from './protocol.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

// The parent's page folder (argv[3]): pages go over as files there.
const ocr = new RemoteOcr(send, process.argv[3] || undefined);
/** Never aborted: the parent stops a file by killing this process, which native code cannot ignore. */
const signal = new AbortController().signal;

// Ctrl-C and a service manager's SIGTERM reach the whole process group. The parent decides what
// an interrupt means for the file (and kills this process at once), so a child that died first
// is not mistaken for a crash.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The parent is gone (killed, crashed): nobody is waiting for the result.
process.on('disconnect', () => process.exit(0));
// A parent killed while this process was still loading closed the channel before the listener
// above existed.
if (!process.connected) process.exit(0);
watchParent();

process.on('message', (message: ParentMessage) => {
  if (ocr.settle(message)) return;
  if (message.type === 'extract') void extract(message.input);
});
send({ type: 'ready' });

/**
 * 'disconnect' needs this thread's event loop, which a decoder spinning on a hostile file never
 * returns to: after a kill -9 of doccat the child would spin on, orphaned. A small thread checks
 * whether the parent is still ours and ends the process if not (Linux has PR_SET_PDEATHSIG for
 * this, which Node does not offer).
 */
function watchParent(): void {
  const parent = Number(process.argv[2]) || process.ppid;
  const source = `
    const check = () => { if (process.ppid !== ${parent}) process.kill(process.pid, 'SIGKILL'); };
    check();
    setInterval(check, 500);
  `;
  const watcher = new Worker(source, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
  watcher.unref();
}

async function extract(input: IsolatedExtractInput): Promise<void> {
  try {
    const extractor = await extractorFor(input.mime);
    if (!extractor) throw new DoccatError('E_UNSUPPORTED_TYPE', `no extractor for ${input.mime}`);
    const result = await extractor({ ...input, ocr: () => ocr, signal, onPage: (info) => send({ type: 'page', ocr: info.ocr }), onProgress: () => send({ type: 'progress' }) });
    send({ type: 'done', result: capText(result, input.options.maxTextBytes) });
  } catch (error) {
    send({ type: 'failed', error: toErrorInfo(isStackOverflow(error) ? nestedTooDeeply('the file', error) : error) });
  }
}
