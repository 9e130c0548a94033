import { OCR_ENGINE_OPTION, defineCommand, parsePositiveInt, type CommandGroupDefinition } from '../command-definition.js';
import type { WorkerFlags } from './worker.js';

export const workerDefinition = defineCommand<[], WorkerFlags>({
  name: 'worker',
  group: 'Catalogue:',
  description: 'take files queued with `ingest --enqueue` and catalogue them; run on as many machines as needed',
  options: [
    { flags: '-c, --concurrency <n>', description: 'files at once and OCR workers (default: number of cores)', parse: parsePositiveInt },
    OCR_ENGINE_OPTION,
    { flags: '--drain', description: 'exit when the queue is empty instead of waiting for more' },
    { flags: '--no-searchable-pdf', description: 'do not keep a searchable PDF of the scans (ocr.searchablePdf)' },
    { flags: '--ndjson', description: 'one JSON object per job as it finishes' },
    { flags: '--no-hooks', description: 'run no hooks (hooks.onDocument, onRun, onAlert) in this worker' },
  ],
  run: async (options, command) => (await import('./worker.js')).workerCommand(options, command),
});

export const queueDefinition: CommandGroupDefinition = {
  name: 'queue',
  group: 'Catalogue:',
  description: 'the job queue of ingest --enqueue and doccat worker',
  subcommands: [
    defineCommand<[], object>({
      name: 'status',
      description: 'pending, active, completed and failed jobs, and jobs done in the last hour',
      run: async (_options, command) => (await import('./worker.js')).queueStatusCommand(command),
    }),
    defineCommand<[], object>({
      name: 'retry',
      description: 'queue the failed jobs again',
      run: async (_options, command) => (await import('./worker.js')).queueRetryCommand(command),
    }),
  ],
};
