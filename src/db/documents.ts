import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, DocumentsTable, SourcesTable } from './schema.js';

/** All SQL about documents and their source paths lives here. */

export type DocumentRow = Selectable<DocumentsTable>;
export type SourceRow = Selectable<SourcesTable>;

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
  fields: Record<string, string>;
  warnings: { code: string; message: string }[];
  text: string;
}

export interface SourceSighting {
  path: string;
  sha256: string | null;
  size: number | null;
  mtimeMs: number | null;
  runId: string;
}

export interface CommitResult {
  documentId: number;
  /** True when another path (or another process) had already catalogued the same content. */
  duplicate: boolean;
}

export class DocumentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findIdBySha256(sha256: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('documents').select('id').where('sha256', '=', sha256).executeTakeFirst();
    return row?.id;
  }

  async findSourceByPath(filePath: string): Promise<SourceRow | undefined> {
    return this.db.selectFrom('sources').selectAll().where('path', '=', filePath).executeTakeFirst();
  }

  async getDocument(id: number): Promise<DocumentRow | undefined> {
    return this.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getSources(documentId: number): Promise<SourceRow[]> {
    return this.db.selectFrom('sources').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
  }

  async countDocuments(): Promise<number> {
    const row = await this.db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async countSourcesByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('sources')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /**
   * Inserts the document, its search entry and its source path in one transaction. The blob must
   * already be durable. If the same content was committed meanwhile (another process), the path is
   * recorded as a duplicate of that document instead, so content is never catalogued twice.
   */
  async commitDocument(document: NewDocument, sighting: SourceSighting): Promise<CommitResult> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('documents').select('id').where('sha256', '=', document.sha256).executeTakeFirst();
      if (existing) {
        await upsertSource(trx, sighting, { status: 'duplicate', documentId: existing.id });
        return { documentId: existing.id, duplicate: true };
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
          type: document.type,
          title: document.title,
          tags: JSON.stringify(document.tags),
          document_date: document.documentDate,
          correspondent: document.correspondent,
          class_confidence: document.classConfidence,
          class_rule: document.classRule,
          classifier: document.classifier,
          fields: JSON.stringify(document.fields),
          warnings: JSON.stringify(document.warnings),
          text: document.text,
          added_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sql`INSERT INTO documents_fts(rowid, title, tags, correspondent, body) VALUES (${inserted.id}, ${document.title}, ${document.tags.join(' ')}, ${document.correspondent ?? ''}, ${document.text})`.execute(trx);
      await upsertSource(trx, sighting, { status: 'catalogued', documentId: inserted.id });
      return { documentId: inserted.id, duplicate: false };
    });
  }

  /** Records another path holding content that is already catalogued. */
  async recordDuplicate(sighting: SourceSighting, documentId: number): Promise<void> {
    await upsertSource(this.db, sighting, { status: 'duplicate', documentId });
  }

  /** Marks an already-known path as seen in this run without changing what it points to. */
  async touchSource(filePath: string, runId: string): Promise<void> {
    await this.db.updateTable('sources').set({ last_seen: new Date().toISOString(), run_id: runId }).where('path', '=', filePath).execute();
  }

  async recordFailure(sighting: SourceSighting, error: { code: string; message: string; hint?: string }): Promise<void> {
    await upsertSource(this.db, sighting, { status: 'failed', documentId: null, error });
  }

  async startRun(id: string, command: string): Promise<void> {
    await this.db.insertInto('runs').values({ id, command, started_at: new Date().toISOString(), status: 'running', finished_at: null, totals: '{}' }).execute();
  }

  async finishRun(id: string, status: string, totals: Record<string, number>): Promise<void> {
    await this.db.updateTable('runs').set({ finished_at: new Date().toISOString(), status, totals: JSON.stringify(totals) }).where('id', '=', id).execute();
  }
}

async function upsertSource(
  db: Kysely<Database>,
  sighting: SourceSighting,
  outcome: { status: SourceRow['status']; documentId: number | null; error?: { code: string; message: string; hint?: string } },
): Promise<void> {
  const now = new Date().toISOString();
  const values = {
    document_id: outcome.documentId,
    sha256: sighting.sha256,
    size: sighting.size,
    mtime_ms: sighting.mtimeMs,
    status: outcome.status,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    error_hint: outcome.error?.hint ?? null,
    run_id: sighting.runId,
    last_seen: now,
  };
  await db
    .insertInto('sources')
    .values({ path: sighting.path, first_seen: now, ...values })
    .onConflict((conflict) => conflict.column('path').doUpdateSet(values))
    .execute();
}
