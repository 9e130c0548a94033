import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../catalog.js';
import type { OcrEngineSetting } from '../../extract/ocr/select.js';
import { prepareIngest } from '../ingest-setup.js';
import type { OpenCatalog } from '../catalog.js';
import type { CommandContext } from '../context.js';
import { Progress, formatDuration } from '../progress.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { ExitCode } from '../../errors.js';
import { formatDocumentId } from '../ids.js';
import type { FileOutcome, IngestSummary } from '../../pipeline/ingest.js';

interface IngestFlags {
  include: string[];
  exclude: string[];
  recursive: boolean;
  hidden?: boolean;
  followSymlinks?: boolean;
  dryRun?: boolean;
  jobs?: number;
  ocr: boolean;
  ocrEngine?: OcrEngineSetting;
  ndjson?: boolean;
  enqueue?: boolean;
}

export async function ingestCommand(paths: string[], flags: Record<string, unknown>, command: Command): Promise<number> {
  const options = flags as unknown as IngestFlags;
  const context = await createContext(command);
  const { config } = context.loaded;
  const { output } = context;

  const catalog = await openCatalog(context, { readonly: false, scratch: Boolean(options.dryRun) });
  if (options.enqueue) return enqueueCommand(paths, options, context, catalog);
  const setup = await prepareIngest(context, catalog, { ...(options.jobs ? { jobs: options.jobs } : {}), dryRun: Boolean(options.dryRun), ocr: options.ocr !== false, ...(options.ocrEngine ? { ocrEngine: options.ocrEngine } : {}) });
  const { jobs } = setup;

  const progress = await Progress.create(!output.quiet);
  const cwd = process.cwd();
  const display = (filePath: string) => {
    const relative = path.relative(cwd, filePath);
    return relative.startsWith('..') ? filePath : relative || '.';
  };

  const { runIngest } = await import('../../pipeline/ingest.js');
  if (!options.dryRun) await catalog.repository.startRun(context.runId, 'ingest');
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
        jobs,
        dryRun: Boolean(options.dryRun),
        maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024,
        extract: setup.extract,
        signal: context.signal,
      },
      setup.deps,
      {
        onWalked: (total) => progress.setTotal(total),
        onPage: ({ ocr: usedOcr }) => progress.page(usedOcr),
        onFile: (outcome) => {
          progress.fileDone(outcome.status === 'failed');
          if (outcome.error) progress.log(problemLine(display(outcome.path), outcome.error, output.color && Boolean(process.stderr.isTTY)));
          if (output.ndjson) writeNdjson({ event: 'file', runId: context.runId, ...outcome });
        },
      },
    );
  } finally {
    progress.stop();
    await setup.close();
  }
  const { summary, files } = result;
  if (!options.dryRun) {
    await catalog.repository.finishRun(context.runId, summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok', {
      total: summary.total,
      catalogued: summary.catalogued,
      duplicate: summary.duplicate,
      unchanged: summary.unchanged,
      failed: summary.failed,
      skipped: summary.skipped,
      ocrPages: summary.ocrPages,
    });
  }
  await catalog.close();

  const exitCode = summary.interrupted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  if (output.json) {
    writeJson({ runId: context.runId, catalog: context.loaded.catalogDir, dryRun: Boolean(options.dryRun), summary, files: sorted });
  } else if (output.ndjson) {
    writeNdjson({ event: 'summary', catalog: context.loaded.catalogDir, dryRun: Boolean(options.dryRun), ...summary });
  } else {
    const rows = sorted.map((file) => [
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
    if (!output.quiet && !options.dryRun) process.stderr.write(`catalogue: ${context.loaded.catalogDir}\n`);
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
  const { config } = context.loaded;
  try {
    const [{ walkPaths, isWalkedFile }, { openQueue }] = await Promise.all([import('../../pipeline/walk.js'), import('../queue.js')]);
    const entries = await walkPaths(paths, {
      include: [...config.ingest.include, ...options.include],
      exclude: [...config.ingest.exclude, ...options.exclude],
      recursive: options.recursive !== false && config.ingest.recursive,
      hidden: Boolean(options.hidden) || config.ingest.hidden,
      followSymlinks: Boolean(options.followSymlinks) || config.ingest.followSymlinks,
    });
    // A file reached through a link the walk chose to follow is queued by its real path: the
    // worker does not know the folders given here, and follows no link out of its own.
    const files = await Promise.all(entries.filter(isWalkedFile).map(async (entry) => (entry.viaLink ? fs.promises.realpath(entry.path).catch(() => entry.path) : path.resolve(entry.path))));
    const queue = await openQueue(context, catalog);
    try {
      const enqueued = options.dryRun ? 0 : await queue.enqueue(files);
      const skipped = entries.filter((entry) => entry.skipped !== undefined).length;
      const summary = { files: files.length, enqueued, alreadyQueued: options.dryRun ? 0 : files.length - enqueued, unreadable: entries.length - files.length - skipped, skipped, dryRun: Boolean(options.dryRun) };
      if (context.output.json || context.output.ndjson) writeJson(summary);
      else if (!context.output.quiet) process.stderr.write(`${files.length} files: ${enqueued} queued for \`doccat worker\`${summary.alreadyQueued > 0 ? `, ${summary.alreadyQueued} already queued` : ''}${summary.unreadable > 0 ? `, ${summary.unreadable} unreadable` : ''}${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
      return ExitCode.ok;
    } finally {
      await queue.close();
    }
  } finally {
    await catalog.close();
  }
}
