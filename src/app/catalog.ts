import path from 'node:path';
import type { AppContext } from './context.js';
import { Catalog } from '../db/catalog.js';
import type { CatalogDatabase } from '../db/database.js';
import type { DocumentRepository } from '../db/documents.js';
import { databaseUrl } from '../config/secrets.js';
import type { JobQueue } from '../queue/contract.js';
import type { QueueTarget } from '../queue/open.js';

/** What app/ and cli/ read of an opened catalogue (db/catalog.ts' Catalog has this and more). */
export interface OpenCatalog {
  database: CatalogDatabase;
  repository: DocumentRepository;
  /** The Postgres connection string, for pg-boss's own connection; absent on SQLite. */
  url?: string | undefined;
  close(): Promise<void>;
}

/**
 * The catalogue as a run opens it: db/'s Catalog (its dialect and repositories) and its job queue,
 * which queue/ builds over db/, so that db/ itself cannot offer it.
 */
export class RunCatalog extends Catalog {
  /** The job queue: pg-boss on Postgres (its own connection), the `jobs` table on SQLite (queue/open.ts). */
  async jobs(options: Omit<QueueTarget, 'url' | 'db'>): Promise<JobQueue> {
    return (await import('../queue/open.js')).openQueue({ ...options, url: this.url, db: this.db });
  }
}

/**
 * Opens the configured catalogue database: Postgres when database.url is set, else the SQLite
 * file (which readers never create). On Postgres, even a dry run creates the tables if they are
 * missing; it never writes documents.
 */
export async function openCatalog(context: AppContext, mode: { readonly: boolean; scratch?: boolean; migrate?: boolean }): Promise<RunCatalog> {
  const { config: loaded } = context;
  const { database: settings } = loaded.config;
  const { openPostgresDatabase, openSqliteDatabase } = await import('../db/database.js');
  const url = settings.url ? databaseUrl(settings.url, context.secret) : undefined;
  const database = url
    ? await openPostgresDatabase({
        url,
        ...(mode.migrate === false ? { migrate: false } : {}),
        poolSize: settings.poolSize,
        statementTimeoutMs: settings.statementTimeoutMs,
        ...(settings.caFile ? { caFile: path.resolve(loaded.filepath ? path.dirname(loaded.filepath) : process.cwd(), settings.caFile) } : {}),
      })
    : await openSqliteDatabase({ path: loaded.databasePath, busyTimeoutMs: settings.sqlite.busyTimeoutMs, readonly: mode.readonly, scratch: mode.scratch ?? false, ...(mode.migrate === false ? { migrate: false } : {}) });
  return new RunCatalog(database, url);
}
