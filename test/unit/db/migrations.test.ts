import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { openPostgresDatabase, openSqliteDatabase } from '../../../src/db/database.js';
import { createDatabase } from '../../support/postgres.mjs';
import { migrationProvider } from '../../../src/db/migrations/index.js';
import { parseQuery } from '../../../src/db/search/query-parser.js';
import { searchDocuments } from '../../../src/db/search/search.js';
import type { Database } from '../../../src/db/schema.js';
import { runDoccat, tempDir } from '../../support/cli.js';
import fs from 'node:fs';

async function catalogueAtFirstVersion(file: string): Promise<void> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0001_initial');
  expect(error).toBeUndefined();
  const sqlite = new BetterSqlite3(file);
  sqlite
    .prepare(`INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, type, title, tags, class_confidence, class_rule, classifier, text, added_at, updated_at)
      VALUES ('${'a'.repeat(64)}', 1, 'text/plain', 'a.txt', 'local', 'k', 'text', 1, 3, 'invoice', 'Old invoice', '["tax"]', 0.9, 'r', 'local', 'insurance premium text', '2024-01-01', '2024-01-01')`)
    .run();
  sqlite.prepare(`INSERT INTO documents_fts (rowid, title, tags, correspondent, body) VALUES (1, 'Old invoice', 'tax', '', 'insurance premium text')`).run();
  sqlite.close();
  await db.destroy();
}

describe('catalogue migrations', () => {
  it('upgrades a Postgres catalogue made by the first version in place, keeping it searchable', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const { default: pg } = await import('pg');
    const first = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    const { error } = await new Migrator({ db: first, provider: migrationProvider }).migrateTo('0001_initial');
    expect(error).toBeUndefined();
    await sql`INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, type, title, tags, class_confidence, class_rule, classifier, text, added_at, updated_at)
      VALUES (${'a'.repeat(64)}, 1, 'text/plain', 'a.txt', 'local', 'k', 'text', 1, 3, 'invoice', 'Old invoice', '["tax"]', 0.9, 'r', 'local', 'insurance premium text', '2024-01-01', '2024-01-01')`.execute(first);
    // The search entry as the first version wrote it.
    await sql`INSERT INTO documents_fts (document_id, tsv) VALUES (1, setweight(to_tsvector('simple', 'old invoice'), 'A') || setweight(to_tsvector('simple', 'tax'), 'B') || setweight(to_tsvector('simple', 'insurance premium text'), 'D'))`.execute(first);
    await first.destroy();
    const catalog = await openPostgresDatabase({ url, poolSize: 2, statementTimeoutMs: 10_000 });
    expect(catalog.migrated[0]).toBe('0002_audit_and_history');
    const search = async (query: string) => (await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 5, offset: 0, sort: 'relevance' })).hits.map((hit) => hit.title);
    expect(await search('insur*')).toEqual(['Old invoice']);
    expect(await search('tag:tax')).toEqual(['Old invoice']);
    // Phrases read the word pairs migration 0019 gave the old document.
    expect(await search('"premium text"')).toEqual(['Old invoice']);
    // One index on sources' document: the covering one, which a path filter reads alone (0020).
    const indexes = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE tablename = 'sources' ORDER BY indexname`.execute(catalog.db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(['sources_document_path']));
    expect(indexes.rows.map((row) => row.indexname)).not.toContain('sources_document');
    expect(await catalog.db.selectFrom('classifications').selectAll().execute()).toHaveLength(1);
    await catalog.close();
  });

  it('upgrades a catalogue made by the first version in place, keeping it searchable', async () => {
    const file = path.join(tempDir(), 'catalog.db');
    await catalogueAtFirstVersion(file);
    const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 1000, readonly: true });
    const search = async (query: string) => (await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 5, offset: 0, sort: 'relevance' })).hits.map((hit) => hit.title);
    expect(await search('insur*')).toEqual(['Old invoice']);
    expect(await search('tag:tax')).toEqual(['Old invoice']);
    // Its title and tags are in the head index migration 0021 made, its text is not.
    const head = async (words: string) => (await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts_head WHERE documents_fts_head MATCH ${words}`.execute(catalog.db)).rows.map((found) => found.id);
    expect([await head('invoice'), await head('tax'), await head('premium')]).toEqual([[1], [1], []]);
    const history = await catalog.db.selectFrom('classifications').selectAll().execute();
    expect(history).toHaveLength(1);
    const row = await catalog.db.selectFrom('documents').select('manual_fields').executeTakeFirstOrThrow();
    expect(row.manual_fields).toBe('[]');
    await catalog.close();
  });

  it('reports pending migrations with db status, and applies them with db migrate', async () => {
    const dir = tempDir();
    await catalogueAtFirstVersion(path.join(dir, 'catalog.db'));
    const status = JSON.parse((await runDoccat(['db', 'status', '--json'], { home: dir })).stdout) as { schema: { current: string; pending: string[] }; counts: Record<string, number | null> };
    expect(status.schema.current).toBe('0001_initial');
    expect(status.schema.pending).toContain('0008_ingest_events');
    expect(status.counts).toMatchObject({ documents: 1, jobs: null });
    const migrate = JSON.parse((await runDoccat(['db', 'migrate', '--json'], { home: dir })).stdout) as { applied: string[] };
    expect(migrate.applied).toEqual(status.schema.pending);
    expect(JSON.parse((await runDoccat(['db', 'status', '--json'], { home: dir })).stdout)).toMatchObject({ schema: { pending: [] }, counts: { documents: 1, jobs: 0 } });
  });

  it('says so, instead of failing on SQL, when an outdated catalogue is read-only', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'catalog.db');
    await catalogueAtFirstVersion(file);
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o555);
    // root may write anywhere, so run doccat as an unprivileged user, as a real reader would be.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = await runDoccat(['show', '1'], { home: dir, ...asUser });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('E_CATALOG_OUTDATED');
    expect(result.stderr).not.toMatch(/no such column|SqliteError/);
  });
});
