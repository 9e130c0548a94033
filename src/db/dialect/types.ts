import type { ColumnDefinitionBuilder, Kysely, MigrationProvider, MigrationResultSet, RawBuilder, SqlBool } from 'kysely';
import type { TextSyntax } from '../search/query-parser.js';
import type { SearchOptions, SearchResult } from '../search/types.js';
import type { Database } from '../schema.js';

/**
 * What differs between the two catalogue databases, as one object per dialect with a member for
 * each role (kysely's own way: its Dialect holds the adapter, compiler and driver). It is chosen
 * once, from the connection, when a catalogue is opened; the rest of db/ asks it for the SQL of a
 * role instead of testing the dialect's name. dialect/sqlite.ts and dialect/postgres.ts are the
 * only places that know one database from the other.
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

/** A query that can take a row lock (kysely's select builders). */
export interface Lockable<Q> {
  forUpdate(): Q;
  forShare(): Q;
}

/** A document's fields in its full-text entry (db/search-index.ts). */
export interface IndexedFields {
  title: string;
  tags: readonly string[];
  correspondent: string | null;
  /** Absent when only the other fields changed (tags, a corrected title). */
  body?: string;
}

/** How the query language's filters are said in this database's SQL (db/search/compile.ts). */
export interface SearchSql {
  /** How words, phrases, AND and OR are written in the text index's own query syntax. */
  text: TextSyntax;
  /** Documents (`d`) matching one word or phrase. */
  textMatches(text: string, prefix: boolean): RawBuilder<SqlBool>;
  /** Documents (`d`) matching an expression already in `text`'s syntax. */
  expressionMatches(expression: string): RawBuilder<SqlBool>;
  /** LIKE that ignores case. */
  caseInsensitiveLike: RawBuilder<unknown>;
  /** document_tags `x`'s tag equal to the value, ignoring case. */
  tagEquals(value: string): RawBuilder<SqlBool>;
  /** A shell glob, case-sensitive. */
  globMatches(column: RawBuilder<unknown>, glob: string): RawBuilder<SqlBool>;
  /** A path glob, case-sensitive: globMatches, or the fastest equivalent this database has. */
  pathMatches(column: RawBuilder<unknown>, glob: string): RawBuilder<SqlBool>;
  /**
   * documents `d`'s typed field at a path (`['total', 'amount']`) as a number, NULL when it is
   * missing or not a number. Paths are doccat's own field names, never a query's words: they are
   * written into the SQL as literals, as an index on the expression would need.
   */
  fieldNumber(path: readonly string[]): RawBuilder<number | null>;
  /** documents `d`'s typed field at a path, as text. */
  fieldText(path: readonly string[]): RawBuilder<string | null>;
}

export interface SqlDialect {
  readonly name: DialectName;
  readonly columnTypes: ColumnTypes;
  /** The builder for an auto-numbered primary key. */
  primaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** The query with its rows locked for writing until the transaction ends (where rows can be locked). */
  lockForUpdate<Q extends Lockable<Q>>(query: Q): Q;
  /** The query with its rows locked against deletion until the transaction ends (where rows can be locked). */
  lockForShare<Q extends Lockable<Q>>(query: Q): Q;
  /** The database's clock as ISO text (UTC, milliseconds, Z), optionally so many seconds ago. */
  isoNow(secondsAgo?: number): RawBuilder<string>;
  /** A transaction that writes, outside any other (dialect.ts' writeTransaction joins an open one). */
  writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /**
   * Writes whose loss in a power cut costs nothing (leases on content, per-file run statistics):
   * seen by every other connection once they return, like any commit, but not waited on until
   * the disk has them. Outside any transaction (dialect.ts' bookkeepingWrite joins an open one).
   */
  bookkeepingWrite<DB, T>(db: Kysely<DB>, work: (db: Kysely<DB>) => Promise<T>): Promise<T>;
  /** True inside a transaction this dialect began that kysely does not mark. */
  insideTransaction(db: Kysely<unknown>): boolean;
  /** Applies the pending migrations, safely against another process doing the same. */
  // biome-ignore lint/suspicious/noExplicitAny: migrations run on Kysely<Database> and on the Kysely<unknown> tests make.
  migrateToLatest(db: Kysely<any>, provider: MigrationProvider): Promise<MigrationResultSet>;
  /** Writes a document's full-text entry (body absent: only title, tags and correspondent change). */
  writeSearchEntry(db: Kysely<Database>, documentId: number, fields: IndexedFields): Promise<void>;
  deleteSearchEntry(db: Kysely<Database>, documentId: number): Promise<void>;
  /** After rows were copied in with their ids: the next id of each table follows the largest. */
  continueIdsAfterCopy(db: Kysely<Database>, tables: readonly string[]): Promise<void>;
  /** Before a document is inserted with an id of its own: no other insert is handed that id. */
  reserveDocumentId(trx: Kysely<Database>, id: number): Promise<void>;
  /** Ingest jobs waiting (new or for a retry), and when the oldest was queued (ms since the epoch). */
  queueBacklog(db: Kysely<Database>): Promise<{ depth: number; oldest: number | null }>;
  /** Runs a search with this database's own plans (search/sqlite.ts, search/postgres.ts). */
  runSearch(db: Kysely<Database>, options: SearchOptions): Promise<SearchResult>;
  search: SearchSql;
}
