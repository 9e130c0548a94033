import type { Kysely } from 'kysely';
import { AiRecordRepository } from './ai-records.js';
import { dialectFor } from './dialect.js';
import type { Database } from './schema.js';
import { percentiles } from './stats.js';

/**
 * The values alert rules compare, read from the catalogue: ingest events, provider call records,
 * documents, hook deliveries and the job queue. Every process reading the same catalogue sees the
 * same values, so `stats --check`, a worker and a watch agree on whether a rule fires.
 */

export type MetricName = 'failures' | 'failureRate' | 'providerErrorRate' | 'providerBreakerOpen' | 'tokenBudgetUsed' | 'ocrConfidence' | 'queueDepth' | 'oldestJobAge' | 'stageP95' | 'hookFailures';

export interface MetricQuery {
  metric: MetricName;
  /** ISO time the window starts at. */
  since: string;
  provider?: string | undefined;
  stage?: string | undefined;
}

export interface MetricContext {
  now: Date;
  /** Providers' dailyTokenBudget, by name. */
  budgets: Record<string, number>;
  /** Providers' breaker.failures, by name: that many unhealthy failures in a row open the breaker. */
  breakerFailures: Record<string, number>;
}

/** `value` null: nothing to measure in the window. `samples`: files, calls or documents measured. */
export interface MetricValue {
  value: number | null;
  samples: number;
}

/** The error codes that count towards a provider's breaker (classify/provider.ts: UNHEALTHY). */
const BREAKER_CODES = ['E_PROVIDER_OVERLOADED', 'E_PROVIDER_SERVER', 'E_PROVIDER_TIMEOUT', 'E_PROVIDER_CONNECTION'];

export async function measure(db: Kysely<Database>, query: MetricQuery, context: MetricContext): Promise<MetricValue> {
  const { since } = query;
  switch (query.metric) {
    case 'failures': {
      const row = await db.selectFrom('ingest_events').select((eb) => eb.fn.countAll<number>().as('n')).where('at', '>=', since).where('status', '=', 'failed').executeTakeFirstOrThrow();
      const failed = Number(row.n);
      return { value: failed, samples: failed };
    }
    case 'failureRate': {
      const rows = await db.selectFrom('ingest_events').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('at', '>=', since).groupBy('status').execute();
      const total = rows.reduce((sum, row) => sum + Number(row.n), 0);
      const failed = Number(rows.find((row) => row.status === 'failed')?.n ?? 0);
      return { value: total > 0 ? failed / total : null, samples: total };
    }
    case 'providerErrorRate': {
      let calls = db.selectFrom('ai_calls').where('at', '>=', since);
      if (query.provider) calls = calls.where('provider', '=', query.provider);
      const rows = await calls.select(['outcome', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('outcome').execute();
      const total = rows.reduce((sum, row) => sum + Number(row.n), 0);
      const errors = Number(rows.find((row) => row.outcome === 'error')?.n ?? 0);
      return { value: total > 0 ? errors / total : null, samples: total };
    }
    case 'providerBreakerOpen': {
      // The breaker lives in each process; from the catalogue it is open when a provider's last
      // breaker.failures calls in the window all failed in the way that counts towards it.
      const providers = query.provider ? [query.provider] : Object.keys(context.breakerFailures);
      let open = 0;
      let samples = 0;
      for (const provider of providers) {
        const needed = context.breakerFailures[provider] ?? 5;
        const last = await db.selectFrom('ai_calls').select(['outcome', 'error_code']).where('provider', '=', provider).where('at', '>=', since).orderBy('id', 'desc').limit(needed).execute();
        samples += last.length;
        if (last.length === needed && last.every((call) => call.outcome === 'error' && BREAKER_CODES.includes(call.error_code ?? ''))) open = 1;
      }
      return { value: open, samples };
    }
    case 'tokenBudgetUsed': {
      const records = new AiRecordRepository(db);
      const providers = Object.keys(context.budgets).filter((provider) => !query.provider || provider === query.provider);
      let highest: number | null = null;
      for (const provider of providers) {
        const used = (await records.tokensUsedToday(provider, context.now)) / (context.budgets[provider] as number);
        highest = highest === null ? used : Math.max(highest, used);
      }
      return { value: highest, samples: providers.length };
    }
    case 'ocrConfidence': {
      const row = await db
        .selectFrom('documents')
        .select((eb) => [eb.fn.avg<number>('ocr_confidence').as('mean'), eb.fn.count<number>('ocr_confidence').as('n')])
        .where('added_at', '>=', since)
        .where('ocr_confidence', 'is not', null)
        .executeTakeFirstOrThrow();
      const samples = Number(row.n);
      return { value: samples > 0 ? Number(row.mean) : null, samples };
    }
    case 'queueDepth':
    case 'oldestJobAge': {
      const waiting = await queueBacklog(db);
      if (query.metric === 'queueDepth') return { value: waiting.depth, samples: waiting.depth };
      const age = waiting.oldest === null ? 0 : Math.max(0, (context.now.getTime() - waiting.oldest) / 1000);
      return { value: Math.round(age), samples: waiting.depth };
    }
    case 'stageP95': {
      const column = query.stage === 'total' || query.stage === undefined ? 'total_ms' : (`${query.stage}_ms` as 'sniff_ms');
      const rows = await db.selectFrom('ingest_events').select(column).where('at', '>=', since).where(column, 'is not', null).execute();
      const { count, p95Ms } = percentiles(rows.map((row) => Number(row[column])));
      return { value: p95Ms, samples: count };
    }
    case 'hookFailures': {
      const row = await db.selectFrom('hook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('at', '>=', since).where('status', '=', 'failed').executeTakeFirstOrThrow();
      const failed = Number(row.n);
      return { value: failed, samples: failed };
    }
  }
}

/** Jobs waiting (new or for a retry) and when the oldest of them was queued (ms since the epoch). */
async function queueBacklog(db: Kysely<Database>): Promise<{ depth: number; oldest: number | null }> {
  return dialectFor(db).queueBacklog(db);
}
