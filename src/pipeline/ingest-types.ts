import type { Logger } from 'pino';
import type { Classifier } from '../classify/classifier.js';
import type { ClaimRepository } from '../db/claims.js';
import type { DocumentRepository } from '../db/documents.js';
import type { ErrorInfo } from '../errors.js';
import type { ExtractOptions } from '../extract/extractor.js';
import type { ExtractionPool } from '../extract/isolation/pool.js';
import type { OcrEngine } from '../extract/ocr/engine.js';
import type { Tracer, TraceSpan } from '../observability/tracing.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { UnknownFilesPolicy } from './artifact-policy.js';
import type { PartOutcome } from './families.js';
import type { StagingArea } from './source-file.js';
import type { SourceSnapshot } from './source-identity.js';
import type { WalkOptions } from './walk.js';

/** What an ingest run is given, needs and reports: shared by the run, its stages and the commands around it. */

/** `skipped`: not read on purpose (a link out of the folders given, a pipe): a warning, not a failure. */
export type FileStatus = 'catalogued' | 'duplicate' | 'unchanged' | 'failed' | 'skipped' | 'new';

/** One line of `ingest --ndjson` / one element of `ingest --json`'s "files". */
export interface FileOutcome {
  path: string;
  status: FileStatus;
  /** Also on this file's log lines and provider call records: `<runId>-<n>`. */
  correlationId?: string;
  documentId?: number;
  sha256?: string;
  mime?: string;
  type?: string;
  title?: string;
  method?: string;
  pages?: number;
  ocrPages?: number;
  words?: number;
  language?: string | null;
  ocrConfidence?: number | null;
  /** The OCR engine that read its pages, when any were ("tesseract 5.3.0"). */
  ocrEngine?: string;
  /** The searchable PDF kept for this document (pages that got a text layer). */
  searchablePdf?: { sha256: string; size: number; textPages: number; pdfa: boolean };
  /** Documents that came out of this one (an e-mail's attachments, an mbox's messages). */
  parts?: PartOutcome[];
  /** How many of those, at every level, are new documents. */
  partsCatalogued?: number;
  warnings?: { code: string; message: string }[];
  /** Why the file failed, or for `skipped`, why it was not read. */
  error?: ErrorInfo;
  /** The source file as it was read; watch only moves or deletes a path that still matches it. */
  snapshot?: SourceSnapshot;
  durationMs: number;
  /** ingest --unpack: what became of the documents inside this archive. */
  members?: FileOutcome[];
}

export interface IngestOptions extends WalkOptions {
  paths: readonly string[];
  jobs: number;
  dryRun: boolean;
  maxFileSizeBytes: number;
  extract: ExtractOptions;
  /** Keep a searchable PDF of every document that needed OCR (ocr.searchablePdf). */
  searchablePdf?: boolean;
  signal: AbortSignal;
  /** Files that are not documents (executables, archives, unknown binaries); default catalogue. */
  unknownFiles?: UnknownFilesPolicy;
  /** ingest --unpack: the documents inside archives are catalogued too, as their members. */
  unpack?: boolean;
}

/** How deep archives inside archives are unpacked. */
export const MAX_UNPACK_DEPTH = 3;

/** A file taken out of an archive (ingest --unpack): catalogued under `<archive path>!/<member name>`. */
export interface MemberContext {
  recordAs: string;
  depth: number;
  parentId: number;
  name: string;
}

export interface IngestDependencies {
  runId: string;
  repository: DocumentRepository;
  /** Leases on content being extracted, shared by every process on the catalogue. */
  claims: ClaimRepository;
  /** Absent in a dry run: nothing is written. */
  store: BlobStore | undefined;
  /** Where each source is copied once, privately, for every later stage; absent in a dry run. */
  staging?: StagingArea | undefined;
  classifier: Classifier;
  ocr: () => OcrEngine;
  /** Extraction in child processes, each file with a deadline and a memory cap. */
  extraction: ExtractionPool;
  logger: Logger;
  /** Spans for each file and its stages; absent or disabled: none. */
  tracer?: Tracer | undefined;
  /** What a walk's file spans go under (the run's span). */
  traceParent?: TraceSpan | undefined;
  /**
   * Records where each file came from (a CI run, labels) once it has a document; false when that
   * document is gone (pruned meanwhile), and the file is then catalogued again.
   */
  sightings?: { record(documentId: number, filePath: string): Promise<boolean> } | undefined;
  /** Records that a document is a member of an archive document (ingest --unpack). */
  members?: { record(parentId: number, childId: number, member: string): Promise<void> } | undefined;
}

/** The document a file was found to duplicate was deleted (pruned) meanwhile: take the file again. */
export class DocumentGone extends Error {
  constructor() {
    super('the document was deleted meanwhile');
  }
}

export interface IngestEvents {
  onWalked?: (total: number) => void;
  onPage?: (info: { ocr: boolean }) => void;
  onFile?: (outcome: FileOutcome) => void;
}

export interface IngestSummary {
  runId: string;
  total: number;
  catalogued: number;
  duplicate: number;
  unchanged: number;
  failed: number;
  skipped: number;
  new: number;
  /** Documents catalogued from inside files: attachments, mbox messages. */
  parts: number;
  pages: number;
  ocrPages: number;
  interrupted: boolean;
  durationMs: number;
}
