import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A provider call as stored: what, how long, how many tokens, what it cost, how it ended. */
export interface AiCallRow {
  at: string;
  provider: string;
  model: string;
  keyId: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: string;
  errorCode: string | null;
  correlationId: string | null;
}

/** The AI service's cache of answers and its record of calls, in the catalogue database. */
export class AiRecordRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The cached answer as stored (JSON); the caller validates it. */
  async cachedResult(key: string): Promise<unknown> {
    const row = await this.db.selectFrom('ai_cache').select('result').where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    try {
      return JSON.parse(row.result) as unknown;
    } catch {
      return undefined;
    }
  }

  async remember(entry: { key: string; provider: string; model: string; promptVersion: string; result: unknown }): Promise<void> {
    await this.db
      .insertInto('ai_cache')
      .values({ key: entry.key, provider: entry.provider, model: entry.model, prompt_version: entry.promptVersion, result: JSON.stringify(entry.result), created_at: new Date().toISOString() })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ result: JSON.stringify(entry.result), created_at: new Date().toISOString() }))
      .execute();
  }

  async recordCall(call: AiCallRow): Promise<void> {
    await this.db
      .insertInto('ai_calls')
      .values({
        at: call.at,
        provider: call.provider,
        model: call.model,
        key_id: call.keyId,
        latency_ms: call.latencyMs,
        input_tokens: call.inputTokens,
        output_tokens: call.outputTokens,
        cost_usd: call.costUsd,
        outcome: call.outcome,
        error_code: call.errorCode,
        correlation_id: call.correlationId,
      })
      .execute();
  }

  async tokensUsedSince(provider: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom('ai_calls')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>(eb('input_tokens', '+', eb.ref('output_tokens'))), eb.val(0)).as('tokens'))
      .where('provider', '=', provider)
      .where('at', '>=', since)
      .executeTakeFirst();
    return Number(row?.tokens ?? 0);
  }

  async calls(since?: string): Promise<AiCallRow[]> {
    let query = this.db.selectFrom('ai_calls').selectAll().orderBy('id');
    if (since) query = query.where('at', '>=', since);
    return (await query.execute()).map((row) => ({
      at: row.at,
      provider: row.provider,
      model: row.model,
      keyId: row.key_id,
      latencyMs: row.latency_ms,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      costUsd: row.cost_usd,
      outcome: row.outcome,
      errorCode: row.error_code,
      correlationId: row.correlation_id,
    }));
  }
}
