import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

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
}

// any: called with Kysely<Database> and with the Kysely<unknown> migrations get; only the adapter is read.
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  return dialect === 'postgres' ? { id: 'bigserial', bigint: 'bigint', float: 'double precision' } : { id: 'integer', bigint: 'integer', float: 'real' };
}

/** The builder for an auto-numbered primary key: bigserial on Postgres, AUTOINCREMENT on SQLite. */
export function primaryKey(dialect: DialectName): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres' ? (column) => column.primaryKey() : (column) => column.primaryKey().autoIncrement();
}
