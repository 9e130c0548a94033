import os from 'node:os';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { createClassifier } from '../../app/classifier.js';
import { buildTree, type FilterFlags } from '../filters.js';
import { formatDocumentId } from '../ids.js';
import { paint, problemLine, renderTable, truncateMiddle, writeJson, writeNdjson } from '../output.js';
import { Progress } from '../progress.js';
import { ExitCode, toErrorInfo, type ErrorInfo } from '../../errors.js';
import { forEachLimit } from '../../system/concurrency.js';
import { formatFieldValue, type Classification, type ClassifyInput } from '../../classify/classifier.js';
import type { DocumentRow, FieldValue } from '../../db/documents.js';

export interface ReclassifyFlags extends Omit<FilterFlags, 'limit'> {
  limit?: number;
  provider?: string;
  dryRun?: boolean;
  force?: boolean;
  ndjson?: boolean;
  jobs?: number;
}

interface Change {
  field: string;
  old: string | null;
  new: string | null;
}

interface Outcome {
  id: number;
  ref: string;
  /** On this document's log lines and provider call records too. */
  correlationId: string;
  title: string;
  classifier?: string;
  rule?: string;
  confidence?: number;
  changes: Change[];
  /** Fields set by hand that the new classification would have changed and did not. */
  keptManual: string[];
  error?: ErrorInfo;
}

export async function reclassifyCommand(words: string[], options: ReclassifyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const tree = buildTree(words.join(' '), { ...options, limit: 0, offset: 0 });
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const { matchingDocumentIds } = await import('../../db/search/search.js');
    const ids = await matchingDocumentIds(catalog.database.db, tree, options.limit);
    const { classifier } = await createClassifier(context, catalog, { ...(options.provider ? { onlyProvider: options.provider } : {}), force: Boolean(options.force), retrain: !options.dryRun });
    if (!options.dryRun) await catalog.repository.startRun(context.runId, 'reclassify');
    const progress = await Progress.create(!context.output.quiet, 'documents');
    progress.setTotal(ids.length);
    const outcomes: Outcome[] = [];
    const jobs = options.jobs ?? context.config.config.ingest.jobs ?? Math.max(1, os.availableParallelism());
    const reclassifyAndReport = async (id: number) => {
      const outcome = await reclassifyOne(id).catch((error: unknown): Outcome | undefined => {
        if (context.signal.aborted) return undefined;
        return { id, ref: formatDocumentId(id), correlationId: correlationOf(id), title: '', changes: [], keptManual: [], error: toErrorInfo(error) };
      });
      if (!outcome) return;
      outcomes.push(outcome);
      progress.fileDone(outcome.error !== undefined);
      if (outcome.error) progress.log(problemLine(outcome.ref, outcome.error, context.output.stderrColor));
      if (context.output.ndjson) writeNdjson({ event: 'document', runId: context.runId, ...outcome });
    };
    const correlationOf = (id: number) => `${context.runId}-${formatDocumentId(id)}`;
    const reclassifyOne = async (id: number): Promise<Outcome> => {
      const row = (await catalog.repository.getDocument(id)) as DocumentRow;
      // An executable's, archive's or report's type and fields are what its reader found: no classifier has more to say.
      if (row.classifier === 'artifact') return { id, ref: formatDocumentId(id), correlationId: correlationOf(id), title: row.title, classifier: row.classifier, rule: row.class_rule, confidence: row.class_confidence, changes: [], keptManual: [] };
      const result = await classifier.classify({
        text: row.text,
        mime: row.mime,
        fileName: row.original_name,
        ...relativePathOf(row),
        metadata: sourceMetadata(row),
        correlationId: correlationOf(id),
        signal: context.signal,
      });
      const { changes, keptManual } = compare(row, result);
      if (!options.dryRun && !context.signal.aborted) await catalog.repository.applyAutomaticClassification(id, result, context.runId);
      return { id, ref: formatDocumentId(id), correlationId: correlationOf(id), title: row.title, classifier: result.classifier, rule: result.rule, confidence: result.confidence, changes, keptManual };
    };
    try {
      await forEachLimit(ids, { limit: jobs, signal: context.signal }, reclassifyAndReport);
    } finally {
      progress.stop();
    }
    outcomes.sort((a, b) => a.id - b.id);
    const failed = outcomes.filter((outcome) => outcome.error).length;
    const changed = outcomes.filter((outcome) => outcome.changes.length > 0).length;
    const interrupted = context.signal.aborted;
    if (!options.dryRun) await catalog.repository.finishRun(context.runId, interrupted ? 'interrupted' : failed > 0 ? 'partial' : 'ok', { total: ids.length, changed, failed });

    if (context.output.json) {
      writeJson({ runId: context.runId, dryRun: Boolean(options.dryRun), total: ids.length, done: outcomes.length, changed, failed, interrupted, documents: outcomes });
    } else if (!context.output.ndjson) {
      const rows = outcomes.flatMap((outcome) =>
        outcome.changes.map((change, index) => [index === 0 ? outcome.ref : '', change.field, truncateMiddle(change.old ?? '∅', 30), truncateMiddle(change.new ?? '∅', 30), index === 0 ? outcome.classifier ?? '' : '']),
      );
      if (rows.length > 0) process.stdout.write(`${await renderTable(['id', 'field', 'old', 'new', 'by'], rows, context.output.color)}\n`);
      if (!context.output.quiet) {
        const kept = outcomes.reduce((sum, outcome) => sum + outcome.keptManual.length, 0);
        const verb = options.dryRun ? 'would change' : 'changed';
        process.stderr.write(`${paint(context.output.stderrColor, 'bold', `${outcomes.length} documents`)}: ${changed} ${verb}, ${outcomes.length - changed - failed} unchanged${failed > 0 ? `, ${failed} failed` : ''}${kept > 0 ? `; ${kept} hand-set fields kept` : ''}${options.dryRun ? ' (dry run: nothing written)' : ''}\n`);
      }
    }
    if (interrupted) return ExitCode.interrupted;
    return failed > 0 ? ExitCode.someFailed : ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

/**
 * What the source said about itself, as stored at ingest. Documents catalogued before doccat kept
 * it (migration 0005) get their current values instead, so facts only the header held (an
 * e-mail's sender and date) are not lost by reclassifying.
 */
/** Where ingest found the document below the folder ingested (kept in its metadata), for path rules. */
function relativePathOf(row: DocumentRow): { relativePath?: string } {
  const { relativePath } = JSON.parse(row.metadata) as { relativePath?: unknown };
  return typeof relativePath === 'string' ? { relativePath } : {};
}

function sourceMetadata(row: DocumentRow): ClassifyInput['metadata'] {
  const { relativePath: _relativePath, ...stored } = JSON.parse(row.metadata) as ClassifyInput['metadata'] & { relativePath?: string };
  if (Object.keys(stored).length > 0) return stored;
  return { title: row.title, ...(row.correspondent ? { from: row.correspondent } : {}), ...(row.document_date ? { date: row.document_date } : {}) };
}

/** What the new classification changes, leaving out the fields a person set by hand. */
function compare(row: DocumentRow, result: Classification): { changes: Change[]; keptManual: string[] } {
  const manual = new Set(JSON.parse(row.manual_fields) as string[]);
  const changes: Change[] = [];
  const keptManual: string[] = [];
  const consider = (field: string, oldValue: string | null, newValue: string | null) => {
    if (oldValue === newValue) return;
    if (manual.has(field)) keptManual.push(field);
    else changes.push({ field, old: oldValue, new: newValue });
  };
  consider('type', row.type, result.type);
  consider('title', row.title, result.title);
  consider('date', row.document_date, result.date);
  consider('correspondent', row.correspondent, result.correspondent);
  consider('tags', (JSON.parse(row.tags) as string[]).sort().join(', '), [...result.tags].sort().join(', '));
  const fields = JSON.parse(row.fields) as Record<string, FieldValue>;
  for (const [key, value] of Object.entries(result.fields)) consider(`field:${key}`, fields[key] === undefined ? null : formatFieldValue(fields[key]), formatFieldValue(value));
  return { changes, keptManual };
}
