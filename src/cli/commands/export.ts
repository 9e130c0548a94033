import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { buildTree, type FilterFlags } from '../filters.js';
import { exportDocuments, importExport } from '../../app/export.js';
import { formatDocumentId } from '../../app/ids.js';
import { problemLine, writeJson, writeNdjson } from '../output.js';
import { Progress, formatDuration } from '../progress.js';
import { parseSince } from './stats.js';
import { ExitCode, usageError } from '../../errors.js';
import { doccatVersion } from '../version.js';

export interface ExportFlags extends Omit<FilterFlags, 'limit'> {
  limit?: number;
  template?: string;
  text?: boolean;
  metadata?: boolean;
  searchable?: boolean;
  since?: string;
  prune?: boolean;
  jobs?: number;
  ndjson?: boolean;
}


/** `doccat export DIR [query]`: originals under readable names, a manifest to restore them, sidecars on request (app/export.ts). */
export async function exportCommand(directory: string, words: string[], options: ExportFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  if (options.prune && options.since) throw usageError('E_USAGE', '--prune cannot be combined with --since', '--prune removes what is not selected; with --since most documents are not selected. Run --prune without --since');
  const { parseTemplate } = await import('../../pipeline/export/names.js');
  const template = parseTemplate(options.template ?? context.config.config.export.template);
  const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
  const tree = buildTree(words.join(' '), { ...options, limit: 0, offset: 0 });
  let progress: Progress | undefined;
  let report;
  try {
    report = await exportDocuments(
      context,
      {
        directory,
        tree,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
        ...(since === undefined ? {} : { since }),
        template,
        text: Boolean(options.text),
        metadata: Boolean(options.metadata),
        searchable: Boolean(options.searchable),
        prune: Boolean(options.prune),
        ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
        version: doccatVersion(),
      },
      {
        started: async (total) => {
          progress = await Progress.create(!context.output.quiet && !context.output.ndjson, 'documents');
          progress.setTotal(total);
        },
        document: (result) => {
          progress?.fileDone(result.status === 'failed');
          if (result.error) progress?.log(problemLine(formatDocumentId(result.id), result.error, context.output.stderrColor));
          if (context.output.ndjson) writeNdjson({ event: 'document', ...result });
        },
      },
    );
  } finally {
    progress?.stop();
  }
  const { results, ...summary } = report;
  const failures = results.filter((result) => result.status === 'failed');
  if (context.output.json) writeJson({ ...summary, failures });
  else if (context.output.ndjson) writeNdjson({ event: 'summary', ...summary });
  else {
    const parts = [
      `${summary.documents} documents in ${path.relative(process.cwd(), summary.directory) || '.'}`,
      `${summary.copied} copied`,
      `${summary.unchanged} unchanged`,
      ...(summary.kept > 0 ? [`${summary.kept} kept from earlier exports`] : []),
      ...(summary.pruned.length > 0 ? [`${summary.pruned.length} files pruned`] : []),
      ...(summary.prunedKept.length > 0 ? [`${summary.prunedKept.length} changed files left in place`] : []),
      `${summary.failed} failed`,
      `in ${formatDuration(summary.durationMs / 1000)}`,
    ];
    process.stdout.write(`${parts.join(' · ')}\n`);
  }
  if (summary.interrupted && !context.output.quiet) process.stderr.write('doccat: interrupted; run the same export again to finish it\n');
  return summary.interrupted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}

export interface ImportFlags {
  jobs?: number;
  ndjson?: boolean;
}

/** `doccat import DIR`: an export's documents into this catalogue; twice adds nothing (app/export.ts). */
export async function importCommand(directory: string, options: ImportFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  let progress: Progress | undefined;
  let report;
  try {
    report = await importExport(
      context,
      { directory, ...(options.jobs === undefined ? {} : { jobs: options.jobs }) },
      {
        started: async () => {
          progress = await Progress.create(!context.output.quiet && !context.output.ndjson, 'documents');
        },
        document: (result) => {
          progress?.fileDone(result.status === 'failed');
          const where = result.exportId !== undefined ? `${formatDocumentId(result.exportId)} (in the export)` : `manifest line ${result.line}`;
          if (result.error) progress?.log(problemLine(where, result.error, context.output.stderrColor));
          if (typeof result.searchablePdf === 'object') progress?.log(problemLine(where, result.searchablePdf.skipped, context.output.stderrColor));
          if (context.output.ndjson) writeNdjson({ event: 'document', ...result });
        },
      },
    );
  } finally {
    progress?.stop();
  }
  const { results, ...summary } = report;
  const failures = results.filter((result) => result.status === 'failed');
  if (context.output.json) writeJson({ ...summary, failures });
  else if (context.output.ndjson) writeNdjson({ event: 'summary', ...summary });
  else process.stdout.write(`${[`${summary.documents} documents`, `${summary.imported} imported`, `${summary.present} already in the catalogue`, `${summary.failed} failed`, ...(summary.partsLinked > 0 ? [`${summary.partsLinked} parts linked`] : []), ...(summary.searchablePdfs > 0 ? [`${summary.searchablePdfs} searchable PDFs`] : []), `in ${formatDuration(summary.durationMs / 1000)}`].join(' · ')}\n`);
  if (summary.interrupted && !context.output.quiet) process.stderr.write('doccat: interrupted; run the same import again to finish it\n');
  return summary.interrupted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
}
