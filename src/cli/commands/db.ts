import type { Command } from 'commander';
import { createContext } from '../context.js';
import { renderTable, writeJson } from '../output.js';
import { ExitCode } from '../../errors.js';
import { catalogueStatus, copyCatalogueBetween, migrateCatalogue } from '../../app/catalogue-admin.js';

/** Schema version, pending migrations and what the catalogue holds. */
export async function statusCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const status = await catalogueStatus(context);
  const { schema } = status;
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
}

/** Applies pending migrations (every writer does this too; this says what it did). */
export async function migrateCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const { dialect, location, applied } = await migrateCatalogue(context);
  if (context.output.json) writeJson({ dialect, location, applied });
  else if (!context.output.quiet) process.stderr.write(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the catalogue schema is current\n');
  return ExitCode.ok;
}

export interface CopyFlags {
  from: string;
  to: string;
}

/** Copies a whole catalogue (SQLite file or Postgres URL) into an empty one, verifying it. */
export async function copyCommand(options: CopyFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const report = await copyCatalogueBetween(context, { from: options.from, to: options.to }, (table, rows) => {
    if (!context.output.quiet && !context.output.json) process.stderr.write(`${table}: ${rows} rows\n`);
  });
  if (context.output.json) writeJson(report);
  else if (!context.output.quiet) process.stderr.write(`copied and verified: ${report.tables.documents.copied} documents from ${report.from} to ${report.to}\n`);
  return ExitCode.ok;
}
