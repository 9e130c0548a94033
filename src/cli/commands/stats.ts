import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../catalog.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { durationAgo } from '../../text/duration.js';
import type { CatalogueStats, Count } from '../../db/stats.js';

interface StatsFlags {
  since?: string;
}

/** What the catalogue holds and how ingest and the providers have been doing. */
export async function statsCommand(flags: Record<string, unknown>, command: Command): Promise<number> {
  const options = flags as StatsFlags;
  const context = await createContext(command);
  const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
  const budgets = Object.fromEntries(context.loaded.config.ai.providers.filter((provider) => provider.dailyTokenBudget !== undefined).map((provider) => [provider.name, provider.dailyTokenBudget as number]));
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const { catalogueStats } = await import('../../db/stats.js');
    const stats = await catalogueStats(catalog.database.db, { ...(since ? { since } : {}), budgets });
    if (context.output.json) writeJson(stats);
    else process.stdout.write(await render(stats, context.output.color));
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

async function render(stats: CatalogueStats, color: boolean): Promise<string> {
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
  return parts.join('');
}
