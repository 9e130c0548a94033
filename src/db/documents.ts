import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { currentActor } from '../observability/actor.js';
import type { AuditTable, ClassificationsTable, Database, DocumentsTable, IngestEventsTable, SourcesTable } from './schema.js';
import { deleteSearchEntry, writeSearchEntry } from './search-index.js';
import { dialectOf, writeTransaction } from './dialect.js';
import { unlinkDocument } from './document-parts.js';

/** All SQL about documents and their source paths lives here. */

export type DocumentRow = Selectable<DocumentsTable>;
export type SourceRow = Selectable<SourcesTable>;
export type ClassificationRow = Selectable<ClassificationsTable>;
export type AuditRow = Selectable<AuditTable>;

/** A document field: text, or money as {amount, currency} (classify/classifier.ts says the same). */
export type FieldValue = string | { amount: number; currency: string | null };

/** How a field is written in the audit trail: text as it is, money as JSON. */
function auditValue(value: FieldValue | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The fields a person can correct; once corrected by hand they are "manual". */
export type EditableField = 'type' | 'title' | 'date' | 'correspondent' | 'tags' | `field:${string}`;

export interface DocumentChanges {
  type?: string;
  title?: string;
  date?: string | null;
  correspondent?: string | null;
  addTags?: string[];
  removeTags?: string[];
  /** key -> value; null removes the field. */
  fields?: Record<string, FieldValue | null>;
}

export interface AutomaticClassification {
  classifier: string;
  type: string;
  title: string;
  tags: string[];
  date: string | null;
  correspondent: string | null;
  confidence: number;
  rule: string;
  fields: Record<string, FieldValue>;
}

export interface NewDocument {
  sha256: string;
  size: number;
  mime: string;
  originalName: string;
  blobBackend: string;
  blobKey: string;
  method: string;
  pages: number;
  words: number;
  language: string | null;
  ocrConfidence: number | null;
  type: string;
  title: string;
  tags: string[];
  documentDate: string | null;
  correspondent: string | null;
  classConfidence: number;
  classRule: string;
  classifier: string;
  fields: Record<string, FieldValue>;
  warnings: { code: string; message: string }[];
  text: string;
  /** What the source said about itself (e-mail sender, PDF title), kept for reclassification. */
  metadata: Record<string, string>;
  /** The OCR engine that read its scanned pages ("tesseract 5.3.0"), when any were. */
  ocrEngine?: string | null;
  /** The searchable PDF made from the OCR, already stored. */
  searchable?: StoredBlob;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  backend: string;
  key: string;
}

/** Which of a document's blobs: the original bytes, or the searchable PDF made from them. */
export type BlobRole = 'original' | 'searchable';

/** One blob of a document (its original, or its searchable PDF) and where it is. */
export interface BlobLocation {
  id: number;
  role: BlobRole;
  sha256: string;
  size: number;
  blob_backend: string;
  blob_key: string;
}

export interface BlobPage {
  blobs: BlobLocation[];
  /** Documents read for this page. */
  documents: number;
  lastId: number;
}

export interface SourceSighting {
  path: string;
  sha256: string | null;
  size: number | null;
  mtimeMs: number | null;
  /** `<dev>:<ino>` of the file read, and its ctime: with size and mtime, what "unchanged" compares. */
  fileId?: string | null;
  ctimeMs?: number | null;
  runId: string;
}

/**
 * What recording a path with content already catalogued amounted to: `unchanged` when the path
 * already pointed at that document (it keeps its status), `duplicate` when it is another path.
 */
export type SightingStatus = 'duplicate' | 'unchanged';

export interface CommitResult {
  documentId: number;
  /** True when another path (or another process) had already catalogued the same content. */
  duplicate: boolean;
  /** True when that other process had catalogued it from this very path. */
  unchanged?: boolean;
}

export class DocumentRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Who is acting, for the audit trail: the OS user. */
    private readonly actor: string = currentActor(),
  ) {}

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
    const asOriginal = await this.db.selectFrom('documents').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    return asOriginal !== undefined || (await this.db.selectFrom('documents').select('id').where('searchable_key', '=', key).limit(1).executeTakeFirst()) !== undefined;
  }

  /** True when some document's original or searchable PDF is this key on this backend. */
  async isBlobKeyReferencedOn(key: string, backend: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('documents')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('blob_key', '=', key), eb('blob_backend', '=', backend)]), eb.and([eb('searchable_key', '=', key), eb('searchable_backend', '=', backend)])]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Where a document's original is, without reading its text. */
  async blobLocation(id: number): Promise<BlobLocation | undefined> {
    const row = await this.db.selectFrom('documents').select(['id', 'sha256', 'size', 'blob_backend', 'blob_key']).where('id', '=', id).executeTakeFirst();
    return row && { ...row, role: 'original' };
  }

  async getDocument(id: number): Promise<DocumentRow | undefined> {
    return this.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The blobs of a page of documents, by id (`limit` documents; a document's original and its
   * searchable PDF come together), optionally only blobs on (or not on) a backend. The next page
   * starts after `lastId`; fewer than `limit` documents means there is none.
   */
  async blobPage(afterId: number, limit: number, filter: { on?: string; notOn?: string } = {}): Promise<BlobPage> {
    let query = this.db
      .selectFrom('documents')
      .select(['id', 'sha256', 'size', 'blob_backend', 'blob_key', 'searchable_sha256', 'searchable_size', 'searchable_backend', 'searchable_key'])
      .where('id', '>', afterId);
    if (filter.on !== undefined) {
      const on = filter.on;
      query = query.where((eb) => eb.or([eb('blob_backend', '=', on), eb('searchable_backend', '=', on)]));
    }
    if (filter.notOn !== undefined) {
      const notOn = filter.notOn;
      query = query.where((eb) => eb.or([eb('blob_backend', '!=', notOn), eb.and([eb('searchable_key', 'is not', null), eb('searchable_backend', '!=', notOn)])]));
    }
    const rows = await query.orderBy('id').limit(limit).execute();
    const locations: BlobLocation[] = [];
    for (const row of rows) {
      locations.push({ id: row.id, role: 'original', sha256: row.sha256, size: Number(row.size), blob_backend: row.blob_backend, blob_key: row.blob_key });
      if (row.searchable_key !== null && row.searchable_sha256 !== null && row.searchable_backend !== null) {
        locations.push({ id: row.id, role: 'searchable', sha256: row.searchable_sha256, size: Number(row.searchable_size), blob_backend: row.searchable_backend, blob_key: row.searchable_key });
      }
    }
    return {
      blobs: locations.filter((location) => (filter.on === undefined || location.blob_backend === filter.on) && (filter.notOn === undefined || location.blob_backend !== filter.notOn)),
      documents: rows.length,
      lastId: rows[rows.length - 1]?.id ?? afterId,
    };
  }

  /** Documents per blob backend (where their originals are). */
  async countByBackend(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('documents').select(['blob_backend', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('blob_backend').execute();
    return new Map(rows.map((row) => [row.blob_backend, Number(row.count)]));
  }

  /** Blobs the catalogue refers to: every original, and the searchable PDFs. */
  async countBlobs(): Promise<number> {
    const row = await this.db
      .selectFrom('documents')
      .select((eb) => [eb.fn.countAll<number>().as('originals'), eb.fn.count<number>('searchable_key').as('searchable')])
      .executeTakeFirstOrThrow();
    return Number(row.originals) + Number(row.searchable);
  }

  /** Every blob key some document refers to, wherever its blob is: originals and searchable PDFs. */
  async referencedKeys(): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const row of await this.db.selectFrom('documents').select(['blob_key', 'searchable_key']).execute()) {
      keys.add(row.blob_key);
      if (row.searchable_key !== null) keys.add(row.searchable_key);
    }
    return keys;
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
      let lookup = trx
        .selectFrom('documents')
        .select(['sha256', 'title', 'type', 'blob_backend', 'blob_key', 'searchable_sha256', 'searchable_size', 'searchable_backend', 'searchable_key'])
        .where('id', '=', documentId);
      // Postgres: an ingest recording a duplicate of this document share-locks it, so the two wait for each other.
      if (dialectOf(this.db) === 'postgres') lookup = lookup.forUpdate();
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
      let lookup = trx.selectFrom('documents').select('id').where('sha256', '=', document.sha256);
      if (dialectOf(this.db) === 'postgres') lookup = lookup.forShare();
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
      await insertClassification(trx, inserted.id, {
        classifier: document.classifier,
        type: document.type,
        title: document.title,
        tags: document.tags,
        date: document.documentDate,
        correspondent: document.correspondent,
        confidence: document.classConfidence,
        rule: document.classRule,
      });
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
      let lookup = trx.selectFrom('documents').select('id').where('id', '=', documentId);
      if (dialectOf(this.db) === 'postgres') lookup = lookup.forShare();
      if (!(await lookup.executeTakeFirst())) return 'gone';
      return (await upsertSource(trx, sighting, { status: 'duplicate', documentId })) === 'duplicate' ? 'duplicate' : 'unchanged';
    });
  }

  /** Marks an already-known path as seen in this run without changing what it points to. */
  async touchSource(filePath: string, runId: string): Promise<void> {
    await this.db.updateTable('sources').set({ last_seen: new Date().toISOString(), run_id: runId }).where('path', '=', filePath).execute();
  }

  async recordIngestEvent(event: Insertable<IngestEventsTable>): Promise<void> {
    await this.db.insertInto('ingest_events').values(event).execute();
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
    return writeTransaction(this.db, async (trx) => {
      const row = await trx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
      const manual = new Set(JSON.parse(row.manual_fields) as string[]);
      const updates: { type?: string; title?: string; document_date?: string | null; correspondent?: string | null; tags?: string; fields?: string } = {};
      const changed: string[] = [];
      const record = async (field: EditableField, oldValue: string | null, newValue: string | null) => {
        manual.add(field);
        if (oldValue === newValue) return;
        changed.push(field);
        await this.audit(trx, documentId, command, field, oldValue, newValue, runId);
      };
      const scalars = [
        ['type', 'type'],
        ['title', 'title'],
        ['date', 'document_date'],
        ['correspondent', 'correspondent'],
      ] as const;
      for (const [field, column] of scalars) {
        const value = changes[field];
        if (value === undefined) continue;
        Object.assign(updates, { [column]: value });
        await record(field, row[column], value);
      }
      if (changes.addTags?.length || changes.removeTags?.length) {
        const tags = new Set(JSON.parse(row.tags) as string[]);
        for (const tag of changes.addTags ?? []) tags.add(tag);
        for (const tag of changes.removeTags ?? []) tags.delete(tag);
        const next = JSON.stringify([...tags].sort());
        updates.tags = next;
        await record('tags', row.tags, next);
      }
      if (changes.fields && Object.keys(changes.fields).length > 0) {
        const fields = JSON.parse(row.fields) as Record<string, FieldValue>;
        for (const [key, value] of Object.entries(changes.fields)) {
          const old = auditValue(fields[key]);
          if (value === null) delete fields[key];
          else fields[key] = value;
          await record(`field:${key}`, old, auditValue(value));
        }
        updates.fields = JSON.stringify(fields);
      }
      await trx
        .updateTable('documents')
        .set({ ...updates, manual_fields: JSON.stringify([...manual].sort()), updated_at: new Date().toISOString() })
        .where('id', '=', documentId)
        .execute();
      await this.reindex(trx, documentId);
      return changed;
    });
  }

  /**
   * Records a new automatic classification (reclassify) without touching fields a person set by
   * hand; the full result still goes into the history.
   */
  async applyAutomaticClassification(documentId: number, result: AutomaticClassification, runId: string): Promise<void> {
    await writeTransaction(this.db, async (trx) => {
      const row = await trx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
      const manual = new Set(JSON.parse(row.manual_fields) as string[]);
      const fields = JSON.parse(row.fields) as Record<string, FieldValue>;
      for (const [key, value] of Object.entries(result.fields)) if (!manual.has(`field:${key}`)) fields[key] = value;
      const next = {
        type: manual.has('type') ? row.type : result.type,
        title: manual.has('title') ? row.title : result.title,
        document_date: manual.has('date') ? row.document_date : result.date,
        correspondent: manual.has('correspondent') ? row.correspondent : result.correspondent,
        tags: manual.has('tags') ? row.tags : JSON.stringify([...result.tags].sort()),
        fields: JSON.stringify(fields),
      };
      for (const [column, field] of [['type', 'type'], ['title', 'title'], ['document_date', 'date'], ['correspondent', 'correspondent'], ['tags', 'tags']] as const) {
        if (row[column] !== next[column]) await this.audit(trx, documentId, `classify:${result.classifier}`, field, row[column], next[column], runId);
      }
      await trx
        .updateTable('documents')
        .set({ ...next, classifier: result.classifier, class_confidence: result.confidence, class_rule: result.rule, updated_at: new Date().toISOString() })
        .where('id', '=', documentId)
        .execute();
      await insertClassification(trx, documentId, result);
      await this.reindex(trx, documentId);
    });
  }

  /** Brings the search index and the tag table in line with the document row. */
  private async reindex(trx: Kysely<Database>, documentId: number): Promise<void> {
    const row = await trx.selectFrom('documents').select(['title', 'tags', 'correspondent']).where('id', '=', documentId).executeTakeFirstOrThrow();
    const tags = JSON.parse(row.tags) as string[];
    await writeSearchEntry(trx, documentId, { title: row.title, tags, correspondent: row.correspondent });
    await syncTags(trx, documentId, tags);
  }

  private async audit(db: Kysely<Database>, documentId: number | null, command: string, field: string, oldValue: string | null, newValue: string | null, runId: string): Promise<void> {
    await db.insertInto('audit').values({ document_id: documentId, command, field, old_value: oldValue, new_value: newValue, actor: this.actor, run_id: runId, at: new Date().toISOString() }).execute();
  }

  async startRun(id: string, command: string): Promise<void> {
    await this.db.insertInto('runs').values({ id, command, started_at: new Date().toISOString(), status: 'running', finished_at: null, totals: '{}' }).execute();
  }

  async finishRun(id: string, status: string, totals: Record<string, number>): Promise<void> {
    await this.db.updateTable('runs').set({ finished_at: new Date().toISOString(), status, totals: JSON.stringify(totals) }).where('id', '=', id).execute();
  }
}

/** A document row's searchable PDF blob, if it has one. */
export function storedSearchable(row: Pick<DocumentRow, 'searchable_sha256' | 'searchable_size' | 'searchable_backend' | 'searchable_key'>): StoredBlob | undefined {
  if (row.searchable_sha256 === null || row.searchable_size === null || row.searchable_backend === null || row.searchable_key === null) return undefined;
  return { sha256: row.searchable_sha256, size: Number(row.searchable_size), backend: row.searchable_backend, key: row.searchable_key };
}

/** One entry of a document's classification history. */
async function insertClassification(trx: Kysely<Database>, documentId: number, result: Omit<AutomaticClassification, 'fields'>): Promise<void> {
  await trx
    .insertInto('classifications')
    .values({
      document_id: documentId,
      classifier: result.classifier,
      type: result.type,
      title: result.title,
      tags: JSON.stringify(result.tags),
      document_date: result.date,
      correspondent: result.correspondent,
      confidence: result.confidence,
      rule: result.rule,
      created_at: new Date().toISOString(),
    })
    .execute();
}

async function syncTags(trx: Kysely<Database>, documentId: number, tags: readonly string[]): Promise<void> {
  await trx.deleteFrom('document_tags').where('document_id', '=', documentId).execute();
  if (tags.length > 0) {
    await trx
      .insertInto('document_tags')
      .values(tags.map((tag) => ({ document_id: documentId, tag })))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}

/**
 * Records what a path holds now. A `duplicate` of the document the path already points at keeps
 * the path's status (decided in the statement itself, so that concurrent writers agree); a path
 * that was a document's catalogued source and now holds something else hands that role to the
 * document's oldest duplicate, so a document with sources always has a catalogued one. Returns
 * the status the row has now. Run inside a write transaction.
 */
async function upsertSource(
  db: Kysely<Database>,
  sighting: SourceSighting,
  outcome: { status: SourceRow['status']; documentId: number | null; error?: { code: string; message: string; hint?: string } },
): Promise<SourceRow['status']> {
  const previous = await db.selectFrom('sources').select(['document_id', 'status']).where('path', '=', sighting.path).executeTakeFirst();
  const now = new Date().toISOString();
  const values = {
    document_id: outcome.documentId,
    sha256: sighting.sha256,
    size: sighting.size,
    mtime_ms: sighting.mtimeMs,
    file_id: sighting.fileId ?? null,
    ctime_ms: sighting.ctimeMs ?? null,
    status: outcome.status,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    error_hint: outcome.error?.hint ?? null,
    run_id: sighting.runId,
    last_seen: now,
  };
  const status =
    outcome.status === 'duplicate' && outcome.documentId !== null
      ? sql<SourceRow['status']>`CASE WHEN sources.document_id = ${outcome.documentId} AND sources.status <> 'failed' THEN sources.status ELSE 'duplicate' END`
      : outcome.status;
  const row = await db
    .insertInto('sources')
    .values({ path: sighting.path, first_seen: now, ...values })
    .onConflict((conflict) => conflict.column('path').doUpdateSet({ ...values, status }))
    .returning('status')
    .executeTakeFirstOrThrow();
  if (previous?.status === 'catalogued' && previous.document_id !== null && previous.document_id !== outcome.documentId) {
    await promoteDuplicate(db, previous.document_id);
  }
  return row.status;
}

/** Makes the oldest duplicate source of a document its catalogued one, if it has none left. */
async function promoteDuplicate(db: Kysely<Database>, documentId: number): Promise<void> {
  await sql`UPDATE sources SET status = 'catalogued'
    WHERE id = (SELECT min(id) FROM sources WHERE document_id = ${documentId} AND status = 'duplicate')
      AND NOT EXISTS (SELECT 1 FROM sources WHERE document_id = ${documentId} AND status = 'catalogued')`.execute(db);
}
