import type { CommandContext } from './context.js';
import type { CatalogDatabase } from '../db/database.js';
import { DocumentRepository } from '../db/documents.js';

export interface OpenCatalog {
  database: CatalogDatabase;
  repository: DocumentRepository;
  close(): Promise<void>;
}

/** Opens the configured catalogue database; readers never create one. */
export async function openCatalog(context: CommandContext, mode: { readonly: boolean; scratch?: boolean }): Promise<OpenCatalog> {
  const { openSqliteDatabase } = await import('../db/database.js');
  const { loaded } = context;
  const database = await openSqliteDatabase({ path: loaded.databasePath, busyTimeoutMs: loaded.config.database.sqlite.busyTimeoutMs, readonly: mode.readonly, scratch: mode.scratch ?? false });
  return { database, repository: new DocumentRepository(database.db), close: () => database.close() };
}
