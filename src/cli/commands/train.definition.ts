import { defineCommand } from '../command-definition.js';

export const trainDefinition = defineCommand<[], object>({
  name: 'train',
  group: 'Change:',
  description: 'train the classifier learned from documents classified by hand, and store it in the catalogue',
  help: `
Learns types, correspondents and tags from the documents whose fields were set with \`doccat set\`
or \`doccat tag\` (a label needs classify.learned.minExamples of them). Ingest, watch, worker and
reclassify retrain by themselves at their start when those labels changed.

Examples:
  $ doccat set 12 --type payslip && doccat train
  $ doccat train --json | jq .summary.learned`,
  run: async (_options, command) => (await import('./train.js')).trainCommand(command),
});
