import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SourceSighting, StoredBlob } from '../db/documents.js';
import type { ExtractResult } from '../extract/extractor.js';
import { LISTED_ARCHIVE_TYPES } from '../extract/artifacts/formats.js';
import type { BlobStore } from '../storage/blob-store.js';
import { sleep } from '../system/process.js';
import { artifactClassification, unreadResult } from './artifact-policy.js';
import { FileFamily } from './families.js';
import { timed, type Trace } from './file-trace.js';
import { hashFile } from './hash-file.js';
import { MAX_UNPACK_DEPTH, type FileOutcome, type IngestDependencies, type IngestEvents, type IngestOptions } from './ingest-types.js';
import { countWords, describedDocument } from './new-document.js';
import type { StagedFile } from './source-file.js';
import type { WalkedFile } from './walk.js';

/**
 * The stages after a file is staged and found new: extract (in the isolation pool), classify,
 * store the blob (and the searchable PDF), commit the row. Its content is claimed meanwhile.
 */

/** How long a claim lasts unless renewed; renewed every third of it while work goes on. */
export const CLAIM_LEASE_MS = 60_000;
const CLAIM_POLL_MS = 250;

export async function claimOrWait(sha256: string, deps: IngestDependencies, signal: AbortSignal): Promise<{ documentId?: number }> {
  for (;;) {
    if (await deps.claims.claim(sha256)) {
      // Catalogued between the dedupe check and the claim: nothing left to do.
      const done = await deps.repository.findIdBySha256(sha256);
      if (done === undefined) return {};
      await deps.claims.release(sha256);
      return { documentId: done };
    }
    await sleep(CLAIM_POLL_MS, signal);
    const done = await deps.repository.findIdBySha256(sha256);
    if (done !== undefined) return { documentId: done };
  }
}

/** One file on its way from the staged copy to a committed document. */
export interface CommitJob {
  entry: Pick<WalkedFile, 'path' | 'size' | 'mtimeMs'>;
  staged: StagedFile;
  sighting: SourceSighting;
  sha256: string;
  mime: string;
  /** No reader opens this type: catalogued from its bytes alone, without an extraction process. */
  unread: boolean;
  /** 0 for a file given, 1 for a member of an archive, and so on. */
  depth: number;
  /** Date.now() when the file was taken up. */
  started: number;
  trace: Trace;
  family?: FileFamily | undefined;
  /** Records the failure and says what to report (undefined: interrupted). */
  fail: (error: unknown, extra?: Partial<FileOutcome>) => Promise<FileOutcome | undefined>;
  /** Catalogues the members an archive's extraction wrote (ingest --unpack). */
  catalogueMembers: (parentId: number, members: readonly { name: string; file: string }[], unpackDir: string) => Promise<FileOutcome[]>;
}

/**
 * Extracts, classifies, stores and commits one staged file, under the claim its caller holds on
 * its content; the searchable PDF and an archive's unpacked members go with it.
 */
export async function extractAndCommit(job: CommitJob, options: IngestOptions, deps: IngestDependencies, events: IngestEvents): Promise<FileOutcome | undefined> {
  const { entry, staged, sighting, sha256, mime, unread, depth, started, trace, family, fail } = job;
  // Written by the extraction process beside the staged copy, so that it is private, goes where
  // staging leftovers are cleared, and is removed here whatever happens to the file.
  const searchablePath = options.searchablePdf ? `${staged.path}.searchable.pdf` : undefined;
  let searchableClaim: string | undefined;
  let unpackDir: string | undefined;
  try {
    let extracted: ExtractResult;
    // ingest --unpack: the extraction process writes the archive's members to a private folder.
    if (options.unpack && isUnpackable(mime) && depth < MAX_UNPACK_DEPTH && deps.staging) {
      unpackDir = path.join(deps.staging.directory, `${process.pid}.unpack-${randomBytes(6).toString('hex')}`);
      await fs.promises.mkdir(unpackDir, { mode: 0o700 });
    }
    const extractOptions = unpackDir ? { ...options.extract, unpackTo: unpackDir } : options.extract;
    try {
      extracted = unread ? unreadResult(mime) : await timed(trace, 'extract', () => deps.extraction.extract({
        // The staged copy: the bytes that were hashed and will be stored.
        path: staged.path,
        mime,
        size: entry.size,
        options: family ? { ...family.extractOptions, ...(unpackDir ? { unpackTo: unpackDir } : {}) } : extractOptions,
        ocr: deps.ocr,
        signal: options.signal,
        ...(events.onPage ? { onPage: events.onPage } : {}),
        ...(searchablePath === undefined ? {} : { searchablePdfPath: searchablePath }),
      }));
      // Its parts through the same stages; an mbox's messages are committed here, one by one.
      await family?.prepare(extracted, mime);
    } catch (error) {
      return await fail(error, { sha256, mime });
    }
    if (options.signal.aborted) return undefined;

    const artifact = extracted.artifact;
    const classification = artifact ? artifactClassification(artifact, entry.path) : await timed(trace, 'classify', () =>
      deps.classifier.classify({
        text: extracted.text,
        mime,
        fileName: path.basename(entry.path),
        relativePath: pathBelowRoot(entry.path, options.paths),
        metadata: extracted.metadata,
        ...(extracted.layoutText === undefined ? {} : { layoutText: extracted.layoutText }),
        correlationId: trace.correlationId,
        signal: options.signal,
      }),
    );
    if (options.signal.aborted) return undefined;
    const store = deps.store as BlobStore;
    // Given away: the local store renames the staged copy into place instead of copying it.
    const put = await timed(trace, 'store', () => store.putFile(staged.path, sha256, { take: true }));
    const warnings = [...extracted.warnings, ...(family?.warnings ?? [])];
    let searchable: StoredBlob | undefined;
    if (extracted.searchablePdf && extracted.searchablePdf.path === searchablePath) {
      const kept = await timed(trace, 'store', () => storeSearchablePdf(searchablePath, store, deps, options.signal));
      if ('warning' in kept) warnings.push(kept.warning);
      else {
        searchable = kept.blob;
        searchableClaim = kept.blob.sha256;
      }
    }
    await family?.store();
    const words = countWords(extracted.text);
    // An executable or archive has no text to miss.
    if (words === 0 && !artifact) warnings.push({ code: 'W_NO_TEXT', message: 'no text found' });
    const described = describedDocument(entry.path, sha256, mime, extracted, classification, warnings);
    const committed = await timed(trace, 'commit', () => (family ?? deps.repository).commitDocument(
      {
        ...described,
        size: put.size,
        blobBackend: put.backend,
        blobKey: put.key,
        // Where it was found below the ingested folder: reclassify applies path rules with it.
        metadata: { ...described.metadata, relativePath: pathBelowRoot(entry.path, options.paths) },
        ocrEngine: extracted.ocrPages > 0 ? (trace.ocrEngine ?? null) : null,
        ...(searchable ? { searchable } : {}),
      },
      sighting,
    ));
    deps.logger.info({ path: entry.path, documentId: committed.documentId, type: classification.type, method: extracted.method }, 'file catalogued');
    if (committed.duplicate) {
      return { path: entry.path, status: committed.unchanged ? 'unchanged' : 'duplicate', documentId: committed.documentId, sha256, mime, durationMs: Date.now() - started };
    }
    const members = unpackDir && artifact?.members?.length ? await job.catalogueMembers(committed.documentId, artifact.members, unpackDir) : undefined;
    return {
      ...(members ? { members } : {}),
      path: entry.path,
      status: 'catalogued',
      documentId: committed.documentId,
      sha256,
      mime,
      type: classification.type,
      title: classification.title,
      method: extracted.method,
      pages: extracted.pages,
      ocrPages: extracted.ocrPages,
      ...(extracted.ocrPages > 0 && trace.ocrEngine ? { ocrEngine: trace.ocrEngine } : {}),
      words,
      language: classification.language,
      ocrConfidence: extracted.ocrConfidence,
      ...(searchable && extracted.searchablePdf ? { searchablePdf: { sha256: searchable.sha256, size: searchable.size, textPages: extracted.searchablePdf.textPages, pdfa: extracted.searchablePdf.pdfa } } : {}),
      ...(family ? { parts: family.outcomes(), partsCatalogued: family.catalogued } : {}),
      warnings,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'AbortError') return undefined;
    // Awaited here: a run-fatal rejection must not wait unhandled while the finally below does I/O.
    return await fail(error, sighting.sha256 ? { sha256: sighting.sha256 } : {});
  } finally {
    if (searchableClaim !== undefined) await deps.claims.release(searchableClaim).catch(() => undefined);
    if (searchablePath !== undefined) await fs.promises.rm(searchablePath, { force: true }).catch(() => undefined);
    if (unpackDir) await fs.promises.rm(unpackDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** How long to wait for the claim on a searchable PDF's content before going without it. */
const SEARCHABLE_CLAIM_WAIT_MS = CLAIM_LEASE_MS;

/**
 * Stores the searchable PDF the extraction wrote: hashed here (the extraction process read a
 * hostile file; its output is checked like any input), under the claim on its own content, held
 * until the commit, as the original's is (pipeline/remove-blob.ts: a deleter takes the same
 * claim). The same bytes can be another document's blob, whose deletion may be under way.
 */
async function storeSearchablePdf(filePath: string, store: BlobStore, deps: IngestDependencies, signal: AbortSignal): Promise<{ blob: StoredBlob } | { warning: { code: string; message: string } }> {
  const { sha256 } = await hashFile(filePath);
  const deadline = Date.now() + SEARCHABLE_CLAIM_WAIT_MS;
  while (!(await deps.claims.claim(sha256))) {
    if (Date.now() > deadline) return { warning: { code: 'W_NO_SEARCHABLE_PDF', message: 'no searchable PDF: another process held the claim on the same PDF for too long' } };
    await sleep(CLAIM_POLL_MS, signal);
  }
  try {
    const put = await store.putFile(filePath, sha256, { take: true });
    return { blob: { sha256, size: put.size, backend: put.backend, key: put.key } };
  } catch (error) {
    await deps.claims.release(sha256).catch(() => undefined);
    throw error;
  }
}

/** Archives whose members can be written out (zip family, tar and its compressions, .deb data). */
export function isUnpackable(mime: string): boolean {
  return (LISTED_ARCHIVE_TYPES as readonly string[]).includes(mime) && mime !== 'application/x-rpm';
}

/** The parts of a container file (an e-mail, an mbox) when they are wanted; the caller closes it. */
export async function openFamily(mime: string, options: IngestOptions, deps: IngestDependencies, trace: Trace): Promise<FileFamily | undefined> {
  if (!deps.store || !deps.staging) return undefined;
  return FileFamily.open(mime, { ...deps, store: deps.store, staging: deps.staging }, {
    extract: options.extract,
    maxFileSizeBytes: options.maxFileSizeBytes,
    signal: options.signal,
    correlationId: trace.correlationId,
    time: (stage, work) => timed(trace, stage, work),
  });
}

/** The path below the folder it was ingested from, with / separators: what path rules match. */
export function pathBelowRoot(filePath: string, roots: readonly string[]): string {
  const absolute = path.resolve(filePath);
  const root = roots.map((candidate) => path.resolve(candidate)).find((candidate) => absolute.startsWith(candidate + path.sep));
  return (root ? path.relative(root, absolute) : path.basename(absolute)).split(path.sep).join('/');
}
