import type { Command } from 'commander';
import { createContext } from '../context.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode } from '../../errors.js';
import type { HealthCheck } from '../../observability/health.js';
import { runHealthChecks, type HealthOptions } from '../../app/health.js';

export type HealthFlags = HealthOptions;

/** Everything doccat needs, checked for real; exit 5 when anything fails (for cron and CI). */
export async function healthCommand(options: HealthFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const report = await runHealthChecks(context, options);
  if (context.output.json) writeJson(report);
  else process.stdout.write(await renderHealth(report.checks, context.output.color));
  return report.healthy ? ExitCode.ok : ExitCode.unhealthy;
}

export async function renderHealth(checks: HealthCheck[], color: boolean): Promise<string> {
  const mark = (status: HealthCheck['status']) => paint(color, status === 'ok' ? 'green' : status === 'warn' ? 'yellow' : 'red', status);
  const rows = checks.map((check) => [check.check, mark(check.status), `${check.latencyMs} ms`, `${check.code ? `${check.code} ` : ''}${check.detail}${check.hint ? ` (${check.hint})` : ''}`]);
  return `${await renderTable(['check', 'status', 'time', 'detail'], rows, color)}\n`;
}

