import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../catalog.js';
import { blobStores } from '../stores.js';
import { Progress, formatDuration } from '../progress.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { ExitCode } from '../../errors.js';
import { formatDocumentId } from '../ids.js';
import type { FileOutcome, IngestSummary } from '../../pipeline/ingest.js';
import type { OcrPool } from '../../extract/ocr/pool.js';

interface IngestFlags {
  include: string[];
  exclude: string[];
  recursive: boolean;
  hidden?: boolean;
  dryRun?: boolean;
  jobs?: number;
  ocr: boolean;
  ndjson?: boolean;
}

export async function ingestCommand(paths: string[], flags: Record<string, unknown>, command: Command): Promise<number> {
  const options = flags as unknown as IngestFlags;
  const context = await createContext(command);
  const { config } = context.loaded;
  const { output } = context;
  const jobs = options.jobs ?? config.ingest.jobs ?? Math.max(1, os.availableParallelism());

  const catalog = await openCatalog(context, { readonly: false, scratch: Boolean(options.dryRun) });
  const store = options.dryRun ? undefined : await (await blobStores(context)).forWriting();
  const { createClassifier } = await import('../classifier.js');
  const { classifier } = await createClassifier(context, catalog);

  let pool: OcrPool | undefined;
  const { OcrPool: OcrPoolClass } = await import('../../extract/ocr/pool.js');
  const ocr = () => {
    pool ??= new OcrPoolClass({
      languages: config.ocr.languages,
      ...(config.ocr.langPath ? { langPath: config.ocr.langPath } : {}),
      size: jobs,
      pageTimeoutMs: config.ocr.pageTimeoutMs,
      recycleAfterPages: config.ocr.recycleAfterPages,
    });
    return pool;
  };
  const ocrEnabled = config.ocr.enabled && options.ocr !== false;
  // A missing language is a configuration error: report it once, before any file is touched.
  if (ocrEnabled) ocr().checkLanguages();

  const progress = await Progress.create(!output.quiet);
  const cwd = process.cwd();
  const display = (filePath: string) => {
    const relative = path.relative(cwd, filePath);
    return relative.startsWith('..') ? filePath : relative || '.';
  };

  const { runIngest, CLAIM_LEASE_MS } = await import('../../pipeline/ingest.js');
  const { ClaimRepository } = await import('../../db/claims.js');
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
        jobs,
        dryRun: Boolean(options.dryRun),
        maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024,
        extract: {
          ocrEnabled,
          renderDpi: config.ocr.renderDpi,
          maxPagePixels: config.ocr.maxPagePixels,
          minTextCharsPerPage: config.ocr.minTextCharsPerPage,
          pdfPasswords: config.pdf.passwords,
        },
        signal: context.signal,
      },
      { runId: context.runId, repository: catalog.repository, claims: new ClaimRepository(catalog.database.db, context.runId, CLAIM_LEASE_MS), store, classifier, ocr, logger: context.logger },
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
    await pool?.close();
  }
  const { summary, files } = result;
  if (!options.dryRun) {
    await catalog.repository.finishRun(context.runId, summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok', {
      total: summary.total,
      catalogued: summary.catalogued,
      duplicate: summary.duplicate,
      unchanged: summary.unchanged,
      failed: summary.failed,
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
      file.status === 'failed' ? file.error?.code ?? '' : file.documentId !== undefined ? formatDocumentId(file.documentId) : '',
    ]);
    if (rows.length > 0) process.stdout.write(`${await renderTable(['file', 'status', 'type', 'method', 'pages', 'id / error'], rows, output.color)}\n`);
    const parts = [
      `${summary.total} files`,
      `${summary.catalogued} catalogued`,
      `${summary.duplicate} duplicate`,
      `${summary.unchanged} unchanged`,
      `${summary.failed} failed`,
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
