import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { DoccatError, ExitCode, toErrorInfo, type ErrorInfo } from '../../errors.js';
import type { ClaimRepository } from '../../db/claims.js';
import type { DocumentRepository, StoredBlob } from '../../db/documents.js';
import { restoreDocument, restoreParts } from '../../db/export-records.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { forEachLimit } from '../../system/concurrency.js';
import { sleep } from '../../system/process.js';
import { openSource, type OpenedSource, type StagedFile, type StagingArea } from '../source-file.js';
import { sourcePolicy, type SourcePolicy } from '../walk.js';
import { MANIFEST_NAME, manifestError, readManifest, type ManifestDocument, type ManifestItem } from './manifest.js';

/**
 * `doccat import DIR`: the documents of an export into this catalogue (empty or not, SQLite or
 * Postgres, any blob backend). The folder is untrusted input: the manifest is read line by line
 * with bounded lines and validated; every file named must be a regular file inside the folder,
 * reached without a link out of it, of the size declared (within the limits) and of the declared
 * sha256, which is checked on the private staged copy that becomes the blob. Content already in
 * the catalogue is left as it is, so importing twice adds nothing.
 */

export interface ImportOptions {
  directory: string;
  concurrency: number;
  maxFileSizeBytes: number;
  maxTextBytes: number;
  signal: AbortSignal;
}

export interface ImportDependencies {
  repository: DocumentRepository;
  claims: ClaimRepository;
  store: BlobStore;
  staging: StagingArea;
  runId: string;
  actor: string;
  logger: Logger;
}

export interface ImportedDocument {
  /** Its id in the export (the manifest line, for a record that is not valid). */
  exportId?: number;
  line?: number;
  sha256?: string;
  status: 'imported' | 'present' | 'failed';
  documentId?: number;
  /** The searchable PDF the manifest names: restored, or left out (with why). */
  searchablePdf?: 'restored' | { skipped: ErrorInfo };
  error?: ErrorInfo;
}

export interface ImportReport {
  directory: string;
  catalogId: string;
  documents: number;
  imported: number;
  present: number;
  failed: number;
  partsLinked: number;
  /** Searchable PDFs restored beside their documents. */
  searchablePdfs: number;
  bytes: number;
  interrupted: boolean;
  durationMs: number;
  results: ImportedDocument[];
}

const CLAIM_POLL_MS = 250;
/** Text beyond the catalogue's own limit cannot have come from an export of it; a little slack for encodings. */
const TEXT_SLACK_BYTES = 1024 * 1024;

export async function runImport(options: ImportOptions, deps: ImportDependencies, events: { onDocument?: (result: ImportedDocument) => void } = {}): Promise<ImportReport> {
  const started = Date.now();
  const root = await fsp.realpath(path.resolve(options.directory)).catch(() => {
    throw new DoccatError('E_IMPORT_FOLDER', `${options.directory} does not exist`, { hint: 'name the folder `doccat export` wrote', exitCode: ExitCode.usage });
  });
  if (!(await fsp.stat(root)).isDirectory()) throw new DoccatError('E_IMPORT_FOLDER', `${options.directory} is not a folder`, { hint: 'name the folder `doccat export` wrote', exitCode: ExitCode.usage });
  const manifestPath = path.join(root, MANIFEST_NAME);
  const manifestStat = await fsp.lstat(manifestPath).catch(() => undefined);
  if (!manifestStat) throw new DoccatError('E_IMPORT_FOLDER', `${root} has no ${MANIFEST_NAME}`, { hint: 'name the folder `doccat export` wrote', exitCode: ExitCode.usage });
  if (!manifestStat.isFile()) throw manifestError(`${manifestPath} is not a regular file`);
  const policy = await sourcePolicy([root], false);
  const keepIds = await keepsExportIds(deps.repository, manifestPath);

  const results: ImportedDocument[] = [];
  const parts = new Map<string, ManifestDocument['parts']>();
  let catalogId = '';
  let bytes = 0;
  const entries = readManifest(manifestPath);
  const first = await entries.next();
  if (first.done || !('header' in first.value)) throw manifestError('the manifest has no header');
  catalogId = first.value.header.catalogId;

  const record = (result: ImportedDocument) => {
    results.push(result);
    events.onDocument?.(result);
  };
  const importItem = async (item: ManifestItem) => {
    if ('header' in item) throw manifestError('the manifest has two headers');
    if ('invalid' in item) {
      record({ line: item.invalid.line, ...(typeof item.invalid.id === 'number' ? { exportId: item.invalid.id } : {}), status: 'failed', error: { code: 'E_IMPORT_MANIFEST', message: `manifest line ${item.invalid.line} is not a valid document record: ${item.invalid.error}`, hint: 'the export was edited or damaged; export it again' } });
      return;
    }
    const entry = item.document;
    if (entry.parts.length > 0) parts.set(entry.sha256, entry.parts);
    const result = await importOne(entry, root, policy, keepIds, options, deps).catch((error: unknown): ImportedDocument | undefined => {
      if (options.signal.aborted) return undefined;
      if (error instanceof DoccatError && error.exitCode === ExitCode.backendUnavailable) throw error;
      return { exportId: entry.id, sha256: entry.sha256, status: 'failed', error: toErrorInfo(error) };
    });
    if (!result) return;
    if (result.status === 'imported') bytes += entry.size;
    if (result.status === 'failed') deps.logger.warn({ exportId: entry.id, code: result.error?.code, err: result.error?.message }, 'document not imported');
    if (typeof result.searchablePdf === 'object') deps.logger.warn({ exportId: entry.id, code: result.searchablePdf.skipped.code, err: result.searchablePdf.skipped.message }, 'document imported without its searchable PDF');
    record(result);
  };
  try {
    await forEachLimit(entries, { limit: options.concurrency, signal: options.signal }, importItem);
  } finally {
    await entries.return(undefined);
  }
  // Parts are linked once both sides are in, by content, whatever ids they got here.
  let partsLinked = 0;
  if (!options.signal.aborted) for (const [parent, list] of parts) partsLinked += await restoreParts(deps.repository, parent, list);
  const count = (status: ImportedDocument['status']) => results.filter((result) => result.status === status).length;
  const searchablePdfs = results.filter((result) => result.searchablePdf === 'restored').length;
  return { directory: root, catalogId, documents: results.length, imported: count('imported'), present: count('present'), failed: count('failed'), partsLinked, searchablePdfs, bytes, interrupted: options.signal.aborted, durationMs: Date.now() - started, results };
}

/**
 * A restore keeps the export's ids: into an empty catalogue, and into one that holds nothing but
 * documents of this export at their export ids, which is what a restore that was interrupted
 * (killed, Ctrl-C) leaves for the next run to finish. Into a catalogue in use, documents get new
 * ids. Deciding from the first run alone gave the documents a killed run had not committed new ids.
 */
async function keepsExportIds(repository: DocumentRepository, manifestPath: string): Promise<boolean> {
  if ((await repository.countDocuments()) === 0) return true;
  const exported = new Map<number, string>();
  for await (const item of readManifest(manifestPath)) if ('document' in item) exported.set(item.document.id, item.document.sha256);
  const PAGE = 1000;
  for (let afterId = 0; ; ) {
    const page = await repository.blobPage(afterId, PAGE);
    if (page.blobs.some((blob) => blob.role === 'original' && exported.get(blob.id) !== blob.sha256)) return false;
    if (page.documents < PAGE) return true;
    afterId = page.lastId;
  }
}

async function importOne(entry: ManifestDocument, root: string, policy: SourcePolicy, keepIds: boolean, options: ImportOptions, deps: ImportDependencies): Promise<ImportedDocument> {
  const done = (status: 'imported' | 'present', documentId: number): ImportedDocument => ({ exportId: entry.id, sha256: entry.sha256, status, documentId });
  const present = await deps.repository.findIdBySha256(entry.sha256);
  if (present !== undefined) return done('present', present);
  const { original, text, searchable } = entry.files;
  if (original.sha256 !== entry.sha256 || original.size !== entry.size) throw importError('E_IMPORT_MANIFEST', `the manifest gives D${entry.id}'s file another checksum or size than the document's`);
  for (const file of [original, ...(searchable ? [searchable] : [])]) {
    if (file.size > options.maxFileSizeBytes) throw importError('E_IMPORT_TOO_LARGE', `${file.path} is declared as ${megabytes(file.size)}, over the ${megabytes(options.maxFileSizeBytes)} limit`, 'raise ingest.maxFileSizeMb if this really is a document');
  }
  if (text.size > options.maxTextBytes + TEXT_SLACK_BYTES) throw importError('E_IMPORT_TOO_LARGE', `${text.path} is declared as ${megabytes(text.size)} of text, over ingest.maxTextMb`, 'raise ingest.maxTextMb to the exporting catalogue\'s value');

  const textBytes = await readVerified(root, text, policy, options.signal);
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(textBytes);
  } catch {
    throw importError('E_IMPORT_MANIFEST', `${text.path} is not UTF-8 text`);
  }
  const staged = await stageVerified(root, original, policy, options.signal, deps.staging);
  let stagedSearchable: StagedFile | undefined;
  let searchableClaim: string | undefined;
  try {
    // A searchable PDF absent from the folder (an export made without --searchable and then
    // edited, or a file removed) leaves the document without one; one that is there must match.
    let searchableOutcome: ImportedDocument['searchablePdf'];
    if (searchable) {
      try {
        stagedSearchable = await stageVerified(root, searchable, policy, options.signal, deps.staging);
      } catch (error) {
        if (!(error instanceof DoccatError && error.code === 'E_IMPORT_FILE_MISSING')) throw error;
        searchableOutcome = { skipped: { code: 'W_NO_SEARCHABLE_PDF', message: `${searchable.path} is not in the export folder; D${entry.id} is imported without its searchable PDF`, hint: 'export again with --searchable to carry it' } };
      }
    }
    // Held from before the put until after the commit, as ingest holds it (pipeline/remove-blob.ts).
    for (;;) {
      if (await deps.claims.claim(entry.sha256)) break;
      await sleep(CLAIM_POLL_MS, options.signal);
      const appeared = await deps.repository.findIdBySha256(entry.sha256);
      if (appeared !== undefined) return done('present', appeared);
    }
    try {
      const put = await deps.store.putFile(staged.path, entry.sha256, { take: true });
      let searchableBlob: StoredBlob | undefined;
      if (stagedSearchable) {
        // The searchable PDF under the claim on its own content, as ingest stores it: the same
        // bytes may be another document's blob that a deleter is removing right now.
        const claimed = await claimWithin(deps.claims, stagedSearchable.sha256, SEARCHABLE_CLAIM_WAIT_MS, options.signal);
        if (claimed) {
          searchableClaim = stagedSearchable.sha256;
          const kept = await deps.store.putFile(stagedSearchable.path, stagedSearchable.sha256, { take: true });
          searchableBlob = { sha256: stagedSearchable.sha256, size: kept.size, backend: kept.backend, key: kept.key };
          searchableOutcome = 'restored';
        } else searchableOutcome = { skipped: { code: 'W_NO_SEARCHABLE_PDF', message: `another process held the claim on D${entry.id}'s searchable PDF for too long; imported without it`, hint: 'delete the document and import again to restore it' } };
      }
      const restored = await restoreDocument(
        deps.repository,
        {
          id: entry.id,
          row: {
            sha256: entry.sha256,
            size: entry.size,
            mime: entry.mime,
            original_name: entry.originalName,
            method: entry.method,
            pages: entry.pages,
            words: entry.words,
            language: entry.language,
            ocr_confidence: entry.ocrConfidence,
            ocr_engine: entry.ocrEngine ?? null,
            type: entry.type,
            title: entry.title,
            tags: JSON.stringify(entry.tags),
            document_date: entry.date,
            correspondent: entry.correspondent,
            class_confidence: entry.classification.confidence,
            class_rule: entry.classification.rule,
            classifier: entry.classification.classifier,
            fields: JSON.stringify(entry.fields),
            warnings: JSON.stringify(entry.warnings),
            text: body,
            added_at: entry.addedAt,
            updated_at: entry.updatedAt,
            manual_fields: JSON.stringify(entry.manualFields),
            metadata: JSON.stringify(entry.metadata),
            searchable_sha256: searchableBlob?.sha256 ?? null,
            searchable_size: searchableBlob?.size ?? null,
            searchable_backend: searchableBlob?.backend ?? null,
            searchable_key: searchableBlob?.key ?? null,
          },
          blob: { backend: put.backend, key: put.key },
          sources: entry.sources.map((source) => ({ path: source.path, status: source.status, sha256: source.sha256, size: source.size, mtime_ms: source.mtimeMs, file_id: source.fileId, ctime_ms: source.ctimeMs, run_id: deps.runId, first_seen: source.firstSeen, last_seen: source.lastSeen })),
          history: entry.classificationHistory.map((item) => ({ classifier: item.classifier, type: item.type, title: item.title, tags: JSON.stringify(item.tags), document_date: item.date, correspondent: item.correspondent, confidence: item.confidence, rule: item.rule, created_at: item.at })),
          audit: entry.audit.map((item) => ({ command: item.command, field: item.field, old_value: item.old, new_value: item.new, actor: item.actor, run_id: item.runId, at: item.at })),
          imported: { actor: deps.actor, runId: deps.runId, from: root },
        },
        keepIds,
      );
      // Present: someone else's commit won; the searchable blob just stored is that of the same
      // content, or unreferenced and for `storage verify --repair` like any orphan.
      return restored.status === 'present' ? done('present', restored.id) : { ...done('imported', restored.id), ...(searchableOutcome ? { searchablePdf: searchableOutcome } : {}) };
    } finally {
      if (searchableClaim !== undefined && searchableClaim !== entry.sha256) await deps.claims.release(searchableClaim).catch(() => undefined);
      await deps.claims.release(entry.sha256).catch(() => undefined);
    }
  } finally {
    await staged.remove().catch(() => undefined);
    await stagedSearchable?.remove().catch(() => undefined);
  }
}

/** How long to wait for the claim on a searchable PDF's content before going without it (as ingest does). */
const SEARCHABLE_CLAIM_WAIT_MS = 60_000;

async function claimWithin(claims: ClaimRepository, sha256: string, waitMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (!(await claims.claim(sha256))) {
    if (Date.now() > deadline) return false;
    await sleep(CLAIM_POLL_MS, signal);
  }
  return true;
}

/** A file named by the manifest, copied privately into staging, of the size and sha256 declared. */
async function stageVerified(root: string, file: { path: string; sha256: string; size: number }, policy: SourcePolicy, signal: AbortSignal, staging: StagingArea): Promise<StagedFile> {
  let staged: StagedFile;
  const opened = await openInside(root, file.path, policy);
  try {
    if (opened.snapshot.size !== file.size) throw importError('E_IMPORT_CHECKSUM', `${file.path} is ${opened.snapshot.size} bytes, not the ${file.size} the manifest says`);
    staged = await staging.stage(opened, { maxBytes: file.size, signal });
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
  if (staged.sha256 !== file.sha256) {
    await staged.remove().catch(() => undefined);
    throw importError('E_IMPORT_CHECKSUM', `${file.path} does not match its sha256 in the manifest (${staged.sha256.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`, 'the file was changed or damaged after the export; export it again');
  }
  return staged;
}

/** A file named by the manifest, opened without following a link and only if it is really inside the folder. */
async function openInside(root: string, relative: string, policy: SourcePolicy): Promise<OpenedSource> {
  const full = path.join(root, ...relative.split('/'));
  let opened: Awaited<ReturnType<typeof openSource>>;
  try {
    opened = await openSource(full, policy, false);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw importError('E_IMPORT_FILE_MISSING', `${relative} is not in the export folder`, 'the export is incomplete; export it again');
    if (code === 'ELOOP' || code === 'ENOTDIR') throw importError('E_IMPORT_UNSAFE_PATH', `${relative} is reached through a link or a file; it is not read`);
    throw error;
  }
  if ('skipped' in opened) throw importError('E_IMPORT_UNSAFE_PATH', `${relative} is ${opened.skipped.code === 'W_SYMLINK_OUTSIDE' ? 'a link, or leads out of the export folder' : 'not a regular file'}; it is not read`);
  return opened.source;
}

/** A small file (the text) read whole, of the size and sha256 declared. */
async function readVerified(root: string, file: { path: string; sha256: string; size: number }, policy: SourcePolicy, signal: AbortSignal): Promise<Buffer> {
  const opened = await openInside(root, file.path, policy);
  try {
    if (opened.snapshot.size !== file.size) throw importError('E_IMPORT_CHECKSUM', `${file.path} is ${opened.snapshot.size} bytes, not the ${file.size} the manifest says`);
    const buffer = Buffer.alloc(file.size);
    for (let filled = 0; filled < file.size; ) {
      signal.throwIfAborted();
      const { bytesRead } = await opened.handle.read(buffer, filled, file.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (createHash('sha256').update(buffer).digest('hex') !== file.sha256) throw importError('E_IMPORT_CHECKSUM', `${file.path} does not match its sha256 in the manifest`, 'the file was changed or damaged after the export; export it again');
    return buffer;
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

function importError(code: string, message: string, hint = 'the export folder was changed or damaged; export it again'): DoccatError {
  return new DoccatError(code, message, { hint, exitCode: ExitCode.someFailed });
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
