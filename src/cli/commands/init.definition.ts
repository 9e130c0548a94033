import { defineCommand } from '../command-definition.js';
import { listProviderTypes } from '../../classify/provider-types.js';
import { backendFieldOptions, storageFlagHelp } from '../init-storage.js';
import type { InitFlags } from './init.js';
import { initSummary } from './init.summary.js';

export const initDefinition = defineCommand<[], InitFlags>({
  ...initSummary,
  options: [
    { flags: '-y, --yes', description: 'ask nothing: take the flags and defaults (needed when stdin is not a terminal)' },
    { flags: '-o, --output <file>', description: 'config file to write', defaultValue: 'doccat.config.json' },
    { flags: '--force', description: 'replace an existing file' },
    { flags: '--db <kind>', description: 'sqlite (default) or postgres' },
    { flags: '--db-url <reference>', description: 'where the Postgres URL is: env:NAME, file:PATH or cmd:COMMAND (default env:DATABASE_URL)' },
    { flags: '--storage <kind>', description: storageFlagHelp() },
    ...backendFieldOptions(),
    { flags: '--ocr-languages <codes>', description: 'tesseract language codes, e.g. eng,deu (default eng)' },
    { flags: '--provider <type[=ENV]>', description: `${listProviderTypes()}, with the variable holding its key (repeatable)`, repeatable: true, defaultValue: [] },
    { flags: '--no-health', description: 'do not run the health checks afterwards' },
  ],
  help: `
Exit 0 when the file is written and healthy, 5 when it is written but a health check failed, 2 when
a question would be needed and stdin is not a terminal.

Examples:
  $ doccat init
  $ doccat init --yes --catalog ~/Documents/.doccat --provider anthropic
  $ doccat init --yes --db postgres --db-url env:DATABASE_URL --storage s3 --s3-bucket my-docs -o /etc/doccat/config.json`,
  run: async (options, command) => (await import('./init.js')).initCommand(options, command),
});
