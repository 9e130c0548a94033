import os from 'node:os';
import path from 'node:path';
import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { blobStores } from './stores.js';
import { currentActor } from '../observability/actor.js';
import type { QueryNode } from '../db/search/query-parser.js';
import type { Template } from '../pipeline/export/names.js';
import type { ExportedDocument, ExportReport } from '../pipeline/export/export.js';
import type { ImportedDocument, ImportReport } from '../pipeline/export/import.js';

export type { ExportedDocument, ExportReport, ImportedDocument, ImportReport, Template };

export interface ExportFlowOptions {
  directory: string;
  /** The query and filters as one tree (none: every document). */
  tree: QueryNode | undefined;
  limit?: number;
  /** Only documents added or changed since this ISO time. */
  since?: string;
  /** File names, parsed (pipeline/export/names.ts). */
  template: Template;
  text?: boolean;
  metadata?: boolean;
  searchable?: boolean;
  prune?: boolean;
  jobs?: number;
  /** The doccat version written into the manifest. */
  version: string;
}

/** What the command hears while an export runs. */
export interface ExportEvents {
  /** The documents are counted, before the first is copied. */
  started?(total: number): Promise<void> | void;
  document?(result: ExportedDocument): void;
}

/** What the command hears while an import runs. */
export interface ImportEvents {
  /** The catalogue is open, before the export's manifest is read. */
  started?(): Promise<void> | void;
  document?(result: ImportedDocument): void;
}

/** Copies the chosen documents' originals into a folder under readable names, with the manifest that restores them. */
export async function exportDocuments(context: AppContext, options: ExportFlowOptions, events: ExportEvents = {}): Promise<ExportReport> {
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const [{ matchingDocumentIds }, { documentRecords, idsChangedSince }, { runExport }] = await Promise.all([import('../db/search/search.js'), import('../db/export-records.js'), import('../pipeline/export/export.js')]);
    const db = catalog.database.db;
    let ids = await matchingDocumentIds(db, options.tree, options.limit);
    if (options.since !== undefined) {
      const changed = await idsChangedSince(db, options.since);
      ids = ids.filter((id) => changed.has(id));
    }
    await events.started?.(ids.length);
    const stores = await blobStores(context);
    return await runExport(
      {
        directory: options.directory,
        ids,
        template: options.template,
        textSidecars: Boolean(options.text),
        metadataSidecars: Boolean(options.metadata),
        searchable: Boolean(options.searchable),
        prune: Boolean(options.prune),
        concurrency: options.jobs ?? Math.min(8, Math.max(2, os.availableParallelism())),
        signal: context.signal,
      },
      { records: (page) => documentRecords(db, page), openStore: (name) => stores.open(name), catalogId: await catalog.documents.catalogId(), version: options.version, logger: context.logger },
      { ...(events.document ? { onDocument: events.document } : {}) },
    );
  } finally {
    await catalog.close();
  }
}

export interface ImportFlowOptions {
  /** An export's folder (its manifest.json). */
  directory: string;
  jobs?: number;
}

/** Brings an export's documents into this catalogue as one recorded run; twice adds nothing. */
export async function importExport(context: AppContext, options: ImportFlowOptions, events: ImportEvents = {}): Promise<ImportReport> {
  const { config } = context.config;
  const catalog = await openCatalog(context, { readonly: false });
  try {
    await events.started?.();
    const store = await (await blobStores(context, { catalog, register: true })).forWriting();
    const [{ StagingArea }, { CLAIM_LEASE_MS }, { runImport }] = await Promise.all([import('../pipeline/source-file.js'), import('../pipeline/ingest.js'), import('../pipeline/export/import.js')]);
    const staging = await StagingArea.open(path.join(context.config.catalogDir, '.staging'));
    await catalog.documents.startRun(context.runId, 'import');
    const report = await runImport(
      {
        directory: options.directory,
        concurrency: options.jobs ?? config.ingest.jobs ?? Math.min(8, Math.max(2, os.availableParallelism())),
        maxFileSizeBytes: config.ingest.maxFileSizeMb * 1024 * 1024,
        maxTextBytes: Math.floor(config.ingest.maxTextMb * 1024 * 1024),
        signal: context.signal,
      },
      { repository: catalog.documents, claims: catalog.claims(context.runId, CLAIM_LEASE_MS), store, staging, runId: context.runId, actor: currentActor(), logger: context.logger },
      { ...(events.document ? { onDocument: events.document } : {}) },
    );
    await catalog.documents.finishRun(context.runId, report.interrupted ? 'interrupted' : report.failed > 0 ? 'partial' : 'ok', { total: report.documents, imported: report.imported, present: report.present, failed: report.failed });
    return report;
  } finally {
    await catalog.close();
  }
}
