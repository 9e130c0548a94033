import path from 'node:path';
import type { AppContext } from './context.js';
import type { Catalog } from '../db/catalog.js';
import type { CatalogDatabase } from '../db/database.js';
import type { DocumentRepository } from '../db/documents.js';
import { databaseUrl } from '../config/secrets.js';

/** What app/ and cli/ read of an opened catalogue (db/catalog.ts' Catalog has this and more). */
export interface OpenCatalog {
  database: CatalogDatabase;
  repository: DocumentRepository;
  /** The Postgres connection string, for pg-boss's own connection; absent on SQLite. */
  url?: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens the configured catalogue database: Postgres when database.url is set, else the SQLite
 * file (which readers never create). On Postgres, even a dry run creates the tables if they are
 * missing; it never writes documents.
 */
export async function openCatalog(context: AppContext, mode: { readonly: boolean; scratch?: boolean; migrate?: boolean }): Promise<Catalog> {
  const { config: loaded } = context;
  const { database: settings } = loaded.config;
  const [{ openPostgresDatabase, openSqliteDatabase }, { Catalog }] = await Promise.all([import('../db/database.js'), import('../db/catalog.js')]);
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
  return new Catalog(database, url);
}
