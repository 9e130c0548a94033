import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { databaseUrl, type SecretLookup } from '../../config/secrets.js';
import { renderTable, writeJson } from '../output.js';
import { ExitCode } from '../../errors.js';
import type { CatalogDatabase } from '../../db/database.js';

/** Schema version, pending migrations and what the catalogue holds. */
export async function statusCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  // As it is: status reports pending migrations instead of applying them.
  const catalog = await openCatalog(context, { readonly: true, migrate: false });
  try {
    const { schemaStatus } = await import('../../db/database.js');
    const schema = await schemaStatus(catalog.database.db);
    // A table a pending migration will create has no count yet (null).
    const countOf = async (query: RawBuilder<{ n: number }>) => {
      const row = (await query.execute(catalog.database.db).catch(() => ({ rows: [] as { n: number }[] }))).rows[0];
      return row === undefined ? null : Number(row.n);
    };
    const counts: Record<string, number | null> = {};
    for (const table of ['documents', 'sources', 'document_tags', 'classifications', 'audit', 'ai_calls', 'ingest_events', 'claims', 'jobs']) counts[table] = await countOf(sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`);
    const failed = await countOf(sql<{ n: number }>`SELECT count(*) AS n FROM sources WHERE status = 'failed'`);
    const status = { dialect: catalog.database.dialect, location: catalog.database.location, schema, counts: { ...counts, failedFiles: failed } };
    if (context.output.json) writeJson(status);
    else {
      const rows: [string, string | number][] = [
        ['database', `${status.dialect} ${status.location}`],
        ['schema', `${schema.current ?? '(empty)'}${schema.pending.length > 0 ? ` (${schema.pending.length} pending: ${schema.pending.join(', ')})` : ' (current)'}`],
        ...Object.entries(status.counts).map(([name, value]): [string, string | number] => [name, value ?? '(not yet)']),
      ];
      process.stdout.write(`${await renderTable(['', ''], rows, context.output.color)}\n`);
    }
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

/** Applies pending migrations (every writer does this too; this says what it did). */
export async function migrateCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const applied = catalog.database.migrated;
    if (context.output.json) writeJson({ dialect: catalog.database.dialect, location: catalog.database.location, applied });
    else if (!context.output.quiet) process.stderr.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the catalogue schema is current\n');
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

export interface CopyFlags {
  from: string;
  to: string;
}

/** Copies a whole catalogue (SQLite file or Postgres URL) into an empty one, verifying it. */
export async function copyCommand(options: CopyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const source = await openDatabase(options.from, true, context.secret);
  try {
    const destination = await openDatabase(options.to, false, context.secret);
    try {
      const { copyCatalogue } = await import('../../db/copy.js');
      const report = await copyCatalogue(source.db, destination.db, (table, rows) => {
        if (!context.output.quiet && !context.output.json) process.stderr.write(`${table}: ${rows} rows\n`);
      });
      if (context.output.json) writeJson({ from: source.location, to: destination.location, ...report });
      else if (!context.output.quiet) process.stderr.write(`copied and verified: ${report.tables.documents.copied} documents from ${source.location} to ${destination.location}\n`);
      return ExitCode.ok;
    } finally {
      await destination.close();
    }
  } finally {
    await source.close();
  }
}

/** A postgres:// URL, a secret reference holding one, or a SQLite file path. */
async function openDatabase(target: string, readonly: boolean, secret: SecretLookup): Promise<CatalogDatabase> {
  const { openPostgresDatabase, openSqliteDatabase } = await import('../../db/database.js');
  const url = /^(env|file|cmd):/.test(target) ? databaseUrl(target, secret, readonly ? '--from' : '--to') : target;
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 0 });
  return openSqliteDatabase({ path: path.resolve(url), busyTimeoutMs: 10_000, readonly });
}
