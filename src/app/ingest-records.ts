import { pathToFileURL } from 'node:url';
import type { AppContext } from './context.js';
import type { OpenCatalog } from './catalog.js';
import { blobStores } from './stores.js';
import type { FileOutcome, IngestDependencies } from '../pipeline/ingest.js';

/**
 * What an ingest run records besides documents, and what it tells about each file afterwards:
 * where the files came from (a CI run, git, labels), the members of unpacked archives, and a
 * file's size, blob and URL.
 */

export interface ProvenanceOptions {
  /** --ci / --no-ci: record (or not) where the files came from; default: whether CI=true. */
  ci?: boolean;
  labels: readonly string[];
}

export async function provenanceRecorder(context: AppContext, catalog: OpenCatalog, options: ProvenanceOptions): Promise<IngestDependencies['sightings']> {
  const { readProvenance } = await import('../provenance/provenance.js');
  const provenance = await readProvenance({ ci: options.ci, labels: [...options.labels], env: process.env, cwd: process.cwd() });
  if (!provenance) return undefined;
  const { ProvenanceRepository } = await import('../db/provenance.js');
  const repository = new ProvenanceRepository(catalog.database.db);
  const id = await repository.ensure(provenance);
  context.logger.info({ provider: provenance.ci.provider, repository: provenance.ci.repository, commit: provenance.ci.commit, ciRunId: provenance.ci.runId }, 'recording provenance');
  return { record: (documentId, filePath) => repository.recordSighting(documentId, id, filePath, context.runId) };
}

/** Records which archive each unpacked member came from (--unpack, ingest.unpack). */
export async function memberRecorder(catalog: OpenCatalog): Promise<IngestDependencies['members']> {
  const { ProvenanceRepository } = await import('../db/provenance.js');
  const members = new ProvenanceRepository(catalog.database.db);
  return { record: (parentId, childId, member) => members.recordMember(parentId, childId, member) };
}

export type DescribedOutcome = FileOutcome & { size?: number; blob?: { backend: string; key: string }; url?: string };

export interface DescribeOptions {
  dryRun: boolean;
  /** Look up each document's blob (the command reports it); else only the size read is added. */
  locations: boolean;
  /** With a presigned (S3) or file URL to the blob too (--url). */
  url: boolean;
}

/**
 * What a pipeline needs back per file: its size, where its blob is (backend and key), and with
 * --url a presigned (S3) or file URL to it.
 */
export async function outcomeDescriber(context: AppContext, catalog: OpenCatalog, options: DescribeOptions): Promise<(outcome: FileOutcome) => Promise<DescribedOutcome>> {
  const stores = options.url && !options.dryRun ? await blobStores(context) : undefined;
  return async (outcome) => {
    const size = outcome.snapshot?.size;
    const withSize = size === undefined ? outcome : { ...outcome, size };
    if (options.dryRun || outcome.documentId === undefined || !options.locations) return withSize;
    const location = await catalog.repository.blobLocation(outcome.documentId).catch(() => undefined);
    if (!location) return withSize;
    const described = { ...withSize, size: Number(location.size), blob: { backend: location.blob_backend, key: location.blob_key } };
    if (!stores) return described;
    try {
      const where = await (await stores.open(location.blob_backend)).locate(location.blob_key);
      return { ...described, url: /^[a-z][a-z0-9+.-]*:\/\//i.test(where) ? where : pathToFileURL(where).href };
    } catch (error) {
      context.logger.warn({ err: (error as Error).message, documentId: outcome.documentId }, 'could not make a URL for the blob');
      return described;
    }
  };
}
