import { defineCommand, parsePositiveInt, type CommandGroupDefinition } from '../command-definition.js';
import type { AuditFlags } from './config.js';

export const configDefinition: CommandGroupDefinition = {
  name: 'config',
  group: 'Operations:',
  description: 'the effective configuration and its secret references',
  subcommands: [
    defineCommand<[], object>({
      name: 'show',
      description: 'every setting with its value and where it came from (default, file, environment)',
      run: async (_options, command) => (await import('./config.js')).configShowCommand(command),
    }),
    defineCommand<[], object>({
      name: 'check',
      description: 'validate the configuration and resolve every secret reference; exit 2 if one is missing',
      run: async (_options, command) => (await import('./config.js')).configCheckCommand(command),
    }),
  ],
};

export const auditDefinition = defineCommand<[id: string | undefined], AuditFlags>({
  name: 'audit',
  group: 'Find:',
  description: 'recorded changes to documents: who, what, old -> new, when, by which command',
  arguments: [{ name: '[id]', description: 'one document (default: the latest changes to any)' }],
  options: [{ flags: '-n, --limit <n>', description: 'at most this many entries (without an id)', parse: parsePositiveInt, defaultValue: 50 }],
  run: async (id, options, command) => (await import('./config.js')).auditCommand(id, options, command),
});
