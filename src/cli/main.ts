import { CommanderError } from 'commander';
import { DoccatError, ExitCode, toErrorInfo } from '../errors.js';
import { interrupt } from './interrupt.js';
import { redactText } from '../observability/redact.js';
import { colorEnabled, guardTerminalOutput, paint, writeJson, writeNdjson } from './output.js';
import { commandResult, loadProgram } from './program.js';

/** The only place that calls process.exit: everything else returns or throws. */
async function main(argv: string[]): Promise<number> {
  // (--version alone is answered by bin/doccat.js before this module loads.) Everything else
  // starts from the program, imported with this module: one file fewer to find and read at each
  // start. Each command imports what it needs when it runs.
  // Shell completion, before commander: the words typed are data here, not options to parse.
  if (argv[2] === '__complete') {
    try {
      const { printCompletions } = await import('./completion.js');
      await printCompletions(await loadProgram(argv), argv[3] ?? 'bash', argv.slice(4));
    } catch {
      // A completion that fails offers nothing; a shell would print an error mid-line.
    }
    return ExitCode.ok;
  }
  guardTerminalOutput(argv.includes('--no-color') ? false : undefined);
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      // A service manager's SIGTERM to `watch -q` is how it stops, not news for the log.
      if (!argv.includes('-q') && !argv.includes('--quiet')) process.stderr.write('\ndoccat: interrupting: finishing in-flight work safely (press Ctrl-C again to quit at once)\n');
      interrupt();
    } else {
      // Every write is a transaction or an atomic rename, so stopping here leaves nothing half-done.
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that stops reading (`doccat ingest --ndjson | head -1`) ends the run as a first Ctrl-C
  // would: work in flight finishes safely, jobs are handed back, and nothing more is written to
  // the closed pipe (a write there would raise EPIPE again, and the last write's callback must run).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.stdout.write = ((...args: unknown[]) => {
      const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof process.stdout.write;
    interrupts += 1;
    interrupt();
  });

  const program = await loadProgram(argv);
  try {
    await program.parseAsync(argv);
    return commandResult.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    reportError(error, argv.includes('--ndjson') ? 'ndjson' : argv.includes('--json') ? 'json' : undefined);
    return error instanceof DoccatError ? error.exitCode : ExitCode.internal;
  }
}

/** Scripts reading --json get the error as JSON too; --ndjson streams get it as one more line. */
function reportError(error: unknown, json: 'json' | 'ndjson' | undefined): void {
  const emit = (value: { code: string; message: string; hint?: string }) => {
    if (json === 'ndjson') writeNdjson({ event: 'error', error: value });
    else if (json === 'json') writeJson({ error: value });
  };
  const color = colorEnabled(process.stderr, process.argv.includes('--no-color') ? false : undefined);
  if (error instanceof DoccatError) {
    // toErrorInfo redacts what the message may quote (a URL with its password, a header).
    const info = toErrorInfo(error);
    process.stderr.write(`doccat: ${paint(color, 'red', info.code)} ${info.message}\n`);
    if (info.hint) process.stderr.write(`  hint: ${info.hint}\n`);
    emit(info);
    return;
  }
  const message = redactText(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.stderr.write(`doccat: ${paint(color, 'red', 'E_INTERNAL')} ${message}\n  hint: this is a bug in doccat; please report it\n`);
  emit({ code: 'E_INTERNAL', message: redactText(error instanceof Error ? error.message : String(error)) });
}

const code = await main(process.argv);
// Let pending stdout writes flush (pipes are asynchronous) before leaving.
process.stdout.write('', () => process.exit(code));
