import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { durationAgo } from '../../text/duration.js';
import { alertStates, statsReport, type Count, type RuleState, type StatsReport } from '../../app/stats.js';

export interface StatsFlags {
  since?: string;
  check?: boolean;
}

/** What the catalogue holds and how ingest and the providers have been doing. */
export async function statsCommand(options: StatsFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
  const catalog = await openCatalog(context, { readonly: true });
  try {
    // Read only: what the rules say now, beside what the catalogue recorded; no state changes.
    const alerts = await alertStates(context, catalog);
    if (options.check) return reportCheck(alerts, context.output.json, context.output.color, context.output.quiet);
    const stats = await statsReport(context, catalog, { ...(since ? { since } : {}), alerts });
    if (context.output.json) writeJson(stats);
    else {
      const text = await render(stats, context.output.color);
      // Charts where colour is (a terminal, or FORCE_COLOR); plain text for pipes, files and NO_COLOR.
      if (!context.output.color) process.stdout.write(text);
      else {
        const [{ readChartSeries }, { renderCharts }] = await Promise.all([import('../../app/chart-series.js'), import('../stats-charts.js')]);
        const series = await readChartSeries(catalog, since, new Date());
        process.stdout.write(`${text}\n${renderCharts(stats, series, true)}`);
      }
    }
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

export function parseSince(value: string, now: Date): string {
  const ago = durationAgo(value, now);
  if (ago) return ago;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw usageError('E_USAGE', `--since ${value}: not a duration or a date`, 'use e.g. 90min, 24h, 7d, 2w, 3m (months), 1y, or a date such as 2026-11-01');
}

/** `stats --check`: one line per rule, the firing ones first; exit 6 when any fires. */
function reportCheck(rules: RuleState[], json: boolean, color: boolean, quiet: boolean): number {
  const firing = rules.filter((rule) => rule.firing);
  const status = firing.length > 0 ? 'alerting' : 'ok';
  if (json) writeJson({ status, checkedAt: new Date().toISOString(), firing: firing.length, rules });
  else {
    const lines = [firing.length > 0 ? `ALERT: ${firing.length} of ${rules.length} rule${rules.length === 1 ? '' : 's'} firing` : `OK: ${rules.length} rule${rules.length === 1 ? '' : 's'}, none firing`];
    for (const rule of [...firing, ...rules.filter((candidate) => !candidate.firing)]) {
      const since = rule.firing && rule.recorded?.state === 'firing' ? ` (since ${rule.recorded.since})` : '';
      lines.push(`${rule.firing ? paint(color, 'red', 'FIRING') : 'ok'} ${rule.name}: ${rule.message}${since}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (rules.length === 0 && !quiet) process.stderr.write('doccat: no alert rules are configured (alerts.rules)\n');
  }
  return firing.length > 0 ? ExitCode.alerting : ExitCode.ok;
}

async function render(stats: StatsReport, color: boolean): Promise<string> {
  const heading = (text: string) => `${paint(color, 'bold', text)}\n`;
  const list = (items: Count[]) => (items.length > 0 ? items.map((item) => `${item.key} ${item.count}`).join(', ') : 'none');
  const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);
  const parts: string[] = [];
  parts.push(heading(`Catalogue ${stats.since ? `since ${stats.since}` : '(all time)'}`));
  parts.push(`documents  ${stats.documents.total} (${stats.documents.pages} pages)\n  by type    ${list(stats.documents.byType)}\n  by method  ${list(stats.documents.byMethod)}\nsources    ${list(stats.sources.byStatus)}\n\n`);

  const { files, throughput } = stats;
  parts.push(heading('Ingest'));
  parts.push(`files      ${files.total}: ${list(files.byStatus)}\npages      ${files.pages}, ${files.ocrPages} OCRed\n`);
  parts.push(
    throughput.filesPerSecond === null
      ? 'throughput -\n'
      : `throughput ${throughput.filesPerSecond} files/s, ${throughput.cataloguedPerSecond} catalogued/s, ${throughput.megabytesPerSecond} MB/s over ${throughput.busySeconds} s busy in ${throughput.runs} run(s)\n`,
  );
  if (stats.failures.length > 0) parts.push(`failures   ${list(stats.failures)}\n`);
  parts.push('\n');
  parts.push(`${await renderTable(['stage', 'files', 'p50', 'p95'], stats.stages.map((stage) => [stage.stage, stage.count, ms(stage.p50Ms), ms(stage.p95Ms)]), color)}\n`);

  if (stats.ocr.byEngine.length > 0) {
    parts.push(`\n${heading('OCR engines')}`);
    const rows = stats.ocr.byEngine.map((engine) => [engine.engine, engine.files, engine.pages, ms(engine.msPerPage)]);
    parts.push(`${await renderTable(['engine', 'files', 'pages', 'per page'], rows, color)}\n`);
  }

  if (stats.providers.length > 0) {
    parts.push(`\n${heading('AI providers')}`);
    const rows = stats.providers.map((provider) => [
      provider.provider,
      provider.calls,
      provider.successRate === null ? '-' : `${(provider.successRate * 100).toFixed(1)}%`,
      ms(provider.p50Ms),
      ms(provider.p95Ms),
      `${provider.inputTokens} / ${provider.outputTokens}`,
      `$${provider.costUsd.toFixed(4)}`,
      provider.budget ? `${provider.budget.usedToday} of ${provider.budget.dailyTokens} today` : '-',
    ]);
    parts.push(`${await renderTable(['provider', 'calls', 'success', 'p50', 'p95', 'tokens in / out', 'cost', 'budget'], rows, color)}\n`);
  }
  if (stats.hooks.length > 0) {
    parts.push(`\n${heading('Hooks')}`);
    const rows = stats.hooks.map((hook) => [hook.hook, hook.kind, hook.delivered, hook.failed, ms(hook.p50Ms), ms(hook.p95Ms), hook.lastFailure ? `${hook.lastFailure.code ?? ''} ${hook.lastFailure.at}` : '-']);
    parts.push(`${await renderTable(['hook', 'kind', 'delivered', 'failed', 'p50', 'p95', 'last failure'], rows, color)}\n`);
  }
  if (stats.alerts.length > 0) {
    parts.push(`\n${heading('Alerts')}`);
    for (const rule of stats.alerts) parts.push(`${rule.firing ? paint(color, 'red', 'FIRING') : 'ok'} ${rule.name}: ${rule.message}\n`);
  }
  return parts.join('');
}
