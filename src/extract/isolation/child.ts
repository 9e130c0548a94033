/**
 * Entry of an extraction child process (forked by pool.ts). It extracts one file at a time with
 * the ordinary extractors and answers on IPC; OCR pages go back to the parent. Whatever a file
 * does here (a decoder that spins, a zip bomb, a segfault in a native module) ends this process
 * at worst, never the run: the parent kills it on its deadline or memory cap and starts another.
 */
import { DoccatError, toErrorInfo } from '../../errors.js';
import { extractorFor } from '../registry.js';
import { capText, isStackOverflow, nestedTooDeeply } from '../limits.js';
import { RemoteOcr } from './remote-ocr.js';
import type { ChildMessage, IsolatedExtractInput, ParentMessage } from './protocol.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

const ocr = new RemoteOcr(send);
/** Never aborted: the parent stops a file by killing this process, which native code cannot ignore. */
const signal = new AbortController().signal;

// Ctrl-C and a service manager's SIGTERM reach the whole process group. The parent decides what
// an interrupt means for the file (and kills this process at once), so a child that died first
// is not mistaken for a crash.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// The parent is gone (killed, crashed): nobody is waiting for the result.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ParentMessage) => {
  if (ocr.settle(message)) return;
  if (message.type === 'extract') void extract(message.input);
});
send({ type: 'ready' });

async function extract(input: IsolatedExtractInput): Promise<void> {
  try {
    const extractor = await extractorFor(input.mime);
    if (!extractor) throw new DoccatError('E_UNSUPPORTED_TYPE', `no extractor for ${input.mime}`);
    const result = await extractor({ ...input, ocr: () => ocr, signal, onPage: (info) => send({ type: 'page', ocr: info.ocr }) });
    send({ type: 'done', result: capText(result, input.options.maxTextBytes) });
  } catch (error) {
    send({ type: 'failed', error: toErrorInfo(isStackOverflow(error) ? nestedTooDeeply('the file', error) : error) });
  }
}
