import { defineCommand, parsePositiveInt, type CommandGroupDefinition } from '../command-definition.js';
import type { MigrateFlags, SyncFlags, VerifyFlags } from './storage.js';

const list = defineCommand<[], object>({
  name: 'list',
  description: 'configured backends with their role, document counts and a live write/read probe',
  run: async (_options, command) => (await import('./storage.js')).listCommand(command),
});

const migrate = defineCommand<[], MigrateFlags>({
  name: 'migrate',
  description: 'copy blobs to another backend, verify them there, then point documents at the copies',
  options: [
    { flags: '--to <name>', description: 'destination backend', required: true },
    { flags: '--from <name>', description: 'only blobs on this backend (default: every blob not on --to)' },
    { flags: '--concurrency <n>', description: 'blobs copied at once (default 4)', parse: parsePositiveInt },
    { flags: '--delete-source', description: 'delete each old copy once the new one is verified and in use' },
    { flags: '--dry-run', description: 'list what would move; copy nothing' },
    { flags: '--ndjson', description: 'one JSON object per blob as it is done' },
  ],
  help: `
Resumable: stopped by Ctrl-C, kill or an outage, the same command continues where it stopped and
never copies a blob that is already verified at the destination.

Examples:
  $ doccat storage migrate --to s3 --dry-run
  $ doccat storage migrate --from local --to s3 --concurrency 8 --delete-source`,
  run: async (options, command) => (await import('./storage.js')).migrateCommand(options, command),
});

const verify = defineCommand<[], VerifyFlags>({
  name: 'verify',
  description: "check every document's blob (exists, size, sha256 read back) and list orphan blobs",
  options: [
    { flags: '--repair', description: 'restore damaged blobs from another backend with a good copy; delete orphans older than storage.orphanGraceHours' },
    { flags: '--concurrency <n>', description: 'blobs checked at once (default 4)', parse: parsePositiveInt },
  ],
  help: `
Exit 0 when everything is in order, 3 when problems remain.`,
  run: async (options, command) => (await import('./storage.js')).verifyCommand(options, command),
});

const sync = defineCommand<[], SyncFlags>({
  name: 'sync',
  description: 'move blobs stored on the fallback backend (while the primary was down) to the primary',
  options: [
    { flags: '--concurrency <n>', description: 'blobs copied at once (default 4)', parse: parsePositiveInt },
    { flags: '--dry-run', description: 'list what would move; copy nothing' },
    { flags: '--ndjson', description: 'one JSON object per blob as it is done' },
  ],
  run: async (options, command) => (await import('./storage.js')).syncCommand(options, command),
});

export const storageDefinition: CommandGroupDefinition = {
  name: 'storage',
  group: 'Storage & database:',
  description: 'blob backends: list, migrate between them, verify, sync from the fallback',
  subcommands: [list, migrate, verify, sync],
};
