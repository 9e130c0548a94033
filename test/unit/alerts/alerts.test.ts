import path from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { AlertMonitor, judge, type AlertTransition } from '../../../src/alerts/monitor.js';
import { alertSources } from '../../../src/app/automation.js';
import { configSchema, type AlertRule, type DoccatConfig } from '../../../src/config/schema.js';
import { measure, type MetricName } from '../../../src/db/alert-metrics.js';
import { openPostgresDatabase, openSqliteDatabase, type CatalogDatabase } from '../../../src/db/database.js';
import { TableJobQueue } from '../../../src/queue/table.js';
import type { Database } from '../../../src/db/schema.js';
import { PgBossJobQueue } from '../../../src/queue/pg-boss.js';
import { tempDir } from '../../support/cli.js';
import { DIALECTS } from '../../support/catalogs.js';
import { createDatabase } from '../../support/postgres.mjs';

/** Alert rules over the catalogue's figures, on both catalogue databases. */

const NOW = new Date('2026-06-01T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

/** One catalogue, and a way to open it again as another process would. */
async function catalogue(dialect: 'sqlite' | 'postgres'): Promise<{ open: () => Promise<CatalogDatabase>; url?: string }> {
  if (dialect === 'sqlite') {
    const file = path.join(tempDir(), 'catalog.db');
    return { open: () => openSqliteDatabase({ path: file, busyTimeoutMs: 10_000 }) };
  }
  const url = await createDatabase(inject('pgUrl'));
  return { url, open: () => openPostgresDatabase({ url, poolSize: 4, statementTimeoutMs: 60_000 }) };
}

async function event(db: Kysely<Database>, at: string, status: 'catalogued' | 'failed', extra: Partial<Insertable<Database['ingest_events']>> = {}): Promise<void> {
  await db
    .insertInto('ingest_events')
    .values({ at, started_at: at, run_id: 'r', correlation_id: `r-${at}-${Math.random()}`, status, document_id: null, error_code: status === 'failed' ? 'E_EMPTY_FILE' : null, mime: 'text/plain', method: 'text', bytes: 10, pages: 1, ocr_pages: 0, total_ms: 100, sniff_ms: 1, hash_ms: 1, extract_ms: 10, ocr_ms: null, classify_ms: 1, store_ms: 1, commit_ms: 1, ...extra })
    .execute();
}

async function call(db: Kysely<Database>, at: string, provider: string, outcome: 'ok' | 'error', errorCode: string | null = null, tokens = 100): Promise<void> {
  await db.insertInto('ai_calls').values({ at, provider, model: 'm', key_id: 'k', latency_ms: 10, input_tokens: tokens, output_tokens: 0, cost_usd: 0, outcome, error_code: errorCode, correlation_id: null }).execute();
}

async function ocrDocument(db: Kysely<Database>, index: number, addedAt: string, confidence: number | null): Promise<void> {
  await db
    .insertInto('documents')
    .values({ sha256: `${index}`.padStart(64, '0'), size: 1, mime: 'image/png', original_name: 'a.png', blob_backend: 'local', blob_key: `k${index}`, method: confidence === null ? 'text' : 'ocr', pages: 1, words: 1, language: null, ocr_confidence: confidence, type: 'other', title: 't', tags: '[]', document_date: null, correspondent: null, class_confidence: 0, class_rule: '', classifier: 'local', fields: '{}', warnings: '[]', text: 'x', added_at: addedAt, updated_at: addedAt })
    .execute();
}

const rule = (metric: MetricName, extra: Partial<AlertRule> = {}): AlertRule => configSchema.parse({ alerts: { rules: [{ name: 'r', metric, above: 0, window: '1h', ...extra }] } }).alerts.rules[0] as AlertRule;

for (const dialect of DIALECTS) describe(`alert metrics (${dialect})`, () => {
  it('measures each metric over its window from what the catalogue holds', async () => {
    const { open, url } = await catalogue(dialect);
    const catalog = await open();
    const db = catalog.db;
    // Inside the hour: 3 catalogued, 1 failed; before it: 5 failed, which the window leaves out.
    for (const minutes of [5, 10, 20]) await event(db, minutesAgo(minutes), 'catalogued', { ocr_ms: minutes * 100, total_ms: minutes * 1000 });
    await event(db, minutesAgo(30), 'failed');
    for (let index = 0; index < 5; index += 1) await event(db, minutesAgo(120 + index), 'failed');
    // gpt: 2 errors in 4 calls; its last 3 calls failed the way that opens a breaker (3 needed).
    await call(db, minutesAgo(50), 'gpt', 'ok', null, 4000);
    for (const minutes of [40, 30, 20]) await call(db, minutesAgo(minutes), 'gpt', 'error', 'E_PROVIDER_SERVER', 0);
    // claude: errors, but a refusal does not count towards the breaker.
    for (const minutes of [40, 30, 20]) await call(db, minutesAgo(minutes), 'claude', 'error', 'E_PROVIDER_REFUSED', 0);
    await ocrDocument(db, 1, minutesAgo(10), 80);
    await ocrDocument(db, 2, minutesAgo(10), 40);
    await ocrDocument(db, 3, minutesAgo(10), null);
    await ocrDocument(db, 4, minutesAgo(600), 5);
    await db.insertInto('hook_deliveries').values({ at: minutesAgo(5), run_id: 'r', hook: 'h', kind: 'webhook', event: 'run.finished', document_id: null, correlation_id: null, status: 'failed', attempts: 3, duration_ms: 10, error_code: 'E_HOOK_HTTP', error_message: 'x', payload: '{}' }).execute();
    const context = { now: NOW, budgets: { gpt: 10_000 }, breakerFailures: { gpt: 3, claude: 3 } };
    const value = async (metric: MetricName, extra: Partial<AlertRule> = {}) => {
      const r = rule(metric, extra);
      return measure(db, { metric, since: new Date(NOW.getTime() - (r.window === '1h' ? 3_600_000 : 86_400_000)).toISOString(), provider: r.provider, stage: r.stage }, context);
    };
    expect(await value('failures')).toEqual({ value: 1, samples: 1 });
    expect(await value('failureRate')).toEqual({ value: 0.25, samples: 4 });
    expect(await value('providerErrorRate', { provider: 'gpt' })).toEqual({ value: 0.75, samples: 4 });
    expect(await value('providerErrorRate')).toEqual({ value: 6 / 7, samples: 7 });
    expect(await value('providerBreakerOpen', { provider: 'gpt' })).toMatchObject({ value: 1 });
    expect(await value('providerBreakerOpen', { provider: 'claude' })).toMatchObject({ value: 0 });
    // Today's calls (UTC) against the daily budget: 4000 of 10000.
    expect(await value('tokenBudgetUsed')).toEqual({ value: 0.4, samples: 1 });
    expect(await value('ocrConfidence')).toEqual({ value: 60, samples: 2 });
    expect(await value('stageP95', { stage: 'ocr' })).toEqual({ value: 2000, samples: 3 });
    expect(await value('stageP95', { stage: 'total' })).toEqual({ value: 20_000, samples: 4 });
    expect(await value('hookFailures')).toEqual({ value: 1, samples: 1 });
    expect(await value('queueDepth')).toEqual({ value: 0, samples: 0 });

    const queue = url ? await PgBossJobQueue.open(url, { maxAttempts: 3, retryDelaySeconds: 1, expireInSeconds: 60 }, 60, () => undefined) : new TableJobQueue(db, { maxAttempts: 3, retryDelaySeconds: 1, expireInSeconds: 60 });
    await queue.enqueue(['/a', '/b']);
    expect(await measure(db, { metric: 'queueDepth', since: minutesAgo(60) }, { ...context, now: new Date() })).toEqual({ value: 2, samples: 2 });
    const later = new Date(Date.now() + 90_000);
    const age = await measure(db, { metric: 'oldestJobAge', since: minutesAgo(60) }, { ...context, now: later });
    expect(age.value).toBeGreaterThanOrEqual(89);
    expect(age.value).toBeLessThan(200);
    await queue.close();
    await catalog.close();
  });

  it('announces a change once when several processes check the same rules at the same moment', async () => {
    const { open } = await catalogue(dialect);
    const catalogs: CatalogDatabase[] = [];
    for (let index = 0; index < 4; index += 1) catalogs.push(await open());
    const db = (catalogs[0] as CatalogDatabase).db;
    await event(db, new Date().toISOString(), 'failed');
    const config: DoccatConfig = configSchema.parse({ alerts: { rules: [{ name: 'any-failure', metric: 'failures', above: 0 }] } });
    const heard: AlertTransition[] = [];
    const monitors = await Promise.all(catalogs.map(async (catalog) => new AlertMonitor(config.alerts.rules, await alertSources(catalog.db, config), (transition) => heard.push(transition), pino({ level: 'silent' }))));
    await Promise.all(monitors.map((monitor) => monitor.evaluate()));
    expect(heard.map((transition) => transition.event)).toEqual(['alert.fired']);
    // Checked again, still firing: nothing new.
    await Promise.all(monitors.map((monitor) => monitor.evaluate()));
    expect(heard).toHaveLength(1);
    await db.deleteFrom('ingest_events').execute();
    await Promise.all(monitors.map((monitor) => monitor.evaluate()));
    expect(heard.map((transition) => transition.event)).toEqual(['alert.fired', 'alert.resolved']);
    expect(heard[1]).toMatchObject({ firedAt: heard[0]?.at, value: 0 });
    const state = await db.selectFrom('alert_states').selectAll().executeTakeFirstOrThrow();
    expect(state).toMatchObject({ name: 'any-failure', state: 'ok', fired_at: heard[0]?.at, resolved_at: heard[1]?.at });
    for (const catalog of catalogs) await catalog.close();
  });
});

describe('alert rules', () => {
  it('fire while above (or below) the threshold, and count too few samples as no data', () => {
    expect(judge(rule('failureRate', { above: 0.2 }), { value: 0.5, samples: 10 })).toMatchObject({ firing: true, message: 'failureRate (over 1h) is 0.5, above 0.2' });
    expect(judge(rule('failureRate', { above: 0.2, minSamples: 20 }), { value: 0.5, samples: 10 })).toMatchObject({ firing: false, message: 'failureRate (over 1h): no data (10 samples, 20 needed)' });
    expect(judge(rule('ocrConfidence', { above: undefined, below: 60 }), { value: 59.5, samples: 3 }).firing).toBe(true);
    expect(judge(rule('ocrConfidence', { above: undefined, below: 60 }), { value: null, samples: 0 }).firing).toBe(false);
    // A count has no minimum: one failure is one failure.
    expect(judge(rule('failures', { minSamples: 5 }), { value: 1, samples: 1 }).firing).toBe(true);
    expect(judge(rule('queueDepth', { above: 100 }), { value: 100, samples: 100 })).toMatchObject({ firing: false, message: 'queueDepth is 100, not above 100' });
  });

  it('are refused without exactly one threshold, with stageP95 but no stage, or with a name used twice', () => {
    const parse = (rules: unknown[]) => configSchema.safeParse({ alerts: { rules } }).success;
    expect(parse([{ name: 'a', metric: 'failures', above: 1 }])).toBe(true);
    expect(parse([{ name: 'a', metric: 'failures' }])).toBe(false);
    expect(parse([{ name: 'a', metric: 'failures', above: 1, below: 0 }])).toBe(false);
    expect(parse([{ name: 'a', metric: 'stageP95', above: 1 }])).toBe(false);
    expect(parse([{ name: 'a', metric: 'failures', above: 1, window: 'yesterday' }])).toBe(false);
    expect(parse([{ name: 'a', metric: 'failures', above: 1 }, { name: 'a', metric: 'failureRate', above: 0.1 }])).toBe(false);
  });
});
