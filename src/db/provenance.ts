import path from 'node:path';
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Provenance } from '../provenance/provenance.js';
import { provenanceKey } from '../provenance/provenance.js';
import { dialectFor, writeTransaction } from './dialect.js';
import type { Database, ProvenanceTable } from './schema.js';

/** All SQL about provenance (migration 0014): build contexts, and documents seen in them. */

export type ProvenanceRow = Selectable<ProvenanceTable>;

/** A document seen at a path in a build context, with that context. */
export interface Sighting {
  documentId: number;
  path: string;
  name: string;
  firstSeen: string;
  lastSeen: string;
  doccatRunId: string;
  provenance: ProvenanceView;
}

/** What show, manifest and --json print about a build context. */
export interface ProvenanceView {
  id: number;
  provider: string;
  repository: string | null;
  commit: string | null;
  branch: string | null;
  tag: string | null;
  pullRequest: string | null;
  workflow: string | null;
  job: string | null;
  runId: string | null;
  runAttempt: string | null;
  runUrl: string | null;
  git: { head: string | null; branch: string | null; dirty: boolean | null } | null;
  labels: Record<string, string>;
  /** Everything read from the environment (run number, job id and URL, actor, event). */
  facts: Record<string, unknown>;
  createdAt: string;
}

export interface PruneFacts {
  id: number;
  name: string;
  size: number;
  sha256: string;
  addedAt: string;
  lastSeen: string;
  keepTagged: boolean;
  manual: boolean;
  builds: { provenanceId: number; name: string; branch: string | null; tag: string | null; repository: string | null; builtAt: string }[];
}

export class ProvenanceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The row of this build context, made on first use; every process of one job gets the same id. */
  async ensure(provenance: Provenance): Promise<number> {
    const key = provenanceKey(provenance);
    const existing = await this.db.selectFrom('provenance').select('id').where('key', '=', key).executeTakeFirst();
    if (existing) return Number(existing.id);
    return writeTransaction(this.db, async (trx) => {
      const { ci, git } = provenance;
      const inserted = await trx
        .insertInto('provenance')
        .values({
          key,
          provider: ci.provider,
          repository: ci.repository,
          commit_sha: ci.commit?.toLowerCase() ?? null,
          branch: ci.branch,
          tag: ci.tag,
          pull_request: ci.pullRequest,
          workflow: ci.workflow,
          job: ci.job,
          run_id: ci.runId,
          run_attempt: ci.runAttempt,
          run_url: ci.runUrl,
          git_head: git?.head ?? null,
          git_branch: git?.branch ?? null,
          git_dirty: git?.dirty === null || git?.dirty === undefined ? null : git.dirty ? 1 : 0,
          facts: JSON.stringify({ ...ci, git, labels: provenance.labels }),
          created_at: new Date().toISOString(),
        })
        // Another process of the same job made it meanwhile.
        .onConflict((conflict) => conflict.column('key').doNothing())
        .returning('id')
        .executeTakeFirst();
      const id = inserted ? Number(inserted.id) : Number((await trx.selectFrom('provenance').select('id').where('key', '=', key).executeTakeFirstOrThrow()).id);
      if (inserted && Object.keys(provenance.labels).length > 0) {
        await trx
          .insertInto('provenance_labels')
          .values(Object.entries(provenance.labels).map(([labelKey, value]) => ({ provenance_id: id, key: labelKey, value })))
          .onConflict((conflict) => conflict.columns(['provenance_id', 'key']).doNothing())
          .execute();
      }
      return id;
    });
  }

  /**
   * Records that a document was seen at a path in a build context. Returns false when the
   * document is gone (pruned or deleted meanwhile): the caller catalogues the file again. On
   * Postgres the document row is share-locked, so a prune deleting it waits, then sees this
   * sighting and keeps the document; SQLite's write transactions are serial anyway.
   */
  async recordSighting(documentId: number, provenanceId: number, filePath: string, doccatRunId: string): Promise<boolean> {
    return writeTransaction(this.db, async (trx) => {
      const lookup = dialectFor(this.db).lockForShare(trx.selectFrom('documents').select('id').where('id', '=', documentId));
      if (!(await lookup.executeTakeFirst())) return false;
      const now = new Date().toISOString();
      await trx
        .insertInto('source_provenance')
        .values({ document_id: documentId, provenance_id: provenanceId, path: filePath, name: path.basename(filePath), doccat_run_id: doccatRunId, first_seen: now, last_seen: now })
        .onConflict((conflict) => conflict.columns(['document_id', 'provenance_id', 'path']).doUpdateSet({ last_seen: now, doccat_run_id: doccatRunId }))
        .execute();
      return true;
    });
  }

  /** Every sighting of these documents, oldest first; with `where`, only those it accepts (on x and p). */
  async sightingsOf(documentIds: readonly number[], where?: RawBuilder<SqlBool>): Promise<Sighting[]> {
    if (documentIds.length === 0) return [];
    const out: Sighting[] = [];
    // Batches keep the bound parameters under every driver's limit.
    for (let start = 0; start < documentIds.length; start += 500) {
      const batch = documentIds.slice(start, start + 500);
      const rows = await sql<ProvenanceRow & { document_id: number; path: string; name: string; first_seen: string; last_seen: string; doccat_run_id: string; provenance_id: number }>`
        SELECT x.document_id, x.path, x.name, x.first_seen, x.last_seen, x.doccat_run_id, x.provenance_id, p.*
        FROM source_provenance x JOIN provenance p ON p.id = x.provenance_id
        WHERE x.document_id IN (${sql.join(batch)}) ${where ? sql`AND ${where}` : sql``}
        ORDER BY x.document_id, x.first_seen, x.id`.execute(this.db);
      const labels = await this.labelsOf([...new Set(rows.rows.map((row) => Number(row.provenance_id)))]);
      for (const row of rows.rows) {
        out.push({
          documentId: Number(row.document_id),
          path: row.path,
          name: row.name,
          firstSeen: row.first_seen,
          lastSeen: row.last_seen,
          doccatRunId: row.doccat_run_id,
          provenance: toView({ ...row, id: Number(row.provenance_id) }, labels.get(Number(row.provenance_id)) ?? {}),
        });
      }
    }
    return out;
  }

  /**
   * What prune decides by, per document: protection (tagged keep, changed by hand), the builds it
   * was seen in (with branch, repository and name), and when it was last seen anywhere.
   */
  async pruneFacts(documentIds: readonly number[]): Promise<PruneFacts[]> {
    const out: PruneFacts[] = [];
    for (let start = 0; start < documentIds.length; start += 500) {
      const batch = documentIds.slice(start, start + 500);
      const documents = await this.db.selectFrom('documents').select(['id', 'original_name', 'added_at', 'manual_fields', 'tags', 'size', 'sha256']).where('id', 'in', batch).execute();
      const keepTagged = new Set((await this.db.selectFrom('document_tags').select('document_id').where('document_id', 'in', batch).where(sql<boolean>`lower(tag) = 'keep'`).execute()).map((row) => Number(row.document_id)));
      const sightings = await this.db
        .selectFrom('source_provenance as x')
        .innerJoin('provenance as p', 'p.id', 'x.provenance_id')
        .select(['x.document_id', 'x.provenance_id', 'x.name', 'x.last_seen', 'p.branch', 'p.tag', 'p.repository', 'p.created_at'])
        .where('x.document_id', 'in', batch)
        .execute();
      const sources = await this.db.selectFrom('sources').select(['document_id', 'last_seen']).where('document_id', 'in', batch).execute();
      for (const document of documents) {
        const id = Number(document.id);
        const mine = sightings.filter((row) => Number(row.document_id) === id);
        const seen = [document.added_at, ...mine.map((row) => row.last_seen), ...sources.filter((row) => Number(row.document_id) === id).map((row) => row.last_seen)];
        out.push({
          id,
          name: document.original_name,
          size: Number(document.size),
          sha256: document.sha256,
          addedAt: document.added_at,
          lastSeen: seen.reduce((latest, at) => (at > latest ? at : latest)),
          keepTagged: keepTagged.has(id),
          manual: (JSON.parse(document.manual_fields) as string[]).length > 0,
          builds: mine.map((row) => ({ provenanceId: Number(row.provenance_id), name: row.name, branch: row.branch, tag: row.tag, repository: row.repository, builtAt: row.created_at })),
        });
      }
    }
    return out;
  }

  /**
   * True when, since `since`, the document was seen again (a sighting or a source), tagged keep
   * or changed by hand: prune re-checks this inside the transaction that would delete it.
   */
  async changedSince(trx: Kysely<Database>, documentId: number, since: string): Promise<boolean> {
    const seen = await trx.selectFrom('source_provenance').select('id').where('document_id', '=', documentId).where('last_seen', '>', since).executeTakeFirst();
    if (seen) return true;
    const source = await trx.selectFrom('sources').select('id').where('document_id', '=', documentId).where('last_seen', '>', since).executeTakeFirst();
    if (source) return true;
    const document = await trx.selectFrom('documents').select('manual_fields').where('id', '=', documentId).executeTakeFirst();
    if (!document || (JSON.parse(document.manual_fields) as string[]).length > 0) return true;
    return (await trx.selectFrom('document_tags').select('tag').where('document_id', '=', documentId).where(sql<boolean>`lower(tag) = 'keep'`).executeTakeFirst()) !== undefined;
  }

  /** ingest --unpack: `childId` is the archive `parentId`'s member of that name. */
  async recordMember(parentId: number, childId: number, member: string): Promise<void> {
    await this.db
      .insertInto('document_members')
      .values({ parent_id: parentId, child_id: childId, member })
      .onConflict((conflict) => conflict.columns(['parent_id', 'member']).doUpdateSet({ child_id: childId }))
      .execute();
  }

  /** The members of an archive document, and the archives a document is a member of. */
  async membersOf(documentId: number): Promise<{ members: { id: number; member: string }[]; containedIn: { id: number; member: string }[] }> {
    const members = await this.db.selectFrom('document_members').select(['child_id', 'member']).where('parent_id', '=', documentId).orderBy('member').execute();
    const containedIn = await this.db.selectFrom('document_members').select(['parent_id', 'member']).where('child_id', '=', documentId).orderBy('parent_id').execute();
    return { members: members.map((row) => ({ id: Number(row.child_id), member: row.member })), containedIn: containedIn.map((row) => ({ id: Number(row.parent_id), member: row.member })) };
  }

  private async labelsOf(ids: readonly number[]): Promise<Map<number, Record<string, string>>> {
    const labels = new Map<number, Record<string, string>>();
    if (ids.length === 0) return labels;
    const rows = await this.db.selectFrom('provenance_labels').selectAll().where('provenance_id', 'in', ids).orderBy('key').execute();
    for (const row of rows) {
      const id = Number(row.provenance_id);
      labels.set(id, { ...labels.get(id), [row.key]: row.value });
    }
    return labels;
  }
}

function toView(row: ProvenanceRow, labels: Record<string, string>): ProvenanceView {
  const read = JSON.parse(row.facts) as Record<string, unknown>;
  // The facts not already columns: the run number, the job's id and URL, the actor, the event.
  const facts = Object.fromEntries(['repositoryUrl', 'runNumber', 'jobId', 'jobUrl', 'actor', 'event'].filter((key) => read[key] !== null && read[key] !== undefined).map((key) => [key, read[key]]));
  return {
    id: row.id,
    provider: row.provider,
    repository: row.repository,
    commit: row.commit_sha,
    branch: row.branch,
    tag: row.tag,
    pullRequest: row.pull_request,
    workflow: row.workflow,
    job: row.job,
    runId: row.run_id,
    runAttempt: row.run_attempt,
    runUrl: row.run_url,
    git: row.git_head === null ? null : { head: row.git_head, branch: row.git_branch, dirty: row.git_dirty === null ? null : row.git_dirty === 1 },
    labels,
    facts,
    createdAt: row.created_at,
  };
}
