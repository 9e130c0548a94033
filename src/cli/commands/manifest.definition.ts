import { defineCommand } from '../command-definition.js';
import type { ManifestFlags } from './manifest.js';

export const manifestDefinition = defineCommand<[filters: string[]], ManifestFlags>({
  name: 'manifest',
  group: 'Find:',
  description: 'the artifacts of a run, commit or branch: a JSON document, a release-notes table, or a sha256sum checksum file',
  arguments: [{ name: '[filters...]', description: 'field:value filters, as in list (run:, commit:, branch:, name:...)' }],
  options: [
    { flags: '--format <format>', description: 'json, markdown (default) or sha256sum', choices: ['json', 'markdown', 'sha256sum'] },
    { flags: '--relative-to <dir>', description: 'write paths relative to this folder (default: the working folder)' },
  ],
  filters: 'unpaged',
  help: `
Examples:
  $ doccat manifest run:$GITHUB_RUN_ID --format sha256sum > SHA256SUMS && sha256sum -c SHA256SUMS
  $ doccat manifest commit:$CI_COMMIT_SHA >> release-notes.md
  $ doccat manifest branch:main name:'*.whl' --format json | jq '.artifacts[].sha256'`,
  run: async (filters, options, command) => (await import('./manifest.js')).manifestCommand(filters, options, command),
});
