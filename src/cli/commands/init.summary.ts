import type { HelpGroup } from '../command-definition.js';

/**
 * What `doccat --help` says of init, without its definition: init's flags come from the storage
 * backend registry, whose option schemas would load zod into every command's start. program.ts
 * registers the definition itself only when a run may need it (see loadProgram).
 */
export const initSummary = {
  name: 'init',
  group: 'Operations:' as HelpGroup,
  description: 'write a config file: catalogue folder, database, storage, OCR languages, AI providers; then run the health checks',
};
