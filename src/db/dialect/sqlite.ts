import { Migrator, sql, type Kysely, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Database } from '../schema.js';
import { FTS5, ftsString, matchingIds } from '../search/fts5.js';
import { searchSqlite } from '../search/sqlite.js';
import type { IndexedFields, SqlDialect } from './types.js';

/**
 * SQLite: one file on one machine. Write transactions are serial (BEGIN IMMEDIATE), so rows need
 * no locks; the full-text index is FTS5 keyed by rowid; JSON is read with json_extract.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  columnTypes: { id: 'integer', bigint: 'integer', float: 'real', bytes: 'blob' },
  primaryKey: (column) => column.primaryKey().autoIncrement(),
  // SQLite has no row locks: its write transactions already run one at a time.
  lockForUpdate: (query) => query,
  lockForShare: (query) => query,
  isoNow: (secondsAgo) => (secondsAgo === undefined ? sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${secondsAgo} seconds`})`),
  writeTransaction,
  bookkeepingWrite,
  // biome-ignore lint/suspicious/noExplicitAny: connections of any schema are tracked by identity only.
  insideTransaction: (db) => insideSqliteTransaction.has(db as Kysely<any>),
  migrateToLatest: migrateExclusively,
  writeSearchEntry,
  deleteSearchEntry: async (db, documentId) => {
    await sql`DELETE FROM documents_fts WHERE rowid = ${documentId}`.execute(db);
    await sql`DELETE FROM documents_fts_head WHERE rowid = ${documentId}`.execute(db);
  },
  // An INTEGER PRIMARY KEY AUTOINCREMENT continues after the largest id by itself.
  continueIdsAfterCopy: async () => undefined,
  reserveDocumentId: async () => undefined,
  queueBacklog: async (db) => {
    // The table queue (queue/table.ts).
    const row = await db.selectFrom('jobs').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')]).where('state', '=', 'created').executeTakeFirstOrThrow();
    return { depth: Number(row.n), oldest: row.oldest ? Date.parse(String(row.oldest)) : null };
  },
  runSearch: (db, options) => searchSqlite(db, options, sqliteDialect),
  search: {
    text: FTS5,
    textMatches: (text, prefix) => matchingIds(ftsString(text, prefix)),
    expressionMatches: matchingIds,
    // SQLite's LIKE ignores ASCII case, and document_tags.tag is NOCASE.
    caseInsensitiveLike: sql`LIKE`,
    tagEquals: (value) => sql`x.tag = ${value}`,
    globMatches: (column, glob) => sql`${column} GLOB ${glob}`,
    pathMatches: (column, glob) => sql`${column} GLOB ${glob}`,
    fieldNumber: (path) => {
      const at = sql.lit(`$.${path.join('.')}`);
      return sql<number | null>`(CASE WHEN json_type(d.fields, ${at}) IN ('integer', 'real') THEN json_extract(d.fields, ${at}) END)`;
    },
    fieldText: (path) => sql<string | null>`json_extract(d.fields, ${sql.lit(`$.${path.join('.')}`)})`,
  },
};

/**
 * The catalogue runs with synchronous = FULL (db/database.ts), an fsync of the WAL at every
 * commit; these writes take NORMAL, which in WAL mode leaves the sync to the next FULL commit or
 * checkpoint. The connection is held throughout (kysely queues every other query on it), so no
 * other write of this process commits under NORMAL; and synchronous cannot change inside a
 * transaction, which the callers here never open. Ingest of 190 new text files: 602 fsyncs
 * instead of 1172; the unchanged re-run: 6 instead of 196 (strace -f -c).
 */
async function bookkeepingWrite<DB, T>(db: Kysely<DB>, work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`PRAGMA synchronous = NORMAL`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql`PRAGMA synchronous = FULL`.execute(connection);
    }
  });
}

/**
 * A transaction that writes. SQLite's default BEGIN takes the write lock only at the first write,
 * and a reader that then wants to write fails at once with "database is locked" instead of
 * waiting for busy_timeout; BEGIN IMMEDIATE takes the lock up front, so concurrent writers
 * (several ingest processes) queue.
 */
async function writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    insideSqliteTransaction.add(connection);
    try {
      const result = await work(connection);
      await sql`COMMIT`.execute(connection);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    } finally {
      insideSqliteTransaction.delete(connection);
    }
  });
}

/** SQLite connections between BEGIN IMMEDIATE and its end (kysely marks only its own transactions). */
// biome-ignore lint/suspicious/noExplicitAny: connections of any schema are tracked by identity only.
const insideSqliteTransaction = new WeakSet<Kysely<any>>();

/**
 * kysely takes no lock for SQLite migrations, so two processes opening a new catalogue at once
 * both ran them ("table already exists"). Here they run inside one BEGIN IMMEDIATE transaction:
 * the second process waits, then finds nothing left to do; a failed migration leaves no trace.
 */
// biome-ignore lint/suspicious/noExplicitAny: see SqlDialect.migrateToLatest.
async function migrateExclusively(db: Kysely<any>, provider: MigrationProvider): Promise<MigrationResultSet> {
  // Most opens find nothing to do: say so without taking the write lock.
  if (await allApplied(db, provider)) return { results: [] };
  return db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    const outcome = await new Migrator({ db: connection, provider }).migrateToLatest();
    await sql.raw(outcome.error ? 'ROLLBACK' : 'COMMIT').execute(connection);
    return outcome;
  });
}

/**
 * Whether every known migration is recorded, from kysely's own table in one query: the Migrator
 * answers the same by first introspecting every table, which is most of what opening an
 * up-to-date catalogue costs a short command like `doccat search`.
 */
// biome-ignore lint/suspicious/noExplicitAny: see SqlDialect.migrateToLatest.
async function allApplied(db: Kysely<any>, provider: MigrationProvider): Promise<boolean> {
  const names = Object.keys(await provider.getMigrations());
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return names.every((name) => applied.has(name));
  } catch {
    // No migration table yet: a new catalogue.
    return false;
  }
}

/** An FTS5 row keyed by rowid, and its head (title, tags, correspondent: migration 0021). */
async function writeSearchEntry(db: Kysely<Database>, documentId: number, fields: IndexedFields): Promise<void> {
  const tags = fields.tags.join(' ');
  const correspondent = fields.correspondent ?? '';
  if (fields.body !== undefined) {
    await sql`INSERT INTO documents_fts(rowid, title, tags, correspondent, body) VALUES (${documentId}, ${fields.title}, ${tags}, ${correspondent}, ${fields.body})`.execute(db);
  } else {
    await sql`UPDATE documents_fts SET title = ${fields.title}, tags = ${tags}, correspondent = ${correspondent} WHERE rowid = ${documentId}`.execute(db);
  }
  // Contentless: an entry is replaced by deleting it first.
  await sql`DELETE FROM documents_fts_head WHERE rowid = ${documentId}`.execute(db);
  await sql`INSERT INTO documents_fts_head(rowid, title, tags, correspondent) VALUES (${documentId}, ${fields.title}, ${tags}, ${correspondent})`.execute(db);
}
