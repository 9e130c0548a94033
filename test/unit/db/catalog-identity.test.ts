import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../../src/db/database.js';
import { migrationProvider } from '../../../src/db/migrations/index.js';
import type { Database } from '../../../src/db/schema.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { tempDir } from '../../support/cli.js';

/** What migration 0010 gives a catalogue, and how SQLite writers commit. */

for (const dialect of DIALECTS) {
  describe(`catalogue identity (${dialect})`, () => {
    it('has an id from the moment it is created, the same on every open', async () => {
      const catalog = await openTestCatalog(dialect);
      try {
        const rows = await sql<{ key: string; value: string }>`SELECT key, value FROM catalog_meta`.execute(catalog.db);
        const id = rows.rows.find((row) => row.key === 'catalog_id')?.value;
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        // Sources remember the file they were read from: device:inode and ctime.
        await sql`INSERT INTO sources (path, status, run_id, first_seen, last_seen, file_id, ctime_ms) VALUES ('/x', 'failed', 'r', 'now', 'now', '64769:1234', 1700000000000.5)`.execute(catalog.db);
        const source = await sql<{ file_id: string; ctime_ms: number }>`SELECT file_id, ctime_ms FROM sources`.execute(catalog.db);
        expect(source.rows[0]).toEqual({ file_id: '64769:1234', ctime_ms: 1700000000000.5 });
      } finally {
        await catalog.close();
      }
    });
  });
}

describe('SQLite catalogue', () => {
  it('gives a catalogue made by an older version an id when it is upgraded', async () => {
    const file = path.join(tempDir(), 'catalog.db');
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    expect((await new Migrator({ db: old, provider: migrationProvider }).migrateTo('0009_postgres_date_order')).error).toBeUndefined();
    await old.destroy();
    const first = await openSqliteDatabase({ path: file, busyTimeoutMs: 1000 });
    const id = (await sql<{ value: string }>`SELECT value FROM catalog_meta WHERE key = 'catalog_id'`.execute(first.db)).rows[0]?.value;
    await first.close();
    const second = await openSqliteDatabase({ path: file, busyTimeoutMs: 1000 });
    expect((await sql<{ value: string }>`SELECT value FROM catalog_meta WHERE key = 'catalog_id'`.execute(second.db)).rows[0]?.value).toBe(id);
    await second.close();
    expect(id).toBeTruthy();
  });

  it('commits durably (synchronous=FULL): a source file may be removed once the commit returns', async () => {
    const catalog = await openSqliteDatabase({ path: path.join(tempDir(), 'catalog.db'), busyTimeoutMs: 1000 });
    try {
      const rows = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(catalog.db);
      // 2 = FULL: the WAL is fsynced at every commit, so a power cut cannot undo a commit that
      // watch --delete-after-ingest has already acted on (NORMAL = 1 only syncs at checkpoints).
      expect(rows.rows[0]?.synchronous).toBe(2);
    } finally {
      await catalog.close();
    }
  });
});
