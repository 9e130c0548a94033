import { defineCommand } from '../command-definition.js';
import type { ShowFlags } from './show.js';

export const showDefinition = defineCommand<[target: string], ShowFlags>({
  name: 'show',
  group: 'Find:',
  description: 'show one document: metadata, classification, sources (and text)',
  arguments: [{ name: '<id-or-path>', description: 'document id (12 or D12) or a path that was ingested' }],
  options: [{ flags: '--text', description: 'also print the extracted text' }],
  help: `
Examples:
  $ doccat show 12
  $ doccat show ~/Scans/letter.pdf --text
  $ doccat show 12 --json | jq .type`,
  run: async (target, options, command) => (await import('./show.js')).showCommand(target, options, command),
});
