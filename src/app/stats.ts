import type { AppContext } from './context.js';
import type { OpenCatalog } from './catalog.js';
import type { RuleState } from '../alerts/monitor.js';
import type { CatalogueStats, Count } from '../db/stats.js';
import type { HookStats } from '../db/hook-deliveries.js';

export type { CatalogueStats, Count, HookStats, RuleState };

/** What `doccat stats` reports: the catalogue's figures, the hooks' deliveries and the alert rules' states. */
export type StatsReport = CatalogueStats & { hooks: HookStats[]; alerts: RuleState[] };

/** What the alert rules say now, read only: no state changes, nothing announced. */
export async function alertStates(context: AppContext, catalog: OpenCatalog): Promise<RuleState[]> {
  const { alertMonitor } = await import('./automation.js');
  return (await alertMonitor(context, catalog)).check();
}

/** The catalogue's figures since a time (ISO, or all of them), with each provider's daily token budget. */
export async function statsReport(context: AppContext, catalog: OpenCatalog, options: { since?: string; alerts: RuleState[] }): Promise<StatsReport> {
  const budgets = Object.fromEntries(context.config.config.ai.providers.filter((provider) => provider.dailyTokenBudget !== undefined).map((provider) => [provider.name, provider.dailyTokenBudget as number]));
  const [{ catalogueStats }, { hookStats }] = await Promise.all([import('../db/stats.js'), import('../db/hook-deliveries.js')]);
  return { ...(await catalogueStats(catalog.database.db, { ...(options.since ? { since: options.since } : {}), budgets })), hooks: await hookStats(catalog.database.db, options.since), alerts: options.alerts };
}
