import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The documents a model learns from, and the stored models: all SQL about learning lives here. */

export interface LabelRow {
  id: number;
  type: string;
  correspondent: string | null;
  /** JSON array */
  tags: string;
  /** JSON array of the fields set by hand */
  manual_fields: string;
  classifier: string;
  mime: string;
}

export interface StoredModel {
  format: number;
  fingerprint: string;
  trainedAt: string;
  documents: number;
  trainMs: number;
  summary: unknown;
  model: Uint8Array;
}

const PAGE = 500;

export class LearnedModelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Labels of the documents to learn from, by id, without their text: those with a field set by
   * hand, or every document when automatic labels count too.
   */
  async labelRows(includeAutomatic: boolean): Promise<LabelRow[]> {
    let query = this.db.selectFrom('documents').select(['id', 'type', 'correspondent', 'tags', 'manual_fields', 'classifier', 'mime']).orderBy('id');
    if (!includeAutomatic) query = query.where('manual_fields', '<>', '[]');
    return query.execute();
  }

  /** The first `chars` characters of each document's text, a page at a time. */
  async *texts(ids: readonly number[], chars: number): AsyncGenerator<{ id: number; text: string }> {
    for (let start = 0; start < ids.length; start += PAGE) {
      const page = ids.slice(start, start + PAGE);
      const rows = await this.db
        .selectFrom('documents')
        .select(['id', sql<string>`substr(text, 1, ${chars})`.as('text')])
        .where('id', 'in', page)
        .orderBy('id')
        .execute();
      for (const row of rows) yield { id: row.id, text: row.text };
    }
  }

  /** Documents whose type was set by hand, with what a classifier reads: for `doccat eval`. */
  async typedByHand(chars: number): Promise<{ id: number; type: string; mime: string; original_name: string; metadata: string; text: string }[]> {
    return this.db
      .selectFrom('documents')
      .select(['id', 'type', 'mime', 'original_name', 'metadata', sql<string>`substr(text, 1, ${chars})`.as('text')])
      .where('manual_fields', 'like', '%"type"%')
      .orderBy('id')
      .execute();
  }

  async load(name = 'default'): Promise<StoredModel | undefined> {
    const row = await this.db.selectFrom('learned_models').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    return { format: row.format, fingerprint: row.fingerprint, trainedAt: row.trained_at, documents: Number(row.documents), trainMs: Number(row.train_ms), summary: JSON.parse(row.summary) as unknown, model: row.model };
  }

  /** The fingerprint alone: whether the stored model is stale, without reading the model. */
  async fingerprint(name = 'default'): Promise<string | undefined> {
    return (await this.db.selectFrom('learned_models').select('fingerprint').where('name', '=', name).executeTakeFirst())?.fingerprint;
  }

  async save(model: Omit<StoredModel, 'summary'> & { summary: object }, name = 'default'): Promise<void> {
    const values = {
      format: model.format,
      fingerprint: model.fingerprint,
      trained_at: model.trainedAt,
      documents: model.documents,
      train_ms: model.trainMs,
      summary: JSON.stringify(model.summary),
      model: model.model,
    };
    await this.db
      .insertInto('learned_models')
      .values({ name, ...values })
      .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
      .execute();
  }
}
