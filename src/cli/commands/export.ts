import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { buildTree, type FilterFlags } from '../filters.js';
import { formatDocumentId } from '../../app/ids.js';
import { problemLine, writeJson, writeNdjson } from '../output.js';
import { Progress, formatDuration } from '../progress.js';
import { blobStores } from '../../app/stores.js';
import { parseSince } from './stats.js';
import { ExitCode, usageError } from '../../errors.js';
import { currentActor } from '../../observability/actor.js';
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


/** `doccat export DIR [query]`: originals under readable names, a manifest to restore them, sidecars on request. */
export async function exportCommand(directory: string, words: string[], options: ExportFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  if (options.prune && options.since) throw usageError('E_USAGE', '--prune cannot be combined with --since', '--prune removes what is not selected; with --since most documents are not selected. Run --prune without --since');
  const { parseTemplate } = await import('../../pipeline/export/names.js');
  const template = parseTemplate(options.template ?? context.config.config.export.template);
  const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
  const tree = buildTree(words.join(' '), { ...options, limit: 0, offset: 0 });
  const catalog = await openCatalog(context, { readonly: true });
  const progress = await Progress.create(!context.output.quiet && !context.output.ndjson, 'documents');
  try {
    const [{ matchingDocumentIds }, { documentRecords, idsChangedSince }, { runExport }] = await Promise.all([import('../../db/search/search.js'), import('../../db/export-records.js'), import('../../pipeline/export/export.js')]);
    const db = catalog.database.db;
    let ids = await matchingDocumentIds(db, tree, options.limit);
    if (since !== undefined) {
      const changed = await idsChangedSince(db, since);
      ids = ids.filter((id) => changed.has(id));
    }
    progress.setTotal(ids.length);
    const stores = await blobStores(context);
    const report = await runExport(
      {
        directory,
        ids,
        template,
        textSidecars: Boolean(options.text),
        metadataSidecars: Boolean(options.metadata),
        searchable: Boolean(options.searchable),
        prune: Boolean(options.prune),
        concurrency: options.jobs ?? Math.min(8, Math.max(2, os.availableParallelism())),
        signal: context.signal,
      },
      { records: (page) => documentRecords(db, page), openStore: (name) => stores.open(name), catalogId: await catalog.repository.catalogId(), version: doccatVersion(), logger: context.logger },
      {
        onDocument: (result) => {
          progress.fileDone(result.status === 'failed');
          if (result.error) progress.log(problemLine(formatDocumentId(result.id), result.error, context.output.stderrColor));
          if (context.output.ndjson) writeNdjson({ event: 'document', ...result });
        },
      },
    );
    progress.stop();
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
  } finally {
    progress.stop();
    await catalog.close();
  }
}

export interface ImportFlags {
  jobs?: number;
  ndjson?: boolean;
}

/** `doccat import DIR`: an export's documents into this catalogue; twice adds nothing. */
export async function importCommand(directory: string, options: ImportFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const { config } = context.config;
  const catalog = await openCatalog(context, { readonly: false });
  const progress = await Progress.create(!context.output.quiet && !context.output.ndjson, 'documents');
  try {
    const store = await (await blobStores(context, { catalog, register: true })).forWriting();
    const [{ StagingArea }, { ClaimRepository }, { CLAIM_LEASE_MS }, { runImport }] = await Promise.all([
      import('../../pipeline/source-file.js'),
      import('../../db/claims.js'),
      import('../../pipeline/ingest.js'),
      import('../../pipeline/export/import.js'),
    ]);
    const staging = await StagingArea.open(path.join(context.config.catalogDir, '.staging'));
    await catalog.repository.startRun(context.runId, 'import');
    const report = await runImport(
      {
        directory,
        concurrency: options.jobs ?? config.ingest.jobs ?? Math.min(8, Math.max(2, os.availableParallelism())),
        maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024,
        maxTextBytes: Math.floor(config.ingest.maxTextMb * 1024 * 1024),
        signal: context.signal,
      },
      { repository: catalog.repository, claims: new ClaimRepository(catalog.database.db, context.runId, CLAIM_LEASE_MS), store, staging, runId: context.runId, actor: currentActor(), logger: context.logger },
      {
        onDocument: (result) => {
          progress.fileDone(result.status === 'failed');
          const where = result.exportId !== undefined ? `${formatDocumentId(result.exportId)} (in the export)` : `manifest line ${result.line}`;
          if (result.error) progress.log(problemLine(where, result.error, context.output.stderrColor));
          if (typeof result.searchablePdf === 'object') progress.log(problemLine(where, result.searchablePdf.skipped, context.output.stderrColor));
          if (context.output.ndjson) writeNdjson({ event: 'document', ...result });
        },
      },
    );
    progress.stop();
    const { results, ...summary } = report;
    await catalog.repository.finishRun(context.runId, summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'partial' : 'ok', { total: summary.documents, imported: summary.imported, present: summary.present, failed: summary.failed });
    const failures = results.filter((result) => result.status === 'failed');
    if (context.output.json) writeJson({ ...summary, failures });
    else if (context.output.ndjson) writeNdjson({ event: 'summary', ...summary });
    else process.stdout.write(`${[`${summary.documents} documents`, `${summary.imported} imported`, `${summary.present} already in the catalogue`, `${summary.failed} failed`, ...(summary.partsLinked > 0 ? [`${summary.partsLinked} parts linked`] : []), ...(summary.searchablePdfs > 0 ? [`${summary.searchablePdfs} searchable PDFs`] : []), `in ${formatDuration(summary.durationMs / 1000)}`].join(' · ')}\n`);
    if (summary.interrupted && !context.output.quiet) process.stderr.write('doccat: interrupted; run the same import again to finish it\n');
    return summary.interrupted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    progress.stop();
    await catalog.close();
  }
}
