import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import type { OcrEngineSetting } from '../../extract/ocr/select.js';
import { prepareIngest } from '../../app/ingest-setup.js';
import type { OpenCatalog } from '../../app/catalog.js';
import type { CommandContext } from '../context.js';
import { Progress, formatDuration } from '../progress.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { ExitCode } from '../../errors.js';
import { formatDocumentId } from '../../app/ids.js';
import type { FileOutcome, IngestSummary } from '../../pipeline/ingest.js';
import { memberRecorder, outcomeDescriber, provenanceRecorder } from '../../app/ingest-records.js';
import { assertInputsExist } from '../inputs.js';
import { ownPaths } from '../../app/own-paths.js';

export interface IngestFlags {
  include: string[];
  exclude: string[];
  recursive: boolean;
  hidden?: boolean;
  followSymlinks?: boolean;
  dryRun?: boolean;
  jobs?: number;
  ocr: boolean;
  ocrEngine?: OcrEngineSetting;
  searchablePdf: boolean;
  ndjson?: boolean;
  enqueue?: boolean;
  hooks?: boolean;
  /** --ci / --no-ci: record (or not) where the files came from; default: whether CI=true. */
  ci?: boolean;
  label: string[];
  url?: boolean;
  unpack?: boolean;
}

export async function ingestCommand(paths: string[], options: IngestFlags, command: Command): Promise<number> {
  assertInputsExist(paths, 'file or folder');
  const context = await createContext(command);
  const { config } = context.config;
  const { output } = context;

  const catalog = await openCatalog(context, { readonly: false, scratch: Boolean(options.dryRun) });
  if (options.enqueue) return enqueueCommand(paths, options, context, catalog);
  const setup = await prepareIngest(context, catalog, { ...(options.jobs ? { jobs: options.jobs } : {}), dryRun: Boolean(options.dryRun), ocr: options.ocr !== false, searchablePdf: options.searchablePdf !== false, ...(options.ocrEngine ? { ocrEngine: options.ocrEngine } : {}) });
  const { jobs } = setup;

  const progress = await Progress.create(!output.quiet);
  const cwd = process.cwd();
  const display = (filePath: string) => {
    const relative = path.relative(cwd, filePath);
    return relative.startsWith('..') ? filePath : relative || '.';
  };

  const { runIngest } = await import('../../pipeline/ingest.js');
  const startedAt = new Date();
  // A dry run commits nothing: no hooks and no alert checks, only its spans.
  const automation = options.dryRun ? undefined : await (await import('../../app/automation.js')).openAutomation(context, catalog, {
        command: 'ingest',
        hooks: options.hooks !== false,
        onAlert: (transition) => {
          if (!context.output.quiet) process.stderr.write(`doccat: alert ${transition.event === 'alert.fired' ? 'fired' : 'resolved'}: ${transition.rule.name}: ${transition.message}\n`);
        },
      });
  setup.deps.traceParent = automation?.runSpan;
  if (!options.dryRun) await catalog.repository.startRun(context.runId, 'ingest');
  // Where the files came from (a CI run, git, --label), recorded with each file's document.
  if (!options.dryRun) setup.deps.sightings = await provenanceRecorder(context, catalog, { ...(options.ci !== undefined ? { ci: options.ci } : {}), labels: options.label ?? [] });
  if (!options.dryRun && (options.unpack || config.ingest.unpack)) setup.deps.members = await memberRecorder(catalog);
  const describe = await outcomeDescriber(context, catalog, { dryRun: Boolean(options.dryRun), locations: output.json || output.ndjson, url: Boolean(options.url) });
  let written = Promise.resolve();
  let result: { summary: IngestSummary; files: FileOutcome[] };
  try {
    result = await runIngest(
      {
        paths,
        include: [...config.ingest.include, ...options.include],
        exclude: [...config.ingest.exclude, ...options.exclude],
        recursive: options.recursive !== false && config.ingest.recursive,
        hidden: Boolean(options.hidden) || config.ingest.hidden,
        followSymlinks: Boolean(options.followSymlinks) || config.ingest.followSymlinks,
        own: ownPaths(context.config),
        jobs,
        dryRun: Boolean(options.dryRun),
        maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024,
        extract: setup.extract,
        searchablePdf: setup.searchablePdf,
        signal: context.signal,
        unknownFiles: config.ingest.unknownFiles,
        unpack: Boolean(options.unpack) || config.ingest.unpack,
      },
      setup.deps,
      {
        onWalked: (total) => progress.setTotal(total),
        onPage: ({ ocr: usedOcr }) => progress.page(usedOcr),
        onFile: (outcome) => {
          progress.fileDone(outcome.status === 'failed');
          // Under -q only failures reach stderr: a skipped link or pipe is on purpose, and cron mails every line.
          if (outcome.error && (outcome.status === 'failed' || !output.quiet)) progress.log(problemLine(display(outcome.path), outcome.error, output.stderrColor));
          // In order, each with its blob's location (looked up, so the order of lines may lag the files by a query).
          if (output.ndjson) written = written.then(async () => writeNdjson({ event: 'file', runId: context.runId, ...(await describe(outcome)) }));
          automation?.document(outcome);
        },
      },
    );
  } catch (error) {
    await automation?.close().catch(() => undefined);
    throw error;
  } finally {
    await written.catch(() => undefined);
    progress.stop();
    await setup.close();
  }
  const { summary } = result;
  const files = output.json ? await Promise.all(result.files.map(describe)) : result.files;
  try {
    if (!options.dryRun) {
      const status = summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok';
      const counts = { total: summary.total, catalogued: summary.catalogued, duplicate: summary.duplicate, unchanged: summary.unchanged, failed: summary.failed, skipped: summary.skipped, parts: summary.parts, ocrPages: summary.ocrPages };
      await catalog.repository.finishRun(context.runId, status, counts);
      automation?.runFinished({ status, startedAt, counts, failures: result.files.filter((file) => file.status === 'failed') });
      await automation?.checkAlerts();
    }
  } finally {
    // Hooks still queued are delivered (or given up on) before the catalogue closes: their outcomes are recorded in it.
    await automation?.close();
    if (options.dryRun) await setup.deps.tracer?.shutdown();
    await catalog.close();
  }
  await written;

  const exitCode = summary.interrupted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  if (output.json) {
    writeJson({ runId: context.runId, catalog: context.config.catalogDir, dryRun: Boolean(options.dryRun), summary, files: sorted });
  } else if (output.ndjson) {
    writeNdjson({ event: 'summary', catalog: context.config.catalogDir, dryRun: Boolean(options.dryRun), ...summary });
  } else if (!output.quiet) {
    // A re-run where nothing changed is one line; --verbose lists the unchanged files too.
    const shown = output.verbose ? sorted : sorted.filter((file) => file.status !== 'unchanged');
    const rows = shown.map((file) => [
      truncateMiddle(display(file.path), 60),
      statusText(file, output.color),
      file.type ?? '',
      file.method ?? '',
      file.pages ?? '',
      file.status === 'failed' || file.status === 'skipped' ? file.error?.code ?? '' : file.documentId !== undefined ? formatDocumentId(file.documentId) : '',
    ]);
    if (rows.length > 0) process.stdout.write(`${await renderTable(['file', 'status', 'type', 'method', 'pages', 'id / error'], rows, output.color)}\n`);
    const parts = [
      `${summary.total} files`,
      `${summary.catalogued} catalogued`,
      ...(summary.parts > 0 ? [`${summary.parts} ${summary.parts === 1 ? 'part' : 'parts'} (attachments, messages) catalogued`] : []),
      `${summary.duplicate} duplicate`,
      `${summary.unchanged} unchanged`,
      `${summary.failed} failed`,
      ...(summary.skipped > 0 ? [`${summary.skipped} skipped`] : []),
      ...(options.dryRun ? [`${summary.new} new (dry run: nothing written)`] : []),
      ...(summary.interrupted ? [`${summary.total - files.length} not reached (interrupted)`] : []),
      `${summary.pages} pages (${summary.ocrPages} OCRed)`,
      `in ${formatDuration(summary.durationMs / 1000)}`,
    ];
    process.stdout.write(`${parts.join(' · ')}\n`);
    if (!options.dryRun) process.stderr.write(`catalogue: ${context.config.catalogDir}\n`);
  }
  if (summary.interrupted && !output.quiet) process.stderr.write('doccat: interrupted; run the same command again to finish the rest\n');
  return exitCode;
}

function statusText(file: FileOutcome, color: boolean): string {
  switch (file.status) {
    case 'catalogued':
      return paint(color, 'green', file.status);
    case 'failed':
      return paint(color, 'red', file.status);
    default:
      return paint(color, 'dim', file.status);
  }
}

/** `ingest --enqueue`: records the files as jobs for `doccat worker`, extracting nothing here. */
async function enqueueCommand(paths: string[], options: IngestFlags, context: CommandContext, catalog: OpenCatalog): Promise<number> {
  const { config } = context.config;
  try {
    const [{ walkPaths, isWalkedFile }, { openQueue }] = await Promise.all([import('../../pipeline/walk.js'), import('../../app/queue.js')]);
    const entries = await walkPaths(paths, {
      include: [...config.ingest.include, ...options.include],
      exclude: [...config.ingest.exclude, ...options.exclude],
      recursive: options.recursive !== false && config.ingest.recursive,
      hidden: Boolean(options.hidden) || config.ingest.hidden,
      followSymlinks: Boolean(options.followSymlinks) || config.ingest.followSymlinks,
      own: ownPaths(context.config),
    });
    // A file reached through a link the walk chose to follow is queued by its real path: the
    // worker does not know the folders given here, and follows no link out of its own.
    const files = await Promise.all(entries.filter(isWalkedFile).map(async (entry) => (entry.viaLink ? fs.promises.realpath(entry.path).catch(() => entry.path) : path.resolve(entry.path))));
    const queue = await openQueue(context, catalog);
    // The workers' file spans continue this trace (the context travels with each job).
    const tracer = await (await import('../../app/tracing.js')).tracerFor(context);
    const span = tracer.enabled ? tracer.start('doccat.enqueue', { attributes: { 'doccat.run_id': context.runId, 'doccat.files': files.length } }) : undefined;
    try {
      const enqueued = options.dryRun ? 0 : await queue.enqueue(files, { traceParent: span?.traceParent });
      // What the walk could not read gets its line and its failure record here, as plain ingest
      // gives it: no worker will ever see it.
      const unreadable = entries.flatMap((entry) => (entry.error === undefined ? [] : [{ path: entry.path, error: entry.error }]));
      for (const entry of unreadable) {
        process.stderr.write(`${problemLine(entry.path, entry.error, context.output.stderrColor)}\n`);
        if (!options.dryRun) await catalog.repository.recordFailure({ path: entry.path, sha256: null, size: null, mtimeMs: null, runId: context.runId }, entry.error);
      }
      const skipped = entries.filter((entry) => entry.skipped !== undefined).length;
      const summary = { files: files.length, enqueued, alreadyQueued: options.dryRun ? 0 : files.length - enqueued, unreadable: unreadable.length, skipped, dryRun: Boolean(options.dryRun) };
      if (context.output.json) writeJson(summary);
      else if (context.output.ndjson) writeNdjson({ event: 'summary', ...summary });
      else if (!context.output.quiet) process.stdout.write(`${files.length} files: ${enqueued} queued for \`doccat worker\`${summary.alreadyQueued > 0 ? `, ${summary.alreadyQueued} already queued` : ''}${summary.unreadable > 0 ? `, ${summary.unreadable} unreadable` : ''}${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
      return unreadable.length > 0 ? ExitCode.someFailed : ExitCode.ok;
    } finally {
      span?.end();
      await tracer.shutdown();
      await queue.close();
    }
  } finally {
    await catalog.close();
  }
}
