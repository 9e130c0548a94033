import { defineCommand, parsePositiveInt } from '../command-definition.js';
import type { ReclassifyFlags } from './reclassify.js';

export const reclassifyDefinition = defineCommand<[query: string[]], ReclassifyFlags>({
  name: 'reclassify',
  group: 'Change:',
  description: 'classify documents again with the current rules and providers; hand-set fields are kept',
  arguments: [{ name: '[query...]', description: 'words and field:value filters, as in search (none: every document)' }],
  options: [
    { flags: '--provider <name>', description: 'ask only this configured provider (then the local rules)' },
    { flags: '--dry-run', description: 'show what would change; documents are not written (provider answers are cached)' },
    { flags: '--force', description: 'ask providers again even when an answer is cached' },
    { flags: '-j, --jobs <n>', description: 'documents classified at once', parse: parsePositiveInt },
    { flags: '--ndjson', description: 'one JSON object per document as it is done' },
  ],
  filters: 'unpaged',
  help: `
Prints what changes (old -> new) per document. Fields set with \`doccat set\` or \`doccat tag\`
are never overwritten. With every provider failing, documents are classified by the local rules.

Examples:
  $ doccat reclassify type:other --dry-run
  $ doccat reclassify --type invoice --provider claude --json
  $ doccat reclassify added:7d --force`,
  run: async (query, options, command) => (await import('./reclassify.js')).reclassifyCommand(query, options, command),
});
