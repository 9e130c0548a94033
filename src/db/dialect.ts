import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * What differs between the two catalogue databases, decided once from the connection, so that
 * the rest of db/ asks for a capability instead of testing the dialect everywhere.
 */
export type DialectName = 'sqlite' | 'postgres';

export interface ColumnTypes {
  /** Auto-numbered primary key. */
  id: 'integer' | 'bigserial';
  /** References to it, and byte counts that may pass 2^31. */
  bigint: 'integer' | 'bigint';
  float: 'real' | 'double precision';
  /** Binary data. */
  bytes: 'blob' | 'bytea';
}

// biome-ignore lint/suspicious/noExplicitAny: called with Kysely<Database> and with the Kysely<unknown> migrations get; only the adapter is read.
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  return dialect === 'postgres' ? { id: 'bigserial', bigint: 'bigint', float: 'double precision', bytes: 'bytea' } : { id: 'integer', bigint: 'integer', float: 'real', bytes: 'blob' };
}

/** The builder for an auto-numbered primary key: bigserial on Postgres, AUTOINCREMENT on SQLite. */
export function primaryKey(dialect: DialectName): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres' ? (column) => column.primaryKey() : (column) => column.primaryKey().autoIncrement();
}

/**
 * A transaction that writes. SQLite's default BEGIN takes the write lock only at the first write,
 * and a reader that then wants to write fails at once with "database is locked" instead of
 * waiting for busy_timeout; BEGIN IMMEDIATE takes the lock up front, so concurrent writers
 * (several ingest processes) queue. Postgres transactions need nothing special.
 */
export async function writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  // Already inside one (a family of documents committed together): the work joins it.
  if (db.isTransaction || insideSqliteTransaction.has(db)) return work(db);
  if (dialectOf(db) === 'postgres') return db.transaction().execute(work);
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
