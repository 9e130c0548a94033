import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { DoccatError, toErrorInfo, type ErrorInfo } from '../../errors.js';
import { forEachLimit } from '../../system/concurrency.js';
import type { DocumentRecord } from '../../db/export-records.js';
import { storedSearchable, type FieldValue, type StoredBlob } from '../../db/documents.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { ExportFolder, nameTaken, type WrittenFile } from './export-folder.js';
import { MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, readManifest, writeManifest, type ManifestDocument } from './manifest.js';
import { nameFacts, nameKey, numbered, renderName, type Template } from './names.js';

/**
 * `doccat export DIR`: originals under readable names, a manifest that restores them, sidecars on
 * request. Incremental: a file doccat wrote that still holds the document's bytes is not copied
 * again, so a second run copies only what changed; resumable: what a killed run wrote is in the
 * folder's record and counts as done. Nothing is removed unless `prune`, and then only files
 * doccat wrote and that are unchanged since.
 */

export interface ExportOptions {
  directory: string;
  /** The documents to export, in id order (the query and --since already applied). */
  ids: readonly number[];
  template: Template;
  /** A `.txt` beside each original with its text. */
  textSidecars: boolean;
  /** A `.json` beside each original with its manifest record. */
  metadataSidecars: boolean;
  /** A scan's searchable PDF beside its original (`<name>.searchable.pdf`), when it has one. */
  searchable: boolean;
  prune: boolean;
  concurrency: number;
  signal: AbortSignal;
}

export interface ExportDependencies {
  records(ids: readonly number[]): Promise<DocumentRecord[]>;
  openStore(name: string): Promise<BlobStore>;
  catalogId: string;
  version: string;
  logger: Logger;
}

export interface ExportedDocument {
  id: number;
  path: string;
  status: 'copied' | 'unchanged' | 'failed';
  error?: ErrorInfo;
}

export interface ExportReport {
  directory: string;
  manifest: string;
  documents: number;
  copied: number;
  unchanged: number;
  failed: number;
  /** Other files written: searchable PDFs, text copies, sidecars. */
  filesWritten: number;
  bytesCopied: number;
  /** Documents of earlier runs still in the export (not selected this time, not pruned). */
  kept: number;
  pruned: string[];
  /** Files --prune left alone because they changed after doccat wrote them. */
  prunedKept: string[];
  interrupted: boolean;
  durationMs: number;
  results: ExportedDocument[];
}

const PAGE = 200;
/** "name (2).ext" ... "name (1000).ext": past that, the document fails with E_EXPORT_NAME_TAKEN. */
const MAX_NUMBERED = 1000;
/** Where the text of each document is kept for a restore, whatever the sidecar options. */
const TEXT_DIR = '.doccat/text';

interface PlannedDocument {
  record: DocumentRecord;
  original: string;
  text: string;
  searchable?: string;
  textSidecar?: string;
  metadataSidecar?: string;
}

export async function runExport(options: ExportOptions, deps: ExportDependencies, events: { onDocument?: (result: ExportedDocument) => void } = {}): Promise<ExportReport> {
  const started = Date.now();
  const folder = await ExportFolder.open(options.directory);
  try {
    const previous = await previousEntries(folder, deps.logger);
    const selected = new Set<number>(options.ids);
    /** Paths (by nameKey) of documents in the export, and whose they are (by sha256). */
    const owners = new Map<string, string>();
    for (const [sha256, entry] of previous) for (const file of filesOf(entry)) owners.set(nameKey(file.path), sha256);
    owners.set(nameKey(MANIFEST_NAME), '');
    const done = new Map<string, { id: number; line: string; entry: ManifestDocument }>();
    const results: ExportedDocument[] = [];
    const report = { copied: 0, unchanged: 0, failed: 0, filesWritten: 0, bytesCopied: 0 };
    const stores = new Map<string, Promise<BlobStore>>();
    const store = (name: string) => {
      let opened = stores.get(name);
      if (!opened) stores.set(name, (opened = deps.openStore(name)));
      return opened;
    };

    for (let start = 0; start < options.ids.length && !options.signal.aborted; start += PAGE) {
      const records = await deps.records(options.ids.slice(start, start + PAGE));
      const planned: PlannedDocument[] = [];
      for (const record of records) planned.push(await plan(record, options, folder, owners, previous.get(record.row.sha256)));
      await forEachLimit(planned, { limit: options.concurrency, signal: options.signal }, async (item) => {
        const result = await exportOne(item, folder, store, report).catch((error: unknown): ExportedDocument => ({ id: item.record.row.id, path: item.original, status: 'failed', error: toErrorInfo(error) }));
        if (result.status === 'failed') {
          report.failed += 1;
          deps.logger.warn({ documentId: result.id, code: result.error?.code, err: result.error?.message }, 'document not exported');
          // Its name is free again for others only next run; its earlier export (if any) stays.
        } else {
          const entry = manifestEntry(item);
          done.set(item.record.row.sha256, { id: item.record.row.id, line: JSON.stringify(entry), entry });
        }
        results.push(result);
        events.onDocument?.(result);
      });
    }

    // Documents of earlier runs stay in the manifest while their original is still doccat's file
    // there: not selected this time (without --prune), not reached (interrupted), or failed now.
    const interrupted = options.signal.aborted;
    let kept = 0;
    const lines: { id: number; line: string; entry: ManifestDocument }[] = [...done.values()];
    for (const [sha256, entry] of previous) {
      if (done.has(sha256)) continue;
      const dropped = options.prune && !interrupted && !selected.has(entry.id);
      if (dropped || !(await folder.ours(entry.files.original.path))) continue;
      lines.push({ id: entry.id, line: JSON.stringify(entry), entry });
      kept += 1;
    }
    lines.sort((a, b) => a.id - b.id);
    const header = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, doccat: deps.version, exportedAt: new Date().toISOString(), catalogId: deps.catalogId, template: options.template.source } as const;
    await folder.writeAtomically(MANIFEST_NAME, async (temp) => {
      await writeManifest(temp, header, lines.map((item) => item.line));
    });
    let pruned: string[] = [];
    let prunedKept: string[] = [];
    if (options.prune && !interrupted) {
      const keep = new Set(lines.flatMap((item) => filesOf(item.entry).map((file) => file.path)));
      ({ removed: pruned, kept: prunedKept } = await folder.prune(keep));
    }
    return {
      directory: folder.root,
      manifest: `${folder.root}/${MANIFEST_NAME}`,
      documents: lines.length,
      ...report,
      kept,
      pruned,
      prunedKept,
      interrupted,
      durationMs: Date.now() - started,
      results,
    };
  } finally {
    await folder.close();
  }
}

/** The manifest of the last run, by document sha256; a damaged one is started afresh (its files stay recorded). */
async function previousEntries(folder: ExportFolder, logger: Logger): Promise<Map<string, ManifestDocument>> {
  const entries = new Map<string, ManifestDocument>();
  if (!(await folder.occupied(MANIFEST_NAME))) return entries;
  try {
    for await (const item of readManifest(`${folder.root}/${MANIFEST_NAME}`)) {
      if ('document' in item) entries.set(item.document.sha256, item.document);
    }
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'the export folder\'s manifest could not be read; it is written anew');
    entries.clear();
  }
  return entries;
}

function filesOf(entry: Pick<ManifestDocument, 'files'>): { path: string }[] {
  const { original, text, searchable, textSidecar, metadataSidecar } = entry.files;
  return [original, text, ...(searchable ? [searchable] : []), ...(textSidecar ? [textSidecar] : []), ...(metadataSidecar ? [metadataSidecar] : [])];
}

/**
 * Names for a document: the template's, made unique. The name it had in the last run is kept
 * when the template still gives it; a name of another document in the export, or a file doccat
 * did not write, is never taken: " (2)", " (3)" ... go before the extension.
 */
async function plan(record: DocumentRecord, options: ExportOptions, folder: ExportFolder, owners: Map<string, string>, previous: ManifestDocument | undefined): Promise<PlannedDocument> {
  const { row } = record;
  const base = renderName(options.template, nameFacts({ id: row.id, sha256: row.sha256, mime: row.mime, originalName: row.original_name, type: row.type, title: row.title, date: row.document_date, correspondent: row.correspondent, tags: JSON.parse(row.tags) as string[] }));
  const hasSearchable = options.searchable && storedSearchable(row) !== undefined;
  const namesFor = (original: string) => ({
    original,
    text: `${TEXT_DIR}/${row.sha256}.txt`,
    ...(hasSearchable ? { searchable: searchableName(original) } : {}),
    ...(options.textSidecars ? { textSidecar: `${original}.txt` } : {}),
    ...(options.metadataSidecars ? { metadataSidecar: `${original}.json` } : {}),
  });
  const usable = async (names: ReturnType<typeof namesFor>) => {
    for (const name of [names.original, names.searchable, names.textSidecar, names.metadataSidecar]) {
      if (name === undefined) continue;
      const owner = owners.get(nameKey(name));
      if (owner !== undefined && owner !== row.sha256) return false;
      // Something is there that doccat did not write (or that was changed since): not ours to replace.
      if (owner === undefined && (await folder.occupied(name)) && !(await folder.ours(name))) return false;
    }
    return true;
  };
  const before = previous?.files.original.path;
  // Names are made as they are tried: nearly always the first one (or the earlier one) is free.
  function* candidates(): Generator<string> {
    if (before !== undefined) {
      for (let n = 1; n <= MAX_NUMBERED; n += 1) {
        if (numbered(base, n).join('/') !== before) continue;
        yield before;
        break;
      }
    }
    for (let n = 1; n <= MAX_NUMBERED; n += 1) yield numbered(base, n).join('/');
  }
  for (const candidate of candidates()) {
    const names = namesFor(candidate);
    if (!(await usable(names))) continue;
    // Given up by this document's earlier name: free for others now (its file stays unless pruned).
    if (before !== undefined && before !== candidate) for (const file of filesOf({ files: previous?.files as ManifestDocument['files'] })) if (owners.get(nameKey(file.path)) === row.sha256) owners.delete(nameKey(file.path));
    for (const name of [names.original, names.text, names.searchable, names.textSidecar, names.metadataSidecar]) if (name !== undefined) owners.set(nameKey(name), row.sha256);
    return { record, ...names };
  }
  throw nameTaken(base.join('/'));
}

async function exportOne(item: PlannedDocument, folder: ExportFolder, store: (name: string) => Promise<BlobStore>, report: { copied: number; unchanged: number; filesWritten: number; bytesCopied: number }): Promise<ExportedDocument> {
  const { row } = item.record;
  let status: 'copied' | 'unchanged' = 'unchanged';
  const mine = await folder.ours(item.original);
  if (mine?.sha256 !== row.sha256) {
    const written = await copyBlob(folder, item.original, await store(row.blob_backend), { sha256: row.sha256, size: Number(row.size), backend: row.blob_backend, key: row.blob_key }, `the original of document D${row.id}`);
    report.copied += 1;
    report.bytesCopied += written.size;
    status = 'copied';
  } else report.unchanged += 1;
  // After the original, so that a run killed in between writes it next time (it is not ours yet).
  const searchable = storedSearchable(row);
  if (item.searchable !== undefined && searchable !== undefined && (await folder.ours(item.searchable))?.sha256 !== searchable.sha256) {
    const written = await copyBlob(folder, item.searchable, await store(searchable.backend), searchable, `the searchable PDF of document D${row.id}`);
    report.filesWritten += 1;
    report.bytesCopied += written.size;
  }
  const text = Buffer.from(row.text, 'utf8');
  const writeIfChanged = async (relative: string | undefined, bytes: Buffer) => {
    if (relative === undefined) return;
    const existing = await folder.ours(relative);
    if (existing?.sha256 === sha256(bytes)) return;
    await folder.write(relative, bytes);
    report.filesWritten += 1;
  };
  await writeIfChanged(item.text, text);
  await writeIfChanged(item.textSidecar, text);
  if (item.metadataSidecar !== undefined) {
    const { files: _files, ...metadata } = manifestEntry(item);
    await writeIfChanged(item.metadataSidecar, Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`));
  }
  return { id: row.id, path: item.original, status };
}

/** A blob into the export folder, verified against its sha256 (folder.write), with errors that say which blob. */
async function copyBlob(folder: ExportFolder, relative: string, blobs: BlobStore, blob: StoredBlob, what: string): Promise<WrittenFile> {
  try {
    return await folder.write(relative, await blobs.get(blob.key), blob.sha256);
  } catch (error) {
    if (error instanceof DoccatError && error.code === 'E_BLOB_MISSING') {
      throw new DoccatError('E_BLOB_MISSING', `${what} is missing from the ${blob.backend} store`, { hint: 'run `doccat storage verify --repair`, then export again', cause: error });
    }
    if (error instanceof DoccatError && error.code === 'E_BLOB_CORRUPT') {
      throw new DoccatError('E_BLOB_CORRUPT', `${what} in the ${blob.backend} store is damaged: ${error.message}`, { hint: error.hint ?? 'run `doccat storage verify --repair`, then export again', exitCode: error.exitCode, cause: error });
    }
    throw error;
  }
}

/** `<name>.searchable.pdf` beside `<name>.<ext>` (as `doccat get --searchable` names it). */
export function searchableName(original: string): string {
  const slash = original.lastIndexOf('/');
  const dot = original.lastIndexOf('.');
  return `${dot > slash + 1 ? original.slice(0, dot) : original}.searchable.pdf`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A document's manifest record, with the files as planned (and written, with these hashes). */
function manifestEntry(item: PlannedDocument): ManifestDocument {
  const { row, sources, history, audit, parts } = item.record;
  const text = Buffer.from(row.text, 'utf8');
  const textFile = (path: string) => ({ path, sha256: sha256(text), size: text.length });
  const entry: ManifestDocument = {
    id: Number(row.id),
    sha256: row.sha256,
    size: Number(row.size),
    mime: row.mime,
    originalName: row.original_name,
    method: row.method,
    pages: Number(row.pages),
    words: Number(row.words),
    language: row.language,
    ocrConfidence: row.ocr_confidence,
    ocrEngine: row.ocr_engine,
    type: row.type,
    title: row.title,
    tags: JSON.parse(row.tags) as string[],
    date: row.document_date,
    correspondent: row.correspondent,
    classification: { classifier: row.classifier, confidence: row.class_confidence, rule: row.class_rule },
    fields: JSON.parse(row.fields) as Record<string, FieldValue>,
    warnings: JSON.parse(row.warnings) as { code: string; message: string }[],
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    manualFields: JSON.parse(row.manual_fields) as string[],
    addedAt: row.added_at,
    updatedAt: row.updated_at,
    sources: sources.map((source) => ({ path: source.path, status: source.status === 'duplicate' ? 'duplicate' : 'catalogued', sha256: source.sha256, size: source.size === null ? null : Number(source.size), mtimeMs: source.mtime_ms, fileId: source.file_id, ctimeMs: source.ctime_ms, firstSeen: source.first_seen, lastSeen: source.last_seen })),
    classificationHistory: history.map((entry) => ({ classifier: entry.classifier, type: entry.type, title: entry.title, tags: JSON.parse(entry.tags) as string[], date: entry.document_date, correspondent: entry.correspondent, confidence: entry.confidence, rule: entry.rule, at: entry.created_at })),
    audit: audit.map((entry) => ({ command: entry.command, field: entry.field, old: entry.old_value, new: entry.new_value, actor: entry.actor, runId: entry.run_id, at: entry.at })),
    parts,
    files: {
      original: { path: item.original, sha256: row.sha256, size: Number(row.size) },
      text: textFile(item.text),
      ...(item.searchable !== undefined && row.searchable_sha256 !== null ? { searchable: { path: item.searchable, sha256: row.searchable_sha256, size: Number(row.searchable_size) } } : {}),
      ...(item.textSidecar !== undefined ? { textSidecar: textFile(item.textSidecar) } : {}),
    },
  };
  if (item.metadataSidecar !== undefined) {
    const { files: _files, ...metadata } = entry;
    const bytes = Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`);
    entry.files.metadataSidecar = { path: item.metadataSidecar, sha256: sha256(bytes), size: bytes.length };
  }
  return entry;
}
