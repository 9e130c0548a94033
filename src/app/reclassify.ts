import os from 'node:os';
import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { createClassifier } from './classifier.js';
import { formatDocumentId } from './ids.js';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import { forEachLimit } from '../system/concurrency.js';
import { formatFieldValue, type Classification, type ClassifyInput } from '../classify/classifier.js';
import type { DocumentRow, FieldValue } from '../db/documents.js';
import type { QueryNode } from '../db/search/query-parser.js';

export interface ReclassifyOptions {
  /** Which documents: the query and filters as one tree (none: all of them). */
  tree: QueryNode | undefined;
  limit?: number;
  /** Ask this configured provider only. */
  provider?: string;
  dryRun?: boolean;
  force?: boolean;
  jobs?: number;
}

/** What the command hears while the run goes on (progress, a line per document). */
export interface ReclassifyEvents {
  /** The documents are counted, before the first is classified again. */
  started?(total: number): Promise<void> | void;
  document?(outcome: ReclassifyOutcome): void;
}

export interface ReclassifyChange {
  field: string;
  old: string | null;
  new: string | null;
}

export interface ReclassifyOutcome {
  id: number;
  ref: string;
  /** On this document's log lines and provider call records too. */
  correlationId: string;
  title: string;
  classifier?: string;
  rule?: string;
  confidence?: number;
  changes: ReclassifyChange[];
  /** Fields set by hand that the new classification would have changed and did not. */
  keptManual: string[];
  error?: ErrorInfo;
}

export interface ReclassifyReport {
  runId: string;
  dryRun: boolean;
  total: number;
  done: number;
  changed: number;
  failed: number;
  interrupted: boolean;
  /** By document id. */
  documents: ReclassifyOutcome[];
}

/**
 * Classifies the chosen documents again and applies what changed (not on a dry run), leaving the
 * fields a person set by hand; one run row in the catalogue for the whole of it.
 */
export async function reclassify(context: AppContext, options: ReclassifyOptions, events: ReclassifyEvents = {}): Promise<ReclassifyReport> {
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const { matchingDocumentIds } = await import('../db/search/search.js');
    const ids = await matchingDocumentIds(catalog.database.db, options.tree, options.limit);
    const { classifier } = await createClassifier(context, catalog, { ...(options.provider ? { onlyProvider: options.provider } : {}), force: Boolean(options.force), retrain: !options.dryRun });
    if (!options.dryRun) await catalog.repository.startRun(context.runId, 'reclassify');
    await events.started?.(ids.length);
    const outcomes: ReclassifyOutcome[] = [];
    const jobs = options.jobs ?? context.config.config.ingest.jobs ?? Math.max(1, os.availableParallelism());
    const reclassifyAndReport = async (id: number) => {
      const outcome = await reclassifyOne(id).catch((error: unknown): ReclassifyOutcome | undefined => {
        if (context.signal.aborted) return undefined;
        return { id, ref: formatDocumentId(id), correlationId: correlationOf(id), title: '', changes: [], keptManual: [], error: toErrorInfo(error) };
      });
      if (!outcome) return;
      outcomes.push(outcome);
      events.document?.(outcome);
    };
    const correlationOf = (id: number) => `${context.runId}-${formatDocumentId(id)}`;
    const reclassifyOne = async (id: number): Promise<ReclassifyOutcome> => {
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
    await forEachLimit(ids, { limit: jobs, signal: context.signal }, reclassifyAndReport);
    outcomes.sort((a, b) => a.id - b.id);
    const failed = outcomes.filter((outcome) => outcome.error).length;
    const changed = outcomes.filter((outcome) => outcome.changes.length > 0).length;
    const interrupted = context.signal.aborted;
    if (!options.dryRun) await catalog.repository.finishRun(context.runId, interrupted ? 'interrupted' : failed > 0 ? 'partial' : 'ok', { total: ids.length, changed, failed });
    return { runId: context.runId, dryRun: Boolean(options.dryRun), total: ids.length, done: outcomes.length, changed, failed, interrupted, documents: outcomes };
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
function compare(row: DocumentRow, result: Classification): { changes: ReclassifyChange[]; keptManual: string[] } {
  const manual = new Set(JSON.parse(row.manual_fields) as string[]);
  const changes: ReclassifyChange[] = [];
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
