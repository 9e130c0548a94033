import path from 'node:path';
import type { Command } from 'commander';
import { createContext, type CommandContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import type { OcrEngineSetting } from '../../extract/ocr/select.js';
import { openQueuedIngest } from '../../app/ingest-setup.js';
import { formatDocumentId } from '../../app/ids.js';
import { problemLine, renderTable, writeJson, writeNdjson } from '../output.js';
import { openQueue, queueState, workerLiveness, type WorkerView } from '../../app/queue.js';
import type { OpenCatalog } from '../../app/catalog.js';
import { ExitCode, type ErrorInfo } from '../../errors.js';
import type { IngestJob, JobQueue } from '../../queue/contract.js';
import { terminalSafe } from '../../text/terminal.js';

export interface WorkerFlags {
  concurrency?: number;
  searchablePdf?: boolean;
  drain?: boolean;
  ocrEngine?: OcrEngineSetting;
  ndjson?: boolean;
  hooks?: boolean;
}

/** Takes queued files (ingest --enqueue) and runs each through the ingest pipeline. */
export async function workerCommand(options: WorkerFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const run = await openQueuedIngest(context, { ...(options.concurrency ? { jobs: options.concurrency } : {}), searchablePdf: options.searchablePdf !== false, ...(options.ocrEngine ? { ocrEngine: options.ocrEngine } : {}) });
  const { catalog, setup, queue } = run;
  const color = context.output.stderrColor;
  const startedAt = new Date();
  const automation = await (await import('../../app/automation.js')).openAutomation(context, catalog, {
    command: 'worker',
    hooks: options.hooks !== false,
    onAlert: (transition) => {
      if (context.output.ndjson) writeNdjson({ event: transition.event, name: transition.rule.name, message: transition.message, value: transition.value, at: transition.at });
      else if (!context.output.quiet) process.stderr.write(`alert ${transition.event === 'alert.fired' ? 'fired' : 'resolved'}: ${transition.rule.name}: ${transition.message}\n`);
    },
  });
  const failures: { path: string; error?: ErrorInfo | undefined }[] = [];
  let done = 0;
  let failed = 0;
  try {
    await catalog.repository.startRun(context.runId, 'worker');
    automation.watchAlerts();
    if (!context.output.quiet && !context.output.ndjson) process.stderr.write(`worker ${context.runId}: taking jobs (${setup.jobs} at a time)${options.drain ? ' until the queue is empty' : '; Ctrl-C to stop'}\n`);
    // A job whose worker kept dying on it is not run again (queue.maxAttempts); it is reported here.
    const onDeadLetter = async (job: IngestJob, error: ErrorInfo) => {
      failed += 1;
      failures.push({ path: job.path, error });
      automation.document({ path: job.path, status: 'failed', error });
      context.logger.error({ path: job.path, code: error.code }, error.message);
      if (context.output.ndjson) writeNdjson({ event: 'job', jobId: job.id, attempt: job.attempt, runId: context.runId, path: job.path, status: 'failed', error });
      else process.stderr.write(`${problemLine(job.path, error, color)}\n`);
    };
    const liveness = workerLiveness(context, catalog, queue, 'worker');
    await queue.work({ concurrency: setup.jobs, signal: context.signal, drain: Boolean(options.drain), onDeadLetter, liveness }, async (job) => {
      const outcome = await setup.ingestPath(job.path, job.traceParent);
      done += 1;
      if (outcome.status === 'failed') {
        failed += 1;
        failures.push(outcome);
      }
      automation.document(outcome);
      if (context.output.ndjson) writeNdjson({ event: 'job', jobId: job.id, attempt: job.attempt, runId: context.runId, ...outcome });
      else if (outcome.error) process.stderr.write(`${problemLine(outcome.path, outcome.error, color)}\n`);
      else if (!context.output.quiet) process.stdout.write(`${terminalSafe(path.basename(outcome.path))}: ${outcome.status}${outcome.documentId !== undefined ? ` ${formatDocumentId(outcome.documentId)}` : ''}\n`);
    });
    const status = context.signal.aborted ? 'interrupted' : failed > 0 ? 'partial' : 'ok';
    await catalog.repository.finishRun(context.runId, status, { done, failed });
    automation.runFinished({ status, startedAt, counts: { done, failed }, failures });
    await automation.checkAlerts();
  } finally {
    await run.close(() => automation.close());
  }
  if (context.output.json) writeJson({ runId: context.runId, done, failed, interrupted: context.signal.aborted });
  if (context.signal.aborted) return ExitCode.interrupted;
  return failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}

/** Opens the catalogue and its queue for one short command, and closes both after it. */
async function withQueue(command: Command, work: (queue: JobQueue, context: CommandContext, catalog: OpenCatalog) => Promise<number>): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: false });
  const queue = await openQueue(context, catalog);
  try {
    return await work(queue, context, catalog);
  } finally {
    await queue.close();
    await catalog.close();
  }
}

export async function queueStatusCommand(command: Command): Promise<number> {
  return withQueue(command, async (queue, context, catalog) => {
    const status = await queueState(context, catalog, queue);
    const { workers } = status;
    if (context.output.json) writeJson(status);
    else {
      process.stdout.write(`${await renderTable(['pending', 'active', 'completed', 'failed', 'done last hour'], [[status.pending, status.active, status.completed, status.failed, status.completedLastHour]], context.output.color)}\n`);
      if (workers.length > 0) process.stdout.write(`${await renderTable(['worker', 'state', 'host', 'pid', 'command', 'last beat', 'jobs'], workers.map(workerRow), context.output.color)}\n`);
    }
    return ExitCode.ok;
  });
}

export async function queueRetryCommand(command: Command): Promise<number> {
  return withQueue(command, async (queue, context) => {
    const retried = await queue.retryFailed();
    if (context.output.json) writeJson({ retried });
    else if (!context.output.quiet) process.stderr.write(`${retried} failed job(s) queued again\n`);
    return ExitCode.ok;
  });
}

function workerRow(worker: WorkerView): (string | number)[] {
  const jobs = worker.jobs.map((job) => path.basename(job.path)).join(', ');
  return [worker.id, worker.state, worker.host, worker.pid, worker.command, worker.lastBeatAt, jobs || (worker.state === 'alive' ? 'idle' : '')];
}
