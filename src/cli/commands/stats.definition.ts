import { defineCommand } from '../command-definition.js';
import type { StatsFlags } from './stats.js';

export const statsDefinition = defineCommand<[], StatsFlags>({
  name: 'stats',
  group: 'Operations:',
  description: 'documents by type, method and status; ingest throughput and stage latency; provider calls, tokens, cost; failures',
  options: [
    { flags: '--since <when>', description: 'only what happened since: 90min, 24h, 7d, 2w, 3m (months), 1y, or a date' },
    { flags: '--check', description: 'check the alert rules (alerts.rules) and exit 6 if any fires, printing which (for cron, CI, Nagios)' },
  ],
  help: `
Examples:
  $ doccat stats
  $ doccat stats --since 24h --json | jq .throughput
  $ doccat stats --check || notify-team      exit 6 when an alert rule fires
  $ doccat stats --check --json | jq '.rules[] | select(.firing)'`,
  run: async (options, command) => (await import('./stats.js')).statsCommand(options, command),
});
