import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { dialectFor, type DialectName } from './dialect.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { sqliteDriver } from './sqlite-driver.js';
import { DoccatError, ExitCode } from '../errors.js';
import { CATALOG_FOLDER_HINT, folderProblem, makeFolder } from '../system/folders.js';

export interface SqliteOptions {
  path: string;
  busyTimeoutMs: number;
  readonly?: boolean;
  /** For dry runs: read the catalogue if it exists, else use an empty one in memory; never write. */
  scratch?: boolean;
  /** false: open as it is, for reporting pending migrations (db status). */
  migrate?: boolean;
}

export interface CatalogDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where it is, for messages: a file path, or a URL without its password. */
  location: string;
  /** Migrations this open applied (db migrate reports them). */
  migrated: string[];
  close(): Promise<void>;
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** PEM file of the CA that signed the server's certificate (sslmode verify-ca/verify-full). */
  caFile?: string;
  /** false: open as it is, for reporting pending migrations (db status). */
  migrate?: boolean;
}

/** Opens a Postgres catalogue, creating its tables on first use (writers and readers alike). */
export async function openPostgresDatabase(options: PostgresOptions): Promise<CatalogDatabase> {
  const { default: pg } = await import('pg');
  // COUNT and bigint ids come back as int8; doccat's numbers stay far below 2^53.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  const location = redactUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs,
    ...(options.caFile ? { ssl: { ca: fs.readFileSync(options.caFile, 'utf8'), rejectUnauthorized: true } } : {}),
  });
  // An idle client that loses its server must not bring the process down.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DoccatError('E_DATABASE_UNAVAILABLE', `cannot connect to the catalogue database ${location}: ${(error as Error).message}`, {
      hint: 'check database.url (host, port, user, password, database name) and that the server is running',
      exitCode: ExitCode.backendUnavailable,
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const migrated = options.migrate === false ? [] : await migrateToLatest(db);
  return { db, dialect: 'postgres', location, migrated, close: () => db.destroy() };
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** Opens (and for writers, creates and migrates) the SQLite catalogue. */
export async function openSqliteDatabase(options: SqliteOptions): Promise<CatalogDatabase> {
  // Here, not at the top: keeps `doccat --version` and `--help` from loading the native module.
  const { Database: BetterSqlite3, options: driver } = sqliteDriver();
  if (options.scratch) {
    const exists = fs.existsSync(options.path);
    const sqlite = new BetterSqlite3(exists ? options.path : ':memory:', { ...driver, readonly: exists, timeout: options.busyTimeoutMs });
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrated = exists ? [] : await migrateToLatest(db);
    return { db, dialect: 'sqlite', location: options.path, migrated, close: () => db.destroy() };
  }
  if (options.readonly && !fs.existsSync(options.path)) {
    throw new DoccatError('E_CATALOG_NOT_FOUND', `no catalogue at ${options.path}`, {
      hint: 'run `doccat ingest PATH` first, or point --catalog at an existing catalogue',
      exitCode: ExitCode.usage,
    });
  }
  // Private by default: the catalogue holds the text of every document. A new folder is 0700 and
  // a new database file 0600 (SQLite gives its -wal and -shm the database file's permissions);
  // an existing catalogue keeps its own, since it may be shared on purpose (`doccat health` warns).
  if (!options.readonly) {
    try {
      makeFolder(path.dirname(options.path));
    } catch (error) {
      throw new DoccatError('E_CATALOG_FOLDER', `cannot create the catalogue folder ${path.dirname(options.path)}: ${folderProblem(error)}`, {
        hint: CATALOG_FOLDER_HINT,
        exitCode: ExitCode.usage,
        cause: error,
      });
    }
  }
  // Readers never create a catalogue, but they do bring an existing one up to date when they
  // may write to it; only a catalogue on read-only storage is opened read-only.
  const writable = !options.readonly || isWritable(options.path);
  let sqlite;
  try {
    if (!options.readonly) createPrivateFile(options.path);
    sqlite = new BetterSqlite3(options.path, { ...driver, readonly: !writable, fileMustExist: Boolean(options.readonly), timeout: options.busyTimeoutMs });
    if (writable) {
      // WAL lets readers and a second writer process wait instead of failing. FULL fsyncs the WAL at
      // every commit: watch deletes or moves a source once its commit returns, and under NORMAL a
      // power cut could still undo that commit (then `storage verify --repair` would remove the blob
      // as an orphan, and the document would be gone). The lease, its release and the statistics
      // row of each file are bookkeeping writes (dialect.ts), which leave their sync to that commit.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = FULL');
    }
    sqlite.pragma('foreign_keys = ON');
    // Searches probe many rows of large tables in a process that lives for one command: reading
    // the file through a memory map instead of copying pages into SQLite's 2 MB default cache made
    // filtered searches two to five times faster on 100k documents (npm run bench -- search).
    sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
    sqlite.pragma('cache_size = -32768');
  } catch (error) {
    throw new DoccatError('E_DATABASE_UNAVAILABLE', `cannot open the catalogue database ${options.path}: ${(error as Error).message}`, {
      hint: 'check that the folder is writable and the file is a doccat catalogue',
      exitCode: ExitCode.backendUnavailable,
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrated = writable && options.migrate !== false ? await migrateToLatest(db) : [];
  if (!writable) await assertCurrent(db, options.path);
  return { db, dialect: 'sqlite', location: options.path, migrated, close: () => db.destroy() };
}

/** Address space only; pages are shared with the OS cache, not copied. */
const MMAP_BYTES = 1024 * 1024 * 1024;

/** An empty file only its owner may read and write (SQLite takes an empty file as a new database). */
function createPrivateFile(filePath: string): void {
  try {
    fs.closeSync(fs.openSync(filePath, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function isWritable(filePath: string): boolean {
  try {
    fs.accessSync(filePath, fs.constants.W_OK);
    fs.accessSync(path.dirname(filePath), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function assertCurrent(db: Kysely<Database>, filePath: string): Promise<void> {
  const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations();
  const pending = migrations.filter((migration) => migration.executedAt === undefined);
  if (pending.length > 0) {
    throw new DoccatError('E_CATALOG_OUTDATED', `the catalogue ${filePath} needs ${pending.length} update(s) but is read-only here`, {
      hint: 'run any doccat command once where the catalogue is writable, e.g. doccat ingest --dry-run .',
      exitCode: ExitCode.backendUnavailable,
    });
  }
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await dialectFor(db).migrateToLatest(db, migrationProvider);
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new DoccatError('E_DATABASE_MIGRATION', `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`.replace('  ', ' '), {
      hint: 'the catalogue may come from a newer doccat; upgrade doccat or restore a backup',
      exitCode: ExitCode.backendUnavailable,
      cause: error,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

export interface SchemaStatus {
  current: string | null;
  applied: string[];
  pending: string[];
}

export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations();
  const applied = migrations.filter((migration) => migration.executedAt !== undefined).map((migration) => migration.name);
  return { current: applied[applied.length - 1] ?? null, applied, pending: migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name) };
}
