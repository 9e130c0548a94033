import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { configureLogRedaction } from '../../observability/redact.js';
import { createContext } from '../context.js';
import type { OcrEngineSetting } from '../../extract/ocr/select.js';
import { openQueuedIngest } from '../../app/ingest-setup.js';
import { formatDocumentId } from '../../app/ids.js';
import { problemLine, writeNdjson } from '../output.js';
import { workerLiveness } from '../../app/queue.js';
import { ExitCode, toErrorInfo, usageError, type ErrorInfo } from '../../errors.js';
import type { WatchEvent } from '../../pipeline/watch.js';
import { assertInputsExist } from '../inputs.js';
import { ownPaths } from '../../app/own-paths.js';
import { terminalSafe } from '../../text/terminal.js';

export interface WatchFlags {
  poll?: boolean | number;
  stable: number;
  archive?: string;
  failed?: string;
  deleteAfterIngest?: boolean;
  jobs?: number;
  ocrEngine?: OcrEngineSetting;
  searchablePdf?: boolean;
  ndjson?: boolean;
  hooks?: boolean;
}

/** Catalogues each file that arrives in the folders, for as long as it runs. */
export async function watchCommand(dirs: string[], options: WatchFlags, command: Command): Promise<number> {
  if (options.archive && options.deleteAfterIngest) throw usageError('E_USAGE', '--archive and --delete-after-ingest cannot be used together', 'pick one');
  assertInputsExist(dirs, 'folder');
  const context = await createContext(command);
  const { config } = context.config;
  const run = await openQueuedIngest(context, { ...(options.jobs ? { jobs: options.jobs } : {}), searchablePdf: options.searchablePdf !== false, ...(options.ocrEngine ? { ocrEngine: options.ocrEngine } : {}), roots: dirs });
  const { catalog, setup, queue } = run;
  const color = context.output.stderrColor;
  const { watchFolders } = await import('../../pipeline/watch.js');
  const pollMs = options.poll === true ? 1000 : typeof options.poll === 'number' ? options.poll : undefined;
  const startedAt = new Date();
  const automation = await (await import('../../app/automation.js')).openAutomation(context, catalog, {
    command: 'watch',
    hooks: options.hooks !== false,
    onAlert: (transition) => {
      if (context.output.ndjson) writeNdjson({ event: transition.event, name: transition.rule.name, message: transition.message, value: transition.value, at: transition.at });
      else if (!context.output.quiet) process.stderr.write(`alert ${transition.event === 'alert.fired' ? 'fired' : 'resolved'}: ${transition.rule.name}: ${transition.message}\n`);
    },
  });
  const counts: Record<string, number> = { done: 0, duplicate: 0, unchanged: 0, failed: 0, skipped: 0 };
  const failures: { path: string; error?: ErrorInfo | undefined }[] = [];
  // Hooks hear of a file once it is committed, or once it has failed for the last time.
  const notify = (event: WatchEvent) => {
    if (event.event === 'done' || event.event === 'duplicate' || event.event === 'unchanged' || event.event === 'skipped') counts[event.event] = (counts[event.event] ?? 0) + 1;
    if (event.event === 'done' || event.event === 'duplicate') automation.document({ path: event.path, status: event.event === 'done' ? 'catalogued' : 'duplicate', documentId: event.documentId, correlationId: event.correlationId });
    else if (event.event === 'failed' && event.final) {
      counts.failed = (counts.failed ?? 0) + 1;
      failures.push({ path: event.path, error: event.error });
      automation.document({ path: event.path, status: 'failed', correlationId: event.correlationId, error: event.error });
    }
  };
  const report = (event: WatchEvent) => {
    notify(event);
    if (context.output.ndjson) {
      writeNdjson({ ...event, at: new Date().toISOString() });
      return;
    }
    // One line per event whatever the name holds (a newline in it would forge a second line); the
    // terminal guard would keep the newline, since it lets a line's own end through.
    const file = path.basename(event.path);
    const name = terminalSafe(file);
    const movedTo = 'movedTo' in event && event.movedTo !== undefined ? terminalSafe(event.movedTo) : undefined;
    // -q keeps what needs a person (failures, files left in place) and drops the rest.
    if (event.event === 'failed') process.stderr.write(`${problemLine(file, event.error ?? { code: 'E_INTERNAL', message: 'failed' }, color)}${event.final ? (movedTo ? ` -> ${movedTo}` : '') : ` (attempt ${event.attempt}, will retry)`}\n`);
    else if (event.event === 'kept') process.stderr.write(`${problemLine(`${file}: left in place, not ${event.action === 'delete' ? 'deleted' : event.action === 'archive' ? 'archived' : 'moved to the failed folder'}`, event, color)}\n`);
    else if (context.output.quiet) return;
    else if (event.event === 'skipped') process.stderr.write(`${problemLine(file, event, color)}\n`);
    else if (event.event !== 'queued') process.stdout.write(`${name}: ${event.event}${event.documentId !== undefined ? ` ${formatDocumentId(event.documentId)}` : ''}${movedTo ? ` -> ${movedTo}` : ''}\n`);
  };
  // SIGHUP, or a change to the config file, reloads rules and providers; a config that does not
  // validate is reported and the running one kept.
  const reload = async (reason: string) => {
    try {
      const { loadConfig } = await import('../../config/load.js');
      const globals = command.optsWithGlobals<{ config?: string; catalog?: string }>();
      const next = await loadConfig({
        ...(globals.config ? { configPath: globals.config } : {}),
        ...(globals.catalog ? { catalogDir: globals.catalog } : {}),
        ...(context.config.environment ? { environment: context.config.environment } : {}),
      });
      const { createClassifier } = await import('../../app/classifier.js');
      setup.deps.classifier = (await createClassifier({ ...context, config: next }, catalog)).classifier;
      // Feature flags and log redaction follow the file too; the OCR pool starts on first use.
      setup.extract.ocrEnabled = next.config.features.ocr;
      configureLogRedaction({ patterns: next.config.redaction.patterns, builtIn: next.config.features.redaction });
      context.logger.info({ reason }, 'configuration reloaded');
      if (context.output.ndjson) writeNdjson({ event: 'reloaded', reason, at: new Date().toISOString() });
      else if (!context.output.quiet) process.stderr.write(`configuration reloaded (${reason})\n`);
    } catch (error) {
      const info = toErrorInfo(error);
      context.logger.error({ reason, code: info.code }, 'configuration not reloaded');
      if (context.output.ndjson) writeNdjson({ event: 'reload-failed', reason, error: info, at: new Date().toISOString() });
      process.stderr.write(`${problemLine('configuration not reloaded, the running one is kept', info, color)}\n`);
    }
  };
  const onHangup = () => void reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  const configFile = context.config.filepath;
  let debounce: NodeJS.Timeout | undefined;
  const configWatcher = configFile
    ? fs.watch(path.dirname(configFile), (_event, name) => {
        if (name !== path.basename(configFile)) return;
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload(`${path.basename(configFile)} changed`), 300);
      })
    : undefined;
  try {
    await catalog.repository.startRun(context.runId, 'watch');
    automation.watchAlerts();
    if (!context.output.quiet && !context.output.ndjson) process.stderr.write(`watching ${dirs.join(', ')}${pollMs ? ` (polling every ${pollMs} ms)` : ''}; Ctrl-C to stop\n`);
    await watchFolders(
      {
        roots: dirs,
        pollMs,
        stableMs: options.stable,
        ignore: config.ingest.exclude,
        archiveDir: options.archive,
        failedDir: options.failed,
        own: ownPaths(context.config),
        deleteAfterIngest: Boolean(options.deleteAfterIngest),
        concurrency: setup.jobs,
        maxAttempts: config.queue.maxAttempts,
        signal: context.signal,
        liveness: workerLiveness(context, catalog, queue, 'watch'),
      },
      queue,
      (filePath) => setup.ingestPath(filePath),
      report,
      context.logger,
    );
    await catalog.repository.finishRun(context.runId, 'interrupted', {});
    automation.runFinished({ status: 'interrupted', startedAt, counts, failures });
    await automation.checkAlerts();
  } finally {
    process.off('SIGHUP', onHangup);
    configWatcher?.close();
    clearTimeout(debounce);
    await run.close(() => automation.close());
  }
  // Stopping is how a watch ends: a clean stop is success. A second Ctrl-C exits 130 in main.ts.
  return ExitCode.ok;
}
