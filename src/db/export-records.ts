import type { Kysely } from 'kysely';
import { dialectFor } from './dialect.js';
import type { AuditRow, ClassificationRow, DocumentRepository, DocumentRow, SourceRow } from './documents.js';
import type { Database } from './schema.js';
import { writeSearchEntry } from './search-index.js';

/** SQL for `doccat export` and `doccat import`: whole documents with everything that hangs on them. */

export interface DocumentRecord {
  row: DocumentRow;
  sources: SourceRow[];
  history: ClassificationRow[];
  audit: AuditRow[];
  /** Its parts (attachments, messages) by content, in order. */
  parts: { sha256: string; name: string }[];
}

/** The records of these documents, in the order of the ids given. */
export async function documentRecords(db: Kysely<Database>, ids: readonly number[]): Promise<DocumentRecord[]> {
  if (ids.length === 0) return [];
  const list = [...ids];
  const [rows, sources, history, audit, parts] = await Promise.all([
    db.selectFrom('documents').selectAll().where('id', 'in', list).execute(),
    db.selectFrom('sources').selectAll().where('document_id', 'in', list).where('status', '!=', 'failed').orderBy('id').execute(),
    db.selectFrom('classifications').selectAll().where('document_id', 'in', list).orderBy('id').execute(),
    db.selectFrom('audit').selectAll().where('document_id', 'in', list).orderBy('id').execute(),
    db.selectFrom('document_parts as p').innerJoin('documents as d', 'd.id', 'p.child_id').select(['p.parent_id', 'p.name', 'd.sha256']).where('p.parent_id', 'in', list).orderBy('p.parent_id').orderBy('p.position').execute(),
  ]);
  const byId = new Map(rows.map((row) => [Number(row.id), row]));
  const group = <T>(items: T[], key: (item: T) => number | null) => {
    const map = new Map<number, T[]>();
    for (const item of items) {
      const id = key(item);
      if (id === null) continue;
      const list = map.get(Number(id));
      if (list) list.push(item);
      else map.set(Number(id), [item]);
    }
    return map;
  };
  const sourcesOf = group(sources, (source) => source.document_id);
  const historyOf = group(history, (entry) => entry.document_id);
  const auditOf = group(audit, (entry) => entry.document_id);
  const partsOf = group(parts, (part) => part.parent_id);
  return list.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [{ row, sources: sourcesOf.get(id) ?? [], history: historyOf.get(id) ?? [], audit: auditOf.get(id) ?? [], parts: (partsOf.get(id) ?? []).map((part) => ({ sha256: part.sha256, name: part.name })) }];
  });
}

/** Ids of documents added or changed (by hand, by reclassify, a blob moved) since a moment. */
export async function idsChangedSince(db: Kysely<Database>, since: string): Promise<Set<number>> {
  const rows = await db.selectFrom('documents').select('id').where((eb) => eb.or([eb('updated_at', '>=', since), eb('added_at', '>=', since)])).execute();
  return new Set(rows.map((row) => Number(row.id)));
}

/** A document to restore, as an export describes it, its blob already stored. */
export interface RestoredDocument {
  /** Kept when the catalogue has no document with this id (a restore into an empty catalogue keeps them all). */
  id: number;
  row: Omit<DocumentRow, 'id' | 'blob_backend' | 'blob_key'>;
  blob: { backend: string; key: string };
  sources: Omit<SourceRow, 'id' | 'document_id' | 'error_code' | 'error_message' | 'error_hint'>[];
  history: Omit<ClassificationRow, 'id' | 'document_id'>[];
  audit: Omit<AuditRow, 'id' | 'document_id'>[];
  /** The import's own audit entry. */
  imported: { actor: string; runId: string; from: string };
}

export type RestoreStatus = { status: 'imported'; id: number } | { status: 'present'; id: number };

/**
 * Inserts a document with its search entry, tags, classification history, audit trail and source
 * paths in one transaction. Content already catalogued is left as it is (`present`): importing
 * twice adds nothing. A source path the catalogue already knows keeps what it points to.
 */
export async function restoreDocument(repository: DocumentRepository, document: RestoredDocument, keepId: boolean): Promise<RestoreStatus> {
  return repository.inTransaction(async (_repository, trx) => {
    const existing = await trx.selectFrom('documents').select('id').where('sha256', '=', document.row.sha256).executeTakeFirst();
    if (existing) return { status: 'present', id: Number(existing.id) };
    const values = { ...document.row, blob_backend: document.blob.backend, blob_key: document.blob.key };
    // The id it had, unless another document holds it. Postgres' sequence is moved past that id
    // first, so no ingest or restore running now is handed it; one handed it already (not yet
    // committed, so not visible) makes the insert do nothing, and the document gets a new id.
    if (keepId) await dialectFor(trx).reserveDocumentId(trx, document.id);
    const kept = keepId ? await trx.insertInto('documents').values({ ...values, id: document.id }).onConflict((conflict) => conflict.column('id').doNothing()).returning('id').executeTakeFirst() : undefined;
    const inserted = kept ?? (await trx.insertInto('documents').values(values).returning('id').executeTakeFirstOrThrow());
    const id = Number(inserted.id);
    const tags = JSON.parse(document.row.tags) as string[];
    await writeSearchEntry(trx, id, { title: document.row.title, tags, correspondent: document.row.correspondent, body: document.row.text });
    if (tags.length > 0) await trx.insertInto('document_tags').values(tags.map((tag) => ({ document_id: id, tag }))).onConflict((conflict) => conflict.doNothing()).execute();
    for (const entry of document.history) await trx.insertInto('classifications').values({ ...entry, document_id: id }).execute();
    for (const entry of document.audit) await trx.insertInto('audit').values({ ...entry, document_id: id }).execute();
    await trx
      .insertInto('audit')
      .values({ document_id: id, command: 'import', field: 'document', old_value: null, new_value: JSON.stringify({ sha256: document.row.sha256, from: document.imported.from }), actor: document.imported.actor, run_id: document.imported.runId, at: new Date().toISOString() })
      .execute();
    for (const source of document.sources) {
      await trx.insertInto('sources').values({ ...source, document_id: id, error_code: null, error_message: null, error_hint: null }).onConflict((conflict) => conflict.column('path').doNothing()).execute();
    }
    return { status: 'imported', id };
  });
}

/** Links a parent to its parts by content, where both are in the catalogue; links already there stay. */
export async function restoreParts(repository: DocumentRepository, parentSha256: string, parts: readonly { sha256: string; name: string }[]): Promise<number> {
  if (parts.length === 0) return 0;
  return repository.inTransaction(async (_repository, trx) => {
    const parent = await trx.selectFrom('documents').select('id').where('sha256', '=', parentSha256).executeTakeFirst();
    if (!parent) return 0;
    const children = await trx.selectFrom('documents').select(['id', 'sha256']).where('sha256', 'in', [...new Set(parts.map((part) => part.sha256))]).execute();
    const idOf = new Map(children.map((child) => [child.sha256, Number(child.id)]));
    const before = await trx.selectFrom('document_parts').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', parent.id).executeTakeFirstOrThrow();
    // Positions as in the export; a part missing from this catalogue leaves its place empty.
    const links = parts.map((part, position) => ({ position, childId: idOf.get(part.sha256), name: part.name })).filter((link): link is { position: number; childId: number; name: string } => link.childId !== undefined);
    for (const link of links) {
      await trx.insertInto('document_parts').values({ parent_id: parent.id, position: link.position, child_id: link.childId, name: link.name }).onConflict((conflict) => conflict.columns(['parent_id', 'position']).doNothing()).execute();
    }
    const after = await trx.selectFrom('document_parts').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', parent.id).executeTakeFirstOrThrow();
    return Number(after.n) - Number(before.n);
  });
}

