import type { Logger } from 'pino';
import { DoccatError, toErrorInfo } from '../errors.js';
import { commitFamily, type FamilyMember } from '../db/document-parts.js';
import type { CommitResult, NewDocument, SourceSighting } from '../db/documents.js';
import type { ExtractedPart, ExtractOptions, ExtractResult, ExtractWarning, PartsOptions } from '../extract/extractor.js';
import { hasExtractor } from '../extract/registry.js';
import type { BlobStore, PutResult } from '../storage/blob-store.js';
import type { Stage } from './file-trace.js';
import type { IngestDependencies } from './ingest-types.js';
import { FamilyClaims } from './family-claims.js';
import { CONTAINERS, interrupted, isStopping, partDocument, withoutParts, type PreparedPart } from './family-parts.js';
import { sniffFile } from './sniff.js';
import type { StagingArea } from './source-file.js';
import { hashFile } from './hash-file.js';

/**
 * Documents inside documents: an e-mail's attachments, an mbox's messages. The extraction process
 * writes each part as a private file (0600, in a 0700 folder named with this process's pid in the
 * staging area); each then goes through the same stages as a file: its bytes hashed again here
 * (the extraction process read a hostile file, so its output is checked like any input), the
 * size limit, sniffing by content, dedupe, extraction in a child process, classification. A part
 * already catalogued is linked, not stored again.
 *
 * A family (a message and everything in it) is committed in one transaction after every new blob
 * is stored, under the claims on all of its contents, so that a crash leaves either the whole
 * family or none of it. An mbox is different only in size: each of its messages is a family
 * committed on its own, and the mbox itself, linked to all of them, last; a run killed midway
 * leaves whole messages, and the next run links them instead of cataloguing them again.
 */

/** Forwarded as attachment inside forwarded as attachment ...: parts below this depth are not looked into. */
const MAX_DEPTH = 4;

export interface FamilyDependencies extends Pick<IngestDependencies, 'repository' | 'claims' | 'classifier' | 'extraction' | 'ocr'> {
  store: BlobStore;
  staging: StagingArea;
  logger: Logger;
  runId: string;
}

export interface FamilyOptions {
  extract: ExtractOptions;
  maxFileSizeBytes: number;
  signal: AbortSignal;
  /** The file's correlation id; a part's is `<it>.<n>`. */
  correlationId: string;
  /** Adds a stage's time to the file's statistics. */
  time: <T>(stage: Stage, work: () => Promise<T>) => Promise<T>;
}

/** A part as the file's outcome reports it. */
export interface PartOutcome {
  documentId: number;
  name: string;
  /** catalogued: new with this file; linked: the content was already in the catalogue. */
  status: 'catalogued' | 'linked';
  mime: string;
  type?: string;
}

/**
 * The parts of one file being ingested. `open` decides whether the file can have any; the caller
 * extracts with `extractOptions`, calls `prepare` with the result, `store` after storing the
 * file's own blob, `commitDocument` instead of the repository's, and always `close`.
 */
export class FileFamily {
  private readonly folders: { path: string; remove(): Promise<void> }[] = [];
  private readonly claims: FamilyClaims;
  private parts: PreparedPart[] = [];
  private members = 0;
  private sequence = 0;
  private committedIds = new Map<string, number>();
  /** The parts as stored, ready to commit. */
  private members_: FamilyMember[] | undefined;
  readonly warnings: ExtractWarning[] = [];
  /** Parts (at every level) that became new documents. */
  catalogued = 0;

  private constructor(
    private readonly deps: FamilyDependencies,
    private readonly options: FamilyOptions,
    private readonly limits: PartsOptions,
    readonly extractOptions: ExtractOptions,
  ) {
    this.claims = new FamilyClaims(deps, options.signal);
  }

  /** A family for a container type when parts are wanted (email.attachments); otherwise undefined. */
  static async open(mime: string, deps: FamilyDependencies, options: FamilyOptions): Promise<FileFamily | undefined> {
    const limits = options.extract.parts;
    if (!limits || !CONTAINERS.has(mime)) return undefined;
    const folder = await deps.staging.folder();
    const family = new FileFamily(deps, options, limits, { ...options.extract, parts: { ...limits, directory: folder.path } });
    family.folders.push(folder);
    return family;
  }

  /**
   * Hashes, sniffs, dedupes, extracts and classifies every part of the extracted file (and the
   * parts of parts). An mbox's messages are committed here one by one, each with its own parts.
   */
  async prepare(extracted: ExtractResult, containerMime: string): Promise<void> {
    const parts = extracted.parts ?? [];
    if (containerMime === 'application/mbox') {
      for (const [index, part] of parts.entries()) {
        this.stopIfAborted();
        const committed = await this.commitMessage(part, index + 1);
        if (committed) this.parts.push(committed);
      }
      return;
    }
    this.parts = await this.prepareAll(parts, 1, new Map());
  }

  /** Claims every new content of the family and stores its blob; the claims are held until close. */
  async store(): Promise<void> {
    await this.claims.claimContents(this.parts);
    this.members_ = await this.storeBlobs(this.parts);
  }

  /** Commits the document with all its parts in one transaction; its own blob and theirs are stored. */
  async commitDocument(document: NewDocument, sighting: SourceSighting): Promise<CommitResult> {
    const committed = await commitFamily(this.deps.repository, { document, sighting, children: this.members_ ?? [] });
    this.committedIds = committed.ids;
    this.catalogued += committed.inserted;
    return committed;
  }

  /** The direct parts as the file's outcome reports them, once committed. */
  outcomes(): PartOutcome[] {
    return this.parts.flatMap((part): PartOutcome[] => {
      const documentId = part.existingId ?? this.committedIds.get(part.sha256);
      if (documentId === undefined) return [];
      return [{ documentId, name: part.name, status: part.document || part.catalogued ? 'catalogued' : 'linked', mime: part.mime, ...(part.type === undefined ? {} : { type: part.type }) }];
    });
  }

  async close(): Promise<void> {
    await this.claims.close();
    for (const folder of this.folders) await folder.remove().catch(() => undefined);
  }

  /** One mbox message as a family of its own: committed now, or linked when already there. */
  private async commitMessage(part: ExtractedPart, number: number): Promise<PreparedPart | undefined> {
    // The message itself is not one of its attachments.
    this.members = -1;
    const label = `message ${number}`;
    let prepared: PreparedPart | undefined;
    try {
      prepared = await this.prepareOne(part, 1, new Map(), label);
      if (!prepared) return undefined;
      if (prepared.existingId !== undefined || !prepared.document) return prepared;
      const { document, children } = prepared;
      // Taken as any file's content is, waiting for another process that is extracting it.
      const claimed = await this.claims.claimOrWait(prepared.sha256);
      if (claimed !== undefined) return { ...prepared, existingId: claimed, children: [], document: undefined };
      try {
        await this.claims.claimContents(children);
        const put = await this.put(prepared);
        const members = await this.storeBlobs(children);
        const committed = await this.options.time('commit', () =>
          commitFamily(this.deps.repository, { document: { ...document, size: put.size, blobBackend: put.backend, blobKey: put.key }, sighting: { runId: this.deps.runId }, children: members }),
        );
        if (!committed.duplicate) this.catalogued += 1 + committed.inserted;
        return { ...prepared, existingId: committed.documentId, document: undefined, children: [], catalogued: !committed.duplicate };
      } finally {
        await this.claims.releaseAll();
      }
    } catch (error) {
      if (isStopping(error, this.options.signal)) throw error;
      this.warn('W_MBOX_MESSAGE_FAILED', label, error);
      await this.claims.releaseAll();
      return undefined;
    }
  }

  private async prepareAll(parts: readonly ExtractedPart[], depth: number, seen: Map<string, PreparedPart>): Promise<PreparedPart[]> {
    const prepared: PreparedPart[] = [];
    for (const part of parts) {
      this.stopIfAborted();
      try {
        const one = await this.prepareOne(part, depth, seen, part.name || `part ${prepared.length + 1}`);
        if (one) prepared.push(one);
      } catch (error) {
        if (isStopping(error, this.options.signal) || (error instanceof DoccatError && error.code === 'E_EMAIL_TOO_MANY_ATTACHMENTS')) throw error;
        this.warn('W_ATTACHMENT_FAILED', part.name || 'an attachment', error);
      }
    }
    return prepared;
  }

  /** One part through the file stages up to classification; undefined when it is not a document. */
  private async prepareOne(part: ExtractedPart, depth: number, seen: Map<string, PreparedPart>, label: string): Promise<PreparedPart | undefined> {
    this.members += 1;
    if (this.members > this.limits.maxAttachments) {
      throw new DoccatError('E_EMAIL_TOO_MANY_ATTACHMENTS', `the e-mail holds more than ${this.limits.maxAttachments} attachments, counting those of attached messages`, {
        hint: 'raise email.maxAttachments in the config if this really is a message you want catalogued with its attachments',
      });
    }
    const { sha256, size } = await this.options.time('hash', () => hashFile(part.path));
    if (sha256 !== part.sha256 || size !== part.size) throw new DoccatError('E_EXTRACT_CRASHED', `the extraction process wrote ${label} differently than it reported`, { hint: 'please report this with the file' });
    if (size > this.options.maxFileSizeBytes) {
      this.warnings.push({ code: 'W_ATTACHMENT_TOO_LARGE', message: `${label}: ${(size / 1024 / 1024).toFixed(1)} MB, over ingest.maxFileSizeMb; not catalogued` });
      return undefined;
    }
    const { mime } = await this.options.time('sniff', () => sniffFile(part.path, part.name || (part.kind === 'message' ? 'message.eml' : part.path)));
    if (!hasExtractor(mime)) {
      this.warnings.push({ code: 'W_ATTACHMENT_UNSUPPORTED', message: `${label}: ${mime} is not a document format doccat reads; not catalogued` });
      return undefined;
    }
    const name = part.name;
    const again = seen.get(sha256);
    if (again) return { name, sha256, mime, size, children: [], ...(again.existingId !== undefined ? { existingId: again.existingId } : { sameAs: true }) };
    const existingId = await this.deps.repository.findIdBySha256(sha256);
    if (existingId !== undefined) return this.remember(seen, { name, sha256, mime, existingId, size, children: [] });

    const container = CONTAINERS.has(mime) && depth < MAX_DEPTH;
    const folder = container ? await this.deps.staging.folder() : undefined;
    if (folder) this.folders.push(folder);
    const extractOptions: ExtractOptions = folder ? { ...this.options.extract, parts: { ...this.limits, directory: folder.path } } : withoutParts(this.options.extract);
    const extracted = await this.options.time('extract', () =>
      this.deps.extraction.extract({ path: part.path, mime, size, options: extractOptions, ocr: this.deps.ocr, signal: this.options.signal }),
    );
    this.stopIfAborted();
    const correlationId = `${this.options.correlationId}.${(this.sequence += 1)}`;
    const classification = await this.options.time('classify', () =>
      this.deps.classifier.classify({ text: extracted.text, mime, fileName: name || label, metadata: extracted.metadata, ...(extracted.layoutText === undefined ? {} : { layoutText: extracted.layoutText }), correlationId, signal: this.options.signal }),
    );
    this.deps.logger.info({ correlationId, part: label, mime, type: classification.type }, 'part prepared');
    const children = extracted.parts ? await this.prepareAll(extracted.parts, depth + 1, seen) : [];
    const document = partDocument(name || `${label}.${part.kind === 'message' ? 'eml' : 'bin'}`, sha256, mime, extracted, classification);
    return this.remember(seen, { name, sha256, mime, document, stagedPath: part.path, size, children, type: classification.type });
  }

  private remember(seen: Map<string, PreparedPart>, part: PreparedPart): PreparedPart {
    seen.set(part.sha256, part);
    return part;
  }

  /** Every new blob stored (each under its claim), in the shape the commit takes. */
  private async storeBlobs(parts: PreparedPart[]): Promise<FamilyMember[]> {
    const stored = new Map<string, PutResult>();
    const members = async (list: PreparedPart[]): Promise<FamilyMember[]> => {
      const result: FamilyMember[] = [];
      for (const part of list) {
        if (part.existingId !== undefined) result.push({ name: part.name, existingId: part.existingId, children: [] });
        else if (part.sameAs) result.push({ name: part.name, sameContentAs: part.sha256, children: [] });
        else if (part.document) {
          let put = stored.get(part.sha256);
          if (!put) {
            put = await this.put(part);
            stored.set(part.sha256, put);
          }
          result.push({ name: part.name, document: { ...part.document, size: put.size, blobBackend: put.backend, blobKey: put.key }, children: await members(part.children) });
        }
      }
      return result;
    };
    return members(parts);
  }

  private async put(part: PreparedPart): Promise<PutResult> {
    const stagedPath = part.stagedPath as string;
    return this.options.time('store', () => this.deps.store.putFile(stagedPath, part.sha256, { take: true }));
  }

  private stopIfAborted(): void {
    if (this.options.signal.aborted) throw interrupted();
  }

  private warn(code: string, label: string, error: unknown): void {
    const info = toErrorInfo(error);
    this.deps.logger.warn({ part: label, code: info.code, err: info.message }, 'part not catalogued');
    this.warnings.push({ code, message: `${label}: ${info.code} ${info.message}` });
  }
}

export { mayHaveParts } from './family-parts.js';
