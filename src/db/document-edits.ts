import type { Kysely } from 'kysely';
import { writeTransaction } from './dialect.js';
import type { AutomaticClassification, DocumentChanges, EditableField, FieldValue } from './document-types.js';
import type { Database } from './schema.js';
import { writeSearchEntry } from './search-index.js';

/**
 * Writes that change what a document is said to be: a person's corrections, a reclassification,
 * and the classification history, tag table and audit entries that these and ingest write.
 */

/** How a field is written in the audit trail: text as it is, money as JSON. */
function auditValue(value: FieldValue | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
}

/** One entry of the audit trail: who changed which field of a document, from what to what, in which run. */
export interface AuditEntry {
  documentId: number | null;
  command: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  actor: string;
  runId: string;
}

export async function writeAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit')
    .values({ document_id: entry.documentId, command: entry.command, field: entry.field, old_value: entry.oldValue, new_value: entry.newValue, actor: entry.actor, run_id: entry.runId, at: new Date().toISOString() })
    .execute();
}

/**
 * Applies a person's corrections in one transaction: the row, the search index, the fields
 * marked manual, and one audit entry per changed field. Returns the fields that changed.
 */
export async function applyManualChanges(db: Kysely<Database>, actor: string, documentId: number, changes: DocumentChanges, command: string, runId: string): Promise<string[]> {
  return writeTransaction(db, async (trx) => {
    const row = await trx.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirstOrThrow();
    const manual = new Set(JSON.parse(row.manual_fields) as string[]);
    const updates: { type?: string; title?: string; document_date?: string | null; correspondent?: string | null; tags?: string; fields?: string } = {};
    const changed: string[] = [];
    const record = async (field: EditableField, oldValue: string | null, newValue: string | null) => {
      manual.add(field);
      if (oldValue === newValue) return;
      changed.push(field);
      await writeAudit(trx, { documentId, command, field, oldValue, newValue, actor, runId });
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
    await reindex(trx, documentId);
    return changed;
  });
}

/**
 * Records a new automatic classification (reclassify) without touching fields a person set by
 * hand; the full result still goes into the history.
 */
export async function applyAutomaticClassification(db: Kysely<Database>, actor: string, documentId: number, result: AutomaticClassification, runId: string): Promise<void> {
  await writeTransaction(db, async (trx) => {
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
      if (row[column] !== next[column]) await writeAudit(trx, { documentId, command: `classify:${result.classifier}`, field, oldValue: row[column], newValue: next[column], actor, runId });
    }
    await trx
      .updateTable('documents')
      .set({ ...next, classifier: result.classifier, class_confidence: result.confidence, class_rule: result.rule, updated_at: new Date().toISOString() })
      .where('id', '=', documentId)
      .execute();
    await insertClassification(trx, documentId, result);
    await reindex(trx, documentId);
  });
}

/** Brings the search index and the tag table in line with the document row. */
async function reindex(trx: Kysely<Database>, documentId: number): Promise<void> {
  const row = await trx.selectFrom('documents').select(['title', 'tags', 'correspondent']).where('id', '=', documentId).executeTakeFirstOrThrow();
  const tags = JSON.parse(row.tags) as string[];
  await writeSearchEntry(trx, documentId, { title: row.title, tags, correspondent: row.correspondent });
  await syncTags(trx, documentId, tags);
}

/** One entry of a document's classification history. */
export async function insertClassification(trx: Kysely<Database>, documentId: number, result: Omit<AutomaticClassification, 'fields'>): Promise<void> {
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

export async function syncTags(trx: Kysely<Database>, documentId: number, tags: readonly string[]): Promise<void> {
  await trx.deleteFrom('document_tags').where('document_id', '=', documentId).execute();
  if (tags.length > 0) {
    await trx
      .insertInto('document_tags')
      .values(tags.map((tag) => ({ document_id: documentId, tag })))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}
