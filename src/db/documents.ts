import type { Insertable, Kysely } from 'kysely';
import { currentActor } from '../observability/actor.js';
import type { Database, IngestEventsTable } from './schema.js';
import { deleteSearchEntry, writeSearchEntry } from './search-index.js';
import { bookkeepingWrite, dialectFor, type SqlDialect, writeTransaction } from './dialect.js';
import { unlinkDocument } from './document-parts.js';
import * as blobs from './document-blobs.js';
import { storedSearchable } from './document-blobs.js';
import { classificationOf } from './document-classification.js';
import { applyAutomaticClassification, applyManualChanges, insertClassification, syncTags, writeAudit } from './document-edits.js';
import { upsertSource } from './document-sources.js';
import type {
  AuditRow,
  AutomaticClassification,
  BlobLocation,
  BlobPage,
  BlobRole,
  ClassificationRow,
  CommitResult,
  DocumentChanges,
  DocumentRow,
  NewDocument,
  SightingStatus,
  SourceRow,
  SourceSighting,
  StoredBlob,
} from './document-types.js';

/**
 * All SQL about documents and their source paths goes through DocumentRepository; the blob
 * lookups (document-blobs.ts), the corrections and reclassification (document-edits.ts) and the
 * source rows (document-sources.ts) live beside it, and the shapes in document-types.ts.
 */

export type * from './document-types.js';
export { storedSearchable } from './document-blobs.js';

export class DocumentRepository {
  /** Row locks differ: chosen once, from the connection. */
  private readonly dialect: SqlDialect;

  constructor(
    private readonly db: Kysely<Database>,
    /** Who is acting, for the audit trail: the OS user. */
    private readonly actor: string = currentActor(),
  ) {
    this.dialect = dialectFor(db);
  }

  /** Work that writes several documents (a family) as one transaction: the repository given joins it. */
  async inTransaction<T>(work: (repository: DocumentRepository, trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, (trx) => work(new DocumentRepository(trx, this.actor), trx));
  }

  async findIdBySha256(sha256: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('documents').select('id').where('sha256', '=', sha256).executeTakeFirst();
    return row?.id;
  }

  async findSourceByPath(filePath: string): Promise<SourceRow | undefined> {
    return this.db.selectFrom('sources').selectAll().where('path', '=', filePath).executeTakeFirst();
  }

  /** The catalogue's id (migration 0010), which its blob stores know it by. */
  async catalogId(): Promise<string> {
    const row = await this.db.selectFrom('catalog_meta').select('value').where('key', '=', 'catalog_id').executeTakeFirstOrThrow();
    return row.value;
  }

  /** True when some document's blob (original or searchable PDF) is stored under this key (on any backend). */
  async isBlobKeyReferenced(key: string): Promise<boolean> {
    return blobs.isBlobKeyReferenced(this.db, key);
  }

  /** True when some document's original or searchable PDF is this key on this backend. */
  async isBlobKeyReferencedOn(key: string, backend: string): Promise<boolean> {
    return blobs.isBlobKeyReferencedOn(this.db, key, backend);
  }

  /** Where a document's original is, without reading its text. */
  async blobLocation(id: number): Promise<BlobLocation | undefined> {
    return blobs.blobLocation(this.db, id);
  }

  async getDocument(id: number): Promise<DocumentRow | undefined> {
    return this.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A page of documents' blobs, by id (db/document-blobs.ts). */
  async blobPage(afterId: number, limit: number, filter: { on?: string; notOn?: string } = {}): Promise<BlobPage> {
    return blobs.blobPage(this.db, afterId, limit, filter);
  }

  /** Documents per blob backend (where their originals are). */
  async countByBackend(): Promise<Map<string, number>> {
    return blobs.countByBackend(this.db);
  }

  /** Blobs the catalogue refers to: every original, and the searchable PDFs. */
  async countBlobs(): Promise<number> {
    return blobs.countBlobs(this.db);
  }

  /** Every blob key some document refers to, wherever its blob is: originals and searchable PDFs. */
  async referencedKeys(): Promise<Set<string>> {
    return blobs.referencedKeys(this.db);
  }

  /**
   * Removes a document and everything that hangs on it (tags, classification history, search
   * entry, the sources that point at it) in one transaction with its audit entry; the audit
   * entry stays. Returns where its blobs are (the original, and the searchable PDF when it has
   * one), for the caller to delete after the commit.
   */
  async deleteDocument(
    documentId: number,
    runId: string,
    /** `command` for the audit entry; `unless` may veto inside the transaction, with the row locked (prune re-checks its policy there). */
    options: { command?: string; unless?: (trx: Kysely<Database>) => Promise<boolean> } = {},
  ): Promise<{ sha256: string; blobBackend: string; blobKey: string; searchable?: StoredBlob } | undefined> {
    return writeTransaction(this.db, async (trx) => {
      // Postgres: an ingest recording a duplicate of this document share-locks it, so the two wait for each other.
      const lookup = this.dialect.lockForUpdate(
        trx
          .selectFrom('documents')
          .select(['sha256', 'title', 'type', 'blob_backend', 'blob_key', 'searchable_sha256', 'searchable_size', 'searchable_backend', 'searchable_key'])
          .where('id', '=', documentId),
      );
      const row = await lookup.executeTakeFirst();
      if (!row) return undefined;
      if (options.unless && (await options.unless(trx))) return undefined;
      const paths = (await trx.selectFrom('sources').select('path').where('document_id', '=', documentId).execute()).map((source) => source.path);
      await this.audit(trx, documentId, options.command ?? 'delete', 'document', JSON.stringify({ sha256: row.sha256, title: row.title, type: row.type, paths }), null, runId);
      await trx.deleteFrom('document_tags').where('document_id', '=', documentId).execute();
      await trx.deleteFrom('classifications').where('document_id', '=', documentId).execute();
      await trx.deleteFrom('sources').where('document_id', '=', documentId).execute();
      await trx.deleteFrom('source_provenance').where('document_id', '=', documentId).execute();
      await trx.deleteFrom('document_members').where((eb) => eb.or([eb('parent_id', '=', documentId), eb('child_id', '=', documentId)])).execute();
      await unlinkDocument(trx, documentId);
      await deleteSearchEntry(trx, documentId);
      await trx.deleteFrom('documents').where('id', '=', documentId).execute();
      const searchable = storedSearchable(row);
      return { sha256: row.sha256, blobBackend: row.blob_backend, blobKey: row.blob_key, ...(searchable ? { searchable } : {}) };
    });
  }

  /**
   * Points a document at the copy of one of its blobs on another backend, only if it still points
   * where the copy came from (another process may have moved it meanwhile), and audits the move.
   */
  async moveBlob(documentId: number, from: string, to: string, command: string, runId: string, role: BlobRole = 'original'): Promise<boolean> {
    const column = role === 'original' ? 'blob_backend' : 'searchable_backend';
    return writeTransaction(this.db, async (trx) => {
      const moved = await trx
        .updateTable('documents')
        .set({ [column]: to, updated_at: new Date().toISOString() })
        .where('id', '=', documentId)
        .where(column, '=', from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await this.audit(trx, documentId, command, column, from, to, runId);
      return true;
    });
  }

  /** Tags in use, most used first: the vocabulary offered to AI providers. */
  async knownTags(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('document_tags').select('tag').groupBy('tag').orderBy((eb) => eb.fn.countAll(), 'desc').orderBy('tag').limit(limit).execute();
    return rows.map((row) => row.tag);
  }

  /** Correspondents already in the catalogue, most frequent first, so providers reuse their names. */
  async knownCorrespondents(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('documents').select('correspondent').where('correspondent', 'is not', null).groupBy('correspondent').orderBy((eb) => eb.fn.countAll(), 'desc').orderBy('correspondent').limit(limit).execute();
    return rows.map((row) => row.correspondent as string);
  }

  async getSources(documentId: number): Promise<SourceRow[]> {
    return this.db.selectFrom('sources').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
  }

  async countDocuments(): Promise<number> {
    const row = await this.db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Inserts the document, its search entry and its source path in one transaction. The blob must
   * already be durable. If the same content was committed meanwhile (another process), the path is
   * recorded as a duplicate of that document instead, so content is never catalogued twice.
   * A part of another document (an e-mail's attachment) has no path of its own: no source is recorded.
   */
  async commitDocument(document: NewDocument, sighting: SourceSighting | { runId: string; path?: undefined }): Promise<CommitResult> {
    return writeTransaction(this.db, async (trx) => {
      const lookup = this.dialect.lockForShare(trx.selectFrom('documents').select('id').where('sha256', '=', document.sha256));
      const existing = await lookup.executeTakeFirst();
      if (existing) {
        if (sighting.path === undefined) return { documentId: existing.id, duplicate: true };
        const status = await upsertSource(trx, sighting, { status: 'duplicate', documentId: existing.id });
        return { documentId: existing.id, duplicate: true, unchanged: status !== 'duplicate' };
      }
      const now = new Date().toISOString();
      const inserted = await trx
        .insertInto('documents')
        .values({
          sha256: document.sha256,
          size: document.size,
          mime: document.mime,
          original_name: document.originalName,
          blob_backend: document.blobBackend,
          blob_key: document.blobKey,
          method: document.method,
          pages: document.pages,
          words: document.words,
          language: document.language,
          ocr_confidence: document.ocrConfidence,
          ocr_engine: document.ocrEngine ?? null,
          type: document.type,
          title: document.title,
          tags: JSON.stringify(document.tags),
          document_date: document.documentDate,
          correspondent: document.correspondent,
          metadata: JSON.stringify(document.metadata),
          class_confidence: document.classConfidence,
          class_rule: document.classRule,
          classifier: document.classifier,
          fields: JSON.stringify(document.fields),
          warnings: JSON.stringify(document.warnings),
          text: document.text,
          added_at: now,
          updated_at: now,
          ...(document.searchable
            ? { searchable_sha256: document.searchable.sha256, searchable_size: document.searchable.size, searchable_backend: document.searchable.backend, searchable_key: document.searchable.key }
            : {}),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeSearchEntry(trx, inserted.id, { title: document.title, tags: document.tags, correspondent: document.correspondent, body: document.text });
      if (sighting.path !== undefined) await upsertSource(trx, sighting, { status: 'catalogued', documentId: inserted.id });
      await syncTags(trx, inserted.id, document.tags);
      await insertClassification(trx, inserted.id, classificationOf(document));
      await this.audit(trx, inserted.id, 'ingest', 'document', null, JSON.stringify({ sha256: document.sha256, path: sighting.path ?? null, type: document.type }), sighting.runId);
      return { documentId: inserted.id, duplicate: false };
    });
  }

  /**
   * Records a path holding content that is already catalogued: a duplicate when it is another
   * path; when the path already points at that document (read again after a touch, or catalogued
   * meanwhile by another process from the same path) it keeps its status, with its file facts
   * refreshed, and the sighting is `unchanged`. A document's own source never becomes a
   * duplicate of it.
   */
  async recordDuplicate(sighting: SourceSighting, documentId: number): Promise<SightingStatus | 'gone'> {
    return writeTransaction(this.db, async (trx) => {
      // The document may have been deleted (pruned) since it was looked up: then there is
      // nothing to be a duplicate of. Share-locked on Postgres until the commit, so a delete waits.
      const lookup = this.dialect.lockForShare(trx.selectFrom('documents').select('id').where('id', '=', documentId));
      if (!(await lookup.executeTakeFirst())) return 'gone';
      return (await upsertSource(trx, sighting, { status: 'duplicate', documentId })) === 'duplicate' ? 'duplicate' : 'unchanged';
    });
  }

  /**
   * Marks an already-known path as seen in this run without changing what it points to: a
   * bookkeeping write (dialect/types.ts), since a cron run over a large unchanged folder makes one
   * per file, and a lost one only shows an older "last seen" until the next run.
   */
  async touchSource(filePath: string, runId: string): Promise<void> {
    await bookkeepingWrite(this.db, (db) => db.updateTable('sources').set({ last_seen: new Date().toISOString(), run_id: runId }).where('path', '=', filePath).execute());
  }

  /** A file's statistics row: a bookkeeping write (dialect/types.ts); the document's own commit came before. */
  async recordIngestEvent(event: Insertable<IngestEventsTable>): Promise<void> {
    await bookkeepingWrite(this.db, (db) => db.insertInto('ingest_events').values(event).execute());
  }

  async recordFailure(sighting: SourceSighting, error: { code: string; message: string; hint?: string }): Promise<void> {
    await writeTransaction(this.db, async (trx) => {
      await upsertSource(trx, sighting, { status: 'failed', documentId: null, error });
    });
  }

  async getClassificationHistory(documentId: number): Promise<ClassificationRow[]> {
    return this.db.selectFrom('classifications').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
  }

  async getAudit(documentId: number): Promise<AuditRow[]> {
    return this.db.selectFrom('audit').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
  }

  /** The latest changes to any document, newest first. */
  async recentAudit(limit: number): Promise<AuditRow[]> {
    return this.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Applies a person's corrections in one transaction: the row, the search index, the fields
   * marked manual, and one audit entry per changed field. Returns the fields that changed.
   */
  async applyManualChanges(documentId: number, changes: DocumentChanges, command: string, runId: string): Promise<string[]> {
    return applyManualChanges(this.db, this.actor, documentId, changes, command, runId);
  }

  /**
   * Records a new automatic classification (reclassify) without touching fields a person set by
   * hand; the full result still goes into the history.
   */
  async applyAutomaticClassification(documentId: number, result: AutomaticClassification, runId: string): Promise<void> {
    await applyAutomaticClassification(this.db, this.actor, documentId, result, runId);
  }

  private async audit(db: Kysely<Database>, documentId: number | null, command: string, field: string, oldValue: string | null, newValue: string | null, runId: string): Promise<void> {
    await writeAudit(db, { documentId, command, field, oldValue, newValue, actor: this.actor, runId });
  }

  async startRun(id: string, command: string): Promise<void> {
    await this.db.insertInto('runs').values({ id, command, started_at: new Date().toISOString(), status: 'running', finished_at: null, totals: '{}' }).execute();
  }

  async finishRun(id: string, status: string, totals: Record<string, number>): Promise<void> {
    await this.db.updateTable('runs').set({ finished_at: new Date().toISOString(), status, totals: JSON.stringify(totals) }).where('id', '=', id).execute();
  }
}
