import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import { databaseUrl, type SecretLookup } from '../config/secrets.js';
import type { CatalogDatabase, SchemaStatus } from '../db/database.js';

/** `doccat db`: the catalogue's schema and contents, its migrations, and copying it whole. */

export interface CatalogueStatus {
  dialect: CatalogDatabase['dialect'];
  location: string;
  schema: SchemaStatus;
  /** Rows per table; null for a table a pending migration will create. */
  counts: Record<string, number | null>;
}

/** Schema version, pending migrations and what the catalogue holds, as it is (nothing applied). */
export async function catalogueStatus(context: AppContext): Promise<CatalogueStatus> {
  // As it is: status reports pending migrations instead of applying them.
  const catalog = await openCatalog(context, { readonly: true, migrate: false });
  try {
    const { schemaStatus } = await import('../db/database.js');
    const schema = await schemaStatus(catalog.database.db);
    // A table a pending migration will create has no count yet (null).
    const countOf = async (query: RawBuilder<{ n: number }>) => {
      const row = (await query.execute(catalog.database.db).catch(() => ({ rows: [] as { n: number }[] }))).rows[0];
      return row === undefined ? null : Number(row.n);
    };
    const counts: Record<string, number | null> = {};
    for (const table of ['documents', 'sources', 'document_tags', 'classifications', 'audit', 'ai_calls', 'ingest_events', 'claims', 'jobs']) counts[table] = await countOf(sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`);
    const failed = await countOf(sql<{ n: number }>`SELECT count(*) AS n FROM sources WHERE status = 'failed'`);
    return { dialect: catalog.database.dialect, location: catalog.database.location, schema, counts: { ...counts, failedFiles: failed } };
  } finally {
    await catalog.close();
  }
}

/** Applies pending migrations (every writer does this too) and says which it applied. */
export async function migrateCatalogue(context: AppContext): Promise<{ dialect: CatalogDatabase['dialect']; location: string; applied: string[] }> {
  const catalog = await openCatalog(context, { readonly: false });
  try {
    return { dialect: catalog.database.dialect, location: catalog.database.location, applied: catalog.database.migrated };
  } finally {
    await catalog.close();
  }
}

/** Copies a whole catalogue (SQLite file or Postgres URL) into an empty one, verifying it. */
export async function copyCatalogueBetween(context: AppContext, options: { from: string; to: string }, onTable?: (table: string, rows: number) => void) {
  const source = await openDatabase(options.from, true, context.secret);
  try {
    const destination = await openDatabase(options.to, false, context.secret);
    try {
      const { copyCatalogue } = await import('../db/copy.js');
      const report = await copyCatalogue(source.db, destination.db, (table, rows) => onTable?.(table, rows));
      return { from: source.location, to: destination.location, ...report };
    } finally {
      await destination.close();
    }
  } finally {
    await source.close();
  }
}

/** A postgres:// URL, a secret reference holding one, or a SQLite file path. */
async function openDatabase(target: string, readonly: boolean, secret: SecretLookup): Promise<CatalogDatabase> {
  const { openPostgresDatabase, openSqliteDatabase } = await import('../db/database.js');
  const url = /^(env|file|cmd):/.test(target) ? databaseUrl(target, secret, readonly ? '--from' : '--to') : target;
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 0 });
  return openSqliteDatabase({ path: path.resolve(url), busyTimeoutMs: 10_000, readonly });
}
