import { defineCommand } from '../command-definition.js';
import type { SetFlags } from './edit.js';

export const tagDefinition = defineCommand<[items: string[]], object>({
  name: 'tag',
  group: 'Change:',
  description: 'add (+tag) and remove (-tag) tags; recorded as manual and audited',
  arguments: [{ name: '<items...>', description: 'document ids and +tag / -tag, in any order' }],
  allowUnknownOption: true,
  help: `
Examples:
  $ doccat tag 12 +tax +2024
  $ doccat tag 12 13 14 -todo +done`,
  run: async (items, _options, command) => (await import('./edit.js')).tagCommand(items, command),
});

export const setDefinition = defineCommand<[ids: string[]], SetFlags>({
  name: 'set',
  group: 'Change:',
  description: 'correct type, title, date, correspondent or fields; recorded as manual and audited',
  arguments: [{ name: '<ids...>', description: 'document ids' }],
  options: [
    { flags: '--type <type>', description: 'document type, e.g. invoice' },
    { flags: '--title <title>', description: 'title' },
    { flags: '--date <date>', description: 'document date YYYY-MM-DD, or none' },
    { flags: '--correspondent <name>', description: 'sender or issuer ("" clears it)' },
    { flags: '--field <key=value>', description: 'set a field (repeatable)', repeatable: true },
    { flags: '--unset-field <key>', description: 'remove a field (repeatable)', repeatable: true },
  ],
  help: `
Manual values are shown as such by \`doccat show\` and are never overwritten by automatic
classification.

Examples:
  $ doccat set 12 --type receipt --date 2024-03-08
  $ doccat set 12 13 --correspondent "ACME GmbH" --field total=196.35`,
  run: async (ids, options, command) => (await import('./edit.js')).setCommand(ids, options, command),
});
