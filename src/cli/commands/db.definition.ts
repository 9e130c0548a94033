import { defineCommand, type CommandGroupDefinition } from '../command-definition.js';
import type { CopyFlags } from './db.js';

export const dbDefinition: CommandGroupDefinition = {
  name: 'db',
  group: 'Storage & database:',
  description: 'the catalogue database: status, migrations, copying between SQLite and Postgres',
  subcommands: [
    defineCommand<[], object>({
      name: 'status',
      description: 'schema version, pending migrations and row counts',
      run: async (_options, command) => (await import('./db.js')).statusCommand(command),
    }),
    defineCommand<[], object>({
      name: 'migrate',
      description: 'apply pending migrations (any writing command does this too)',
      run: async (_options, command) => (await import('./db.js')).migrateCommand(command),
    }),
    defineCommand<[], CopyFlags>({
      name: 'copy',
      description: 'copy a whole catalogue into an empty database, keeping ids, checksums and history, then verify',
      options: [
        { flags: '--from <db>', description: 'SQLite file, postgres:// URL, or env:NAME / file:PATH holding one', required: true },
        { flags: '--to <db>', description: 'an empty destination, same forms', required: true },
      ],
      help: `
Examples:
  $ doccat db copy --from ~/.local/share/doccat/catalog.db --to env:DATABASE_URL
  $ doccat db copy --from postgres://doccat@db/doccat --to backup.db`,
      run: async (options, command) => (await import('./db.js')).copyCommand(options, command),
    }),
  ],
};
