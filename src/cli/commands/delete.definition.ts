import { defineCommand } from '../command-definition.js';
import type { DeleteFlags } from './delete.js';

export const deleteDefinition = defineCommand<[ids: string[]], DeleteFlags>({
  name: 'delete',
  alias: 'rm',
  group: 'Change:',
  description: 'remove documents from the catalogue and delete their originals; recorded in the audit trail',
  arguments: [{ name: '<ids...>', description: 'document ids, e.g. 12 or D12' }],
  options: [
    { flags: '-y, --yes', description: 'do not ask (needed when stdin is not a terminal)' },
    { flags: '--keep-blob', description: 'keep the stored original (only the catalogue entry goes)' },
  ],
  help: `
The source files you ingested are not touched; ingesting them again catalogues them again.

Examples:
  $ doccat delete 12
  $ doccat list tag:draft --json | jq -r '.results[].id' | xargs doccat delete --yes`,
  run: async (ids, options, command) => (await import('./delete.js')).deleteCommand(ids, options, command),
});
