import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import { postgresDialect } from './dialect/postgres.js';
import { sqliteDialect } from './dialect/sqlite.js';
import type { ColumnTypes, DialectName, SqlDialect } from './dialect/types.js';

/**
 * The dialect of a connection: dialect/types.ts says what differs between the two catalogue
 * databases, dialect/sqlite.ts and dialect/postgres.ts say how. Everything else asks the object
 * for a role (`dialect.lockForShare(query)`, `dialect.search.tagEquals(tag)`) instead of testing
 * the dialect's name.
 */
export type { ColumnTypes, DialectName, SqlDialect } from './dialect/types.js';

const DIALECTS: Record<DialectName, SqlDialect> = { sqlite: sqliteDialect, postgres: postgresDialect };

/** The dialect a Kysely instance (or a transaction or connection of it) speaks, from its adapter. */
// biome-ignore lint/suspicious/noExplicitAny: called with Kysely<Database> and with the Kysely<unknown> migrations get; only the adapter is read.
export function dialectFor(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresDialect : sqliteDialect;
}

/** The dialect of that name. */
export function dialectNamed(name: DialectName): SqlDialect {
  return DIALECTS[name];
}

// biome-ignore lint/suspicious/noExplicitAny: as dialectFor.
export function dialectOf(db: Kysely<any>): DialectName {
  return dialectFor(db).name;
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  return DIALECTS[dialect].columnTypes;
}

/** The builder for an auto-numbered primary key: bigserial on Postgres, AUTOINCREMENT on SQLite. */
export function primaryKey(dialect: DialectName): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return DIALECTS[dialect].primaryKey;
}

/**
 * The step of a migration that one dialect (or each in its own way) takes; a dialect it names no
 * step for does nothing. The migration keeps its name on both, so both record it as applied.
 */
export async function perDialect(db: Kysely<unknown>, steps: Partial<Record<DialectName, () => Promise<void>>>): Promise<void> {
  await steps[dialectOf(db)]?.();
}

/** Already inside a transaction, kysely's or one the dialect began itself: work then joins it. */
function inOpenTransaction<DB>(db: Kysely<DB>): boolean {
  return db.isTransaction || dialectFor(db).insideTransaction(db as Kysely<unknown>);
}

/**
 * A transaction that writes (on SQLite, BEGIN IMMEDIATE: see dialect/sqlite.ts). Already inside
 * one (a family of documents committed together), the work joins it.
 */
export async function writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return inOpenTransaction(db) ? work(db) : dialectFor(db).writeTransaction(db, work);
}

/** Writes that need not wait for the disk (dialect/types.ts). Inside a transaction, they join it. */
export async function bookkeepingWrite<DB, T>(db: Kysely<DB>, work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return inOpenTransaction(db) ? work(db) : dialectFor(db).bookkeepingWrite(db, work);
}
