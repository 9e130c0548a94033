import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AiCallsTable, Database } from './schema.js';
import { utcDayStart } from '../text/duration.js';

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

  async recordCall(call: Insertable<AiCallsTable>): Promise<void> {
    await this.db.insertInto('ai_calls').values(call).execute();
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

  /** Tokens used since 00:00 UTC of `now`'s day: what dailyTokenBudget limits. */
  async tokensUsedToday(provider: string, now = new Date()): Promise<number> {
    return this.tokensUsedSince(provider, utcDayStart(now));
  }

  async calls(since?: string): Promise<Selectable<AiCallsTable>[]> {
    let query = this.db.selectFrom('ai_calls').selectAll().orderBy('id');
    if (since) query = query.where('at', '>=', since);
    return query.execute();
  }
}
