import { sql, type Kysely } from 'kysely';
import type { SourceRow, SourceSighting } from './document-types.js';
import type { Database } from './schema.js';

/** A document's source paths: what each path held when it was last seen. */

/**
 * Records what a path holds now. A `duplicate` of the document the path already points at keeps
 * the path's status (decided in the statement itself, so that concurrent writers agree); a path
 * that was a document's catalogued source and now holds something else hands that role to the
 * document's oldest duplicate, so a document with sources always has a catalogued one. Returns
 * the status the row has now. Run inside a write transaction.
 */
export async function upsertSource(
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
