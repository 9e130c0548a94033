import { defineCommand } from '../command-definition.js';
import type { HealthFlags } from './health.js';

export const healthDefinition = defineCommand<[], HealthFlags>({
  name: 'health',
  group: 'Operations:',
  description: 'check the database, blob backends, OCR, AI providers and disk space; exit 5 if anything fails',
  options: [{ flags: '--deep', description: 'also send each AI provider a minimal request' }],
  help: `
Examples:
  $ doccat health
  $ doccat health --json || alert-team "doccat is unhealthy"`,
  run: async (options, command) => (await import('./health.js')).healthCommand(options, command),
});
