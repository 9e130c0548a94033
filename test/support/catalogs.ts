import path from 'node:path';
import { inject } from 'vitest';
import { openPostgresDatabase, openSqliteDatabase, type CatalogDatabase } from '../../src/db/database.js';
import type { DialectName } from '../../src/db/dialect.js';
import { tempDir } from './cli.js';
import { createDatabase } from './postgres.mjs';

/** Every database test runs on both catalogue databases. */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/** A new, empty, migrated catalogue: a SQLite file in a temp folder, or a new Postgres database. */
export async function openTestCatalog(dialect: DialectName): Promise<CatalogDatabase> {
  if (dialect === 'sqlite') return openSqliteDatabase({ path: path.join(tempDir(), 'catalog.db'), busyTimeoutMs: 5000 });
  return openPostgresDatabase({ url: await createDatabase(inject('pgUrl')), poolSize: 4, statementTimeoutMs: 60_000 });
}
