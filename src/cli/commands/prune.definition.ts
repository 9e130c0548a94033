import { defineCommand, parsePositiveInt } from '../command-definition.js';
import type { PruneFlags } from './prune.js';

export const pruneDefinition = defineCommand<[filters: string[]], PruneFlags>({
  name: 'prune',
  group: 'Change:',
  description: 'remove artifacts beyond a retention policy (and their blobs when unused); tagged keep or edited by hand: never',
  arguments: [{ name: '[filters...]', description: 'field:value filters choosing what the policy applies to, as in list' }],
  options: [
    { flags: '--keep-last <n>', description: 'keep the documents of the last N builds of each group', parse: parsePositiveInt },
    { flags: '--per <group>', description: 'what the last N builds are counted per, within each repository (default branch)', choices: ['branch', 'repo', 'name'] },
    { flags: '--older-than <duration>', description: 'only documents not seen for this long: 90d, 12w, 6m, 1y' },
    { flags: '--dry-run', description: 'list what would be removed; remove nothing' },
  ],
  filters: 'unpaged',
  help: `
A build is one CI run (job attempt) that ingested files; a document seen outside CI counts as its own
build, made when it was added. Each removal is audited (\`doccat audit\`), re-checked inside its
transaction (a document seen again, tagged keep or edited meanwhile is kept), and safe with other
doccat processes on the catalogue. Interrupted, the same command continues.

Examples:
  $ doccat prune --keep-last 5 --per branch --dry-run
  $ doccat prune branch:'feature/*' --older-than 30d --json
  $ doccat prune repo:acme/app --keep-last 3 --per name --older-than 90d`,
  run: async (filters, options, command) => (await import('./prune.js')).pruneCommand(filters, options, command),
});
