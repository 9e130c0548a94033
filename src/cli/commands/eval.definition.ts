import { defineCommand, parsePositiveInt } from '../command-definition.js';
import type { EvalFlags } from './eval.js';

export const evalDefinition = defineCommand<[], EvalFlags>({
  name: 'eval',
  group: 'Operations:',
  description: 'accuracy of the rules, the learned model and a provider on the documents classified by hand',
  options: [
    { flags: '--folds <k>', description: 'cross-validation folds for the learned model', parse: parsePositiveInt, defaultValue: 5 },
    { flags: '--provider <name>', description: 'also ask this configured provider about every document (costs calls)' },
  ],
  help: `
Each document's type set by hand is compared with what each classifier says: the local rules, the
learned model trained on the other folds, the chain (model when sure, else rules) and, with
--provider, a provider. Prints accuracy, precision and recall per type and a confusion table.

Examples:
  $ doccat eval
  $ doccat eval --folds 10 --provider claude --json`,
  run: async (options, command) => (await import('./eval.js')).evalCommand(options, command),
});
