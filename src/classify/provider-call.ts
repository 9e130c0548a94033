import type { Logger } from 'pino';
import type { AiConfig, ProviderConfig } from '../config/schema.js';
import type { ClassificationRecords, ProviderCall } from './call-records.js';
import type { ClassifyInput } from './classifier.js';
import { parseAnswer } from './parse-answer.js';
import { answerSchema, SCHEMA_NAME, type Taxonomy } from './prompts/classify-v1.js';
import { ProviderError, type ModelLifecycle, type ProviderClient, type ProviderFactory, type TokenUsage } from './provider.js';
import { loadProviderModule, type ProviderKey, type ProviderSlot } from './provider-slot.js';
import { FALLBACK_TYPE } from './taxonomy.js';

/** An answer cut off by the output limit is asked for once more with this many times the budget. */
const TRUNCATED_BUDGET_GROWTH = 4;

export interface ProviderCallerOptions {
  ai: AiConfig;
  taxonomy: Taxonomy;
  records: ClassificationRecords;
  logger: Logger;
  loadProvider?: (type: ProviderConfig['type']) => Promise<ProviderFactory>;
}

/**
 * One provider's raw answer to one prompt, through its resilience policy (retry, breaker,
 * timeout, bulkhead) and rate limits, handing over between its keys; every call is recorded.
 */
export class ProviderCaller {
  constructor(private readonly options: ProviderCallerOptions) {}

  /**
   * One answer: a call, and once more with a larger output budget when the answer was cut off
   * (thoughts or reasoning took the tokens, or the answer ran over); cut off again, it is the
   * provider's failure and the next classifier answers.
   */
  async answer(slot: ProviderSlot, system: string, prompt: string, estimate: number, input: ClassifyInput): Promise<string> {
    const budget = this.options.ai.maxOutputTokens;
    try {
      return await this.call(slot, system, prompt, estimate, input, budget);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== 'truncated' || input.signal?.aborted) throw error;
      this.options.logger.warn({ provider: slot.name, code: error.code, correlationId: input.correlationId, err: error.message }, 'answer cut off by the output limit; asking once more with a larger budget');
      return this.call(slot, system, prompt, estimate + budget * (TRUNCATED_BUDGET_GROWTH - 1), input, budget * TRUNCATED_BUDGET_GROWTH);
    }
  }

  private async call(slot: ProviderSlot, system: string, prompt: string, estimate: number, input: ClassifyInput, maxOutputTokens = this.options.ai.maxOutputTokens): Promise<string> {
    // The SDK is imported before the clock starts: a slow first import is not the provider's timeout.
    await this.factoryFor(slot);
    return slot.policy.execute(async ({ signal }) => {
      await slot.requests?.take(1, signal);
      await slot.tokens?.take(estimate, signal);
      // With several keys, a refused, exhausted or rate-limited one hands over to the next at
      // once; the policy's retries and backoff apply when no other key can answer.
      for (;;) {
        const key = slot.pickKey();
        if (!key) throw new ProviderError(slot.name, 'auth', `every key was refused or is out of quota (${slot.credential})`);
        try {
          return await this.callWithKey(slot, key, { system, prompt, estimate, maxOutputTokens }, input, signal);
        } catch (error) {
          if (!(error instanceof ProviderError) || input.signal?.aborted) throw error;
          if (error.kind === 'auth' || error.kind === 'quota') key.out = error.message;
          else if (error.kind === 'rate-limited') key.restUntil = Date.now() + (error.retryAfterMs ?? this.options.ai.retryBaseDelayMs);
          else throw error;
          if (!slot.hasOtherKey(key)) throw error;
          this.options.logger.warn({ provider: slot.name, keyId: key.id, code: error.code, correlationId: input.correlationId }, 'key not usable now; the next key takes over');
        }
      }
    }, input.signal);
  }

  private factoryFor(slot: ProviderSlot): Promise<ProviderFactory> {
    slot.factory ??= (this.options.loadProvider ?? loadProviderModule)(slot.config.type);
    return slot.factory;
  }

  clientFor(slot: ProviderSlot, key: ProviderKey): Promise<ProviderClient> {
    key.client ??= this.factoryFor(slot).then((factory) =>
      factory({ name: slot.name, model: slot.config.model, apiKey: key.value, baseURL: slot.config.baseURL, timeoutMs: slot.config.timeoutMs, credential: key.reference }),
    );
    return key.client;
  }

  private async callWithKey(slot: ProviderSlot, key: ProviderKey, request: { system: string; prompt: string; estimate: number; maxOutputTokens: number }, input: ClassifyInput, signal: AbortSignal): Promise<string> {
    const client = await this.clientFor(slot, key);
    const started = performance.now();
    const record = (call: Pick<ProviderCall, 'inputTokens' | 'outputTokens' | 'outcome' | 'errorCode'>) =>
      this.options.records.recordCall({
        at: new Date().toISOString(),
        provider: slot.name,
        model: slot.config.model,
        keyId: key.id,
        latencyMs: Math.round(performance.now() - started),
        costUsd: slot.costUsd(call.inputTokens, call.outputTokens),
        correlationId: input.correlationId ?? null,
        ...call,
      });
    // Tokens billed count towards today's use and the rate limit, whether the answer was usable or not.
    const spent = (usage: TokenUsage) => {
      const used = usage.inputTokens + usage.outputTokens;
      if (slot.usedToday) slot.usedToday.tokens += used;
      slot.tokens?.refund(Math.max(0, request.estimate - used));
    };
    try {
      const reply = await client.complete({ system: request.system, prompt: request.prompt, schema: answerSchema(this.options.taxonomy), schemaName: SCHEMA_NAME, maxOutputTokens: request.maxOutputTokens, signal });
      spent(reply);
      if (reply.model) this.noteModelStatus(slot, reply.model);
      const valid = parseAnswer(reply.text, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags).ok;
      await record({ inputTokens: reply.inputTokens, outputTokens: reply.outputTokens, outcome: valid ? 'ok' : 'invalid', errorCode: valid ? null : 'E_PROVIDER_BAD_OUTPUT' });
      return reply.text;
    } catch (error) {
      const code = error instanceof ProviderError ? error.code : signal.aborted && !input.signal?.aborted ? 'E_PROVIDER_TIMEOUT' : 'E_PROVIDER_CONNECTION';
      const usage = error instanceof ProviderError ? error.usage : undefined;
      if (usage) spent(usage);
      await record({ inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0, outcome: 'error', errorCode: code });
      if (error instanceof ProviderError || signal.aborted) throw error;
      // Anything else from an SDK (a malformed body it could not read) is the provider's fault.
      throw new ProviderError(slot.name, 'server', `unreadable answer: ${(error as Error).message}`, { cause: error });
    }
  }

  /** A provider that says its model is deprecated is worth one warning per run, not one per call. */
  private noteModelStatus(slot: ProviderSlot, model: ModelLifecycle): void {
    const first = slot.lastModelStatus === undefined;
    slot.lastModelStatus = model;
    if (first && (model.state === 'deprecated' || model.state === 'retired')) {
      this.options.logger.warn({ provider: slot.name, model: slot.config.model, status: model.detail }, `the provider says model ${slot.config.model} is ${model.state}${model.retiresAt ? ` (retires ${model.retiresAt})` : ''}`);
    }
  }
}
