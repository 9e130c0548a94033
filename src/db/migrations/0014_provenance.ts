import type { Kysely } from 'kysely';
import { columnTypes, dialectOf, primaryKey } from '../dialect.js';

/**
 * Where files came from (issue 19). `provenance` holds one row per build context a file was seen
 * in: the CI provider's run (repository, commit, branch or tag, pull request, workflow, job, run
 * id and attempt, run URL), the git facts of the working folder and the run's labels, identified
 * by a hash of all of them (`key`), so every ingest in one job shares a row. `source_provenance`
 * ties a document to a path in such a run: the same bytes built by two runs are one document with
 * two sightings, each with its run. `provenance_labels` makes `label:key=value` an index lookup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const type = columnTypes(dialect);
  let provenance = db.schema
    .createTable('provenance')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('key', 'text', (column) => column.notNull().unique())
    .addColumn('provider', 'text', (column) => column.notNull());
  for (const name of ['repository', 'commit_sha', 'branch', 'tag', 'pull_request', 'workflow', 'job', 'run_id', 'run_attempt', 'run_url', 'git_head', 'git_branch']) {
    provenance = provenance.addColumn(name, 'text');
  }
  await provenance
    .addColumn('git_dirty', 'integer')
    .addColumn('facts', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  for (const column of ['commit_sha', 'repository', 'branch', 'run_id']) {
    await db.schema.createIndex(`provenance_${column}`).on('provenance').column(column).execute();
  }
  await db.schema
    .createTable('provenance_labels')
    .addColumn('provenance_id', type.bigint, (column) => column.notNull())
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('provenance_labels_pk', ['provenance_id', 'key'])
    .execute();
  await db.schema.createIndex('provenance_labels_key_value').on('provenance_labels').columns(['key', 'value']).execute();
  await db.schema
    .createTable('source_provenance')
    .addColumn('id', type.id, primaryKey(dialect))
    .addColumn('document_id', type.bigint, (column) => column.notNull())
    .addColumn('provenance_id', type.bigint, (column) => column.notNull())
    .addColumn('path', 'text', (column) => column.notNull())
    /** The file's own name, for name: filters (a glob on a path cannot tell its last part). */
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('doccat_run_id', 'text', (column) => column.notNull())
    .addColumn('first_seen', 'text', (column) => column.notNull())
    .addColumn('last_seen', 'text', (column) => column.notNull())
    .addUniqueConstraint('source_provenance_unique', ['document_id', 'provenance_id', 'path'])
    .execute();
  await db.schema.createIndex('source_provenance_provenance').on('source_provenance').columns(['provenance_id', 'document_id']).execute();
  await db.schema.createIndex('source_provenance_name').on('source_provenance').column('name').execute();
  await db.schema.createIndex('source_provenance_run').on('source_provenance').column('doccat_run_id').execute();
  // ingest --unpack: documents found inside an archive document, under their member names.
  await db.schema
    .createTable('document_members')
    .addColumn('parent_id', type.bigint, (column) => column.notNull())
    .addColumn('child_id', type.bigint, (column) => column.notNull())
    .addColumn('member', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('document_members_pk', ['parent_id', 'member'])
    .execute();
  await db.schema.createIndex('document_members_child').on('document_members').column('child_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('document_members').ifExists().execute();
  await db.schema.dropTable('source_provenance').ifExists().execute();
  await db.schema.dropTable('provenance_labels').ifExists().execute();
  await db.schema.dropTable('provenance').ifExists().execute();
}
