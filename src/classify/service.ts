import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { apiKeyReferences, type AiConfig, type ProviderConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { classificationSchema, type Classification, type Classifier, type ClassifyInput } from './classifier.js';
import { parseAnswer, type ParsedAnswer } from './parse-answer.js';
import { cutToBudget, estimateTokens, redact } from './prepare-text.js';
import { answerSchema, PROMPT_VERSION, repairPrompt, SCHEMA_NAME, systemPrompt, userPrompt, type Taxonomy } from './prompts/classify-v1.js';
import { ProviderError, type ModelLifecycle, type ProviderClient, type ProviderFactory, type TokenUsage } from './provider.js';
import { TokenBucket } from './rate-limit.js';
import { providerPolicy, type ProviderPolicy } from './resilience.js';
import { FALLBACK_TYPE } from './taxonomy.js';
import { utcDayStart } from '../text/duration.js';
import { redactText } from '../observability/redact.js';

/**
 * The AI classification service: one Classifier in front of every configured provider. It picks
 * providers by strategy, guards each with its own retry/breaker/timeout/bulkhead and rate limits,
 * validates what comes back, caches answers, records every call, and always ends with the local
 * classifier, so a document is never left unclassified because providers failed.
 */

export interface ProviderCall {
  at: string;
  provider: string;
  model: string;
  keyId: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: 'ok' | 'invalid' | 'error';
  errorCode: string | null;
  correlationId: string | null;
}

/** Where answers are cached and calls recorded; the catalogue database implements it. */
export interface ClassificationRecords {
  cached(key: string): Promise<Classification | undefined>;
  remember(entry: { key: string; provider: string; model: string; promptVersion: string; result: Classification }): Promise<void>;
  recordCall(call: ProviderCall): Promise<void>;
  tokensUsedSince(provider: string, since: string): Promise<number>;
}

export interface ServiceOptions {
  ai: AiConfig;
  /** Mask personal data (built-in kinds and these patterns) before text leaves the machine. */
  redaction?: { enabled: boolean; patterns: readonly string[] };
  taxonomy: Taxonomy;
  local: Classifier;
  records: ClassificationRecords;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Folder that file: secret references are relative to. */
  baseDir?: string;
  /** Ask only this provider (then the local classifier). */
  onlyProvider?: string;
  /** Ask the providers even when an answer is cached. */
  force?: boolean;
  loadProvider?: (type: ProviderConfig['type']) => Promise<ProviderFactory>;
}

/** Each SDK is imported on first use, so a run that never calls a provider never loads it. */
async function loadProviderModule(type: ProviderConfig['type']): Promise<ProviderFactory> {
  switch (type) {
    case 'anthropic':
      return (await import('./providers/anthropic.js')).createClient;
    case 'openai':
      return (await import('./providers/openai.js')).createClient;
    case 'gemini':
      return (await import('./providers/gemini.js')).createClient;
  }
}

/** One API key of a provider; a provider may have several that take over from each other. */
interface ProviderKey {
  value: string;
  /** Reference and fingerprint, e.g. env:OPENAI_KEY_2#3fa2c1: what logs and records name. */
  id: string;
  reference: string;
  client?: Promise<ProviderClient>;
  /** Why this key is out for the rest of the run (refused, out of quota). */
  out?: string;
  /** A rate-limited key rests until then while another one is used. */
  restUntil: number;
}

/** An answer cut off by the output limit is asked for once more with this many times the budget. */
const TRUNCATED_BUDGET_GROWTH = 4;

class ProviderSlot {
  readonly name: string;
  readonly policy: ProviderPolicy;
  readonly requests: TokenBucket | undefined;
  readonly tokens: TokenBucket | undefined;
  /** Why this provider is out for the rest of the run (every key refused, an exhausted quota). */
  disabled: string | undefined;
  usedToday: { day: string; tokens: number } | undefined;
  /** What the provider last said about the model along with an answer (Gemini's modelStatus). */
  lastModelStatus: ModelLifecycle | undefined;
  factory: Promise<ProviderFactory> | undefined;
  private current = 0;

  constructor(
    readonly config: ProviderConfig,
    readonly keys: ProviderKey[],
    /** The references as configured, for messages: "env:A_KEY, cmd:pass show b". */
    readonly credential: string,
    ai: AiConfig,
    logger: Logger,
  ) {
    this.name = config.name;
    this.requests = config.rpm ? new TokenBucket(config.rpm) : undefined;
    this.tokens = config.tpm ? new TokenBucket(config.tpm) : undefined;
    this.policy = providerPolicy(
      {
        provider: config.name,
        maxAttempts: config.maxAttempts,
        timeoutMs: config.timeoutMs,
        maxConcurrency: config.maxConcurrency,
        breakerFailures: config.breaker.failures,
        breakerCooldownMs: config.breaker.cooldownMs,
        baseDelayMs: ai.retryBaseDelayMs,
        maxDelayMs: 30_000,
        maxRetryAfterMs: ai.maxRetryAfterMs,
      },
      {
        onRetry: ({ attempt, delay, error }) =>
          logger.warn({ provider: this.name, attempt, delayMs: Math.round(delay), code: (error as ProviderError | undefined)?.code }, 'provider call failed, retrying'),
      },
    );
  }

  get keyIds(): string {
    return this.keys.length > 0 ? this.keys.map((key) => key.id).join(', ') : 'missing';
  }

  /** The key in use: the current one unless it is out or resting and another is not. */
  pickKey(): ProviderKey | undefined {
    const now = Date.now();
    const usable = (key: ProviderKey) => key.out === undefined;
    for (let step = 0; step < this.keys.length; step += 1) {
      const index = (this.current + step) % this.keys.length;
      const key = this.keys[index] as ProviderKey;
      if (usable(key) && key.restUntil <= now) {
        this.current = index;
        return key;
      }
    }
    // Every usable key is resting: the one free soonest (the policy's backoff does the waiting).
    return this.keys.filter(usable).sort((a, b) => a.restUntil - b.restUntil)[0];
  }

  /** Whether another key could answer now, after `key` failed. */
  hasOtherKey(key: ProviderKey): boolean {
    const now = Date.now();
    return this.keys.some((other) => other !== key && other.out === undefined && other.restUntil <= now);
  }

  costUsd(inputTokens: number, outputTokens: number): number {
    return (inputTokens * this.config.price.inputPerMTok + outputTokens * this.config.price.outputPerMTok) / 1_000_000;
  }
}

export class AiClassificationService implements Classifier {
  readonly name = 'ai';
  private readonly slots: ProviderSlot[];
  private readonly inFlight = new Map<string, Promise<Classification>>();
  private readonly taxonomyKey: string;
  private turn = 0;

  constructor(private readonly options: ServiceOptions) {
    const env = options.env ?? process.env;
    this.slots = options.ai.providers
      .map((config) => {
        const { references, keyless } = apiKeyReferences(config);
        const keys: ProviderKey[] = [];
        for (const reference of references) {
          const secret = resolveSecret(reference, { env, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
          if (secret) keys.push({ value: secret.value, id: secret.id, reference, restUntil: 0 });
        }
        // A local server that wants no key may still be given one; the SDK needs a string either way.
        if (keys.length === 0 && keyless) keys.push({ value: 'unused', id: 'none', reference: 'none', restUntil: 0 });
        return new ProviderSlot(config, keys, references.join(', '), options.ai, options.logger);
      })
      .sort((a, b) => a.config.priority - b.config.priority);
    // Settings only: the tags and correspondents the catalogue already holds grow with every
    // document, and keying on them would make every re-run a cache miss.
    this.taxonomyKey = sha256(JSON.stringify([options.taxonomy.types, options.ai.allowNewTags, options.ai.maxInputTokens, options.ai.maxOutputTokens, options.redaction?.enabled ? options.redaction.patterns : false]));
  }

  /** Providers with what keeps each from being asked right now, if anything. */
  async providerStates(): Promise<{ name: string; type: string; model: string; keyId: string; unavailable: string | undefined }[]> {
    return Promise.all(this.slots.map(async (slot) => ({ name: slot.name, type: slot.config.type, model: slot.config.model, keyId: slot.keyIds, unavailable: await this.unavailable(slot, 0) })));
  }

  /**
   * One real, minimal classification request to a provider, past the cache and the budget check:
   * for `doccat health --deep`. Throws what the provider answered if it did not answer usably.
   */
  async probe(name: string): Promise<{ type: string; model: ModelLifecycle | undefined }> {
    const slot = this.slots.find((candidate) => candidate.name === name);
    if (!slot) throw new ProviderError(name, 'bad-request', 'no such provider');
    if (slot.keys.length === 0) throw new ProviderError(name, 'auth', `no API key: set ${slot.credential}`);
    const input: ClassifyInput = { text: 'Invoice 42. Total due: 10.00 EUR.', mime: 'text/plain', fileName: 'health-check.txt', metadata: {}, correlationId: 'health' };
    const prompt = userPrompt(this.options.taxonomy, { text: input.text, fileName: input.fileName, mime: input.mime, truncated: false }, this.options.ai.allowNewTags);
    const answer = await this.answer(slot, systemPrompt(), prompt, estimateTokens(prompt) + this.options.ai.maxOutputTokens, input);
    const parsed = parseAnswer(answer, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
    if (!parsed.ok) throw new ProviderError(name, 'bad-output', `answered, but not usably: ${parsed.problems}`);
    // What the provider says about the model: its model lookup, or what came with the answer. The
    // model answered, so a lookup that fails (a proxy without a models endpoint) is only noted.
    const key = slot.pickKey();
    const client = key ? await this.clientFor(slot, key) : undefined;
    let model: ModelLifecycle | undefined;
    try {
      model = await client?.describeModel?.(AbortSignal.timeout(slot.config.timeoutMs));
    } catch (error) {
      model = { state: 'unknown', detail: `no answer about the model (${redactText(error instanceof Error ? error.message : String(error))})` };
    }
    return { type: parsed.answer.type, model: model ?? slot.lastModelStatus };
  }

  async classify(input: ClassifyInput): Promise<Classification> {
    const { ai } = this.options;
    const cut = cutToBudget(input.text, ai.maxInputTokens);
    const redaction = this.options.redaction;
    const text = redaction?.enabled ? redact(cut.text, redaction.patterns).text : cut.text;
    const system = systemPrompt();
    const prompt = userPrompt(this.options.taxonomy, { text, fileName: input.fileName, mime: input.mime, truncated: cut.truncated }, ai.allowNewTags);
    const estimate = estimateTokens(system) + estimateTokens(prompt) + ai.maxOutputTokens;
    const documentKey = sha256(`${PROMPT_VERSION}\n${this.taxonomyKey}\n${input.mime}\n${text}`);
    const skipped: string[] = [];
    // The local rules run only when needed: to fill what a provider left out, or as the fallback;
    // an answer from the cache already holds their facts.
    let local: Promise<Classification> | undefined;
    const localResult = () => (local ??= this.options.local.classify(input));

    for (const slot of this.order(estimate)) {
      if (this.options.onlyProvider && slot.name !== this.options.onlyProvider) continue;
      const reason = await this.unavailable(slot, estimate);
      if (reason) {
        skipped.push(`${slot.name}: ${reason}`);
        continue;
      }
      const key = `${documentKey}:${slot.name}:${slot.config.model}`;
      if (!this.options.force) {
        const cached = await this.options.records.cached(key);
        if (cached) return classificationSchema.parse({ ...cached, rule: `${cached.rule} (cached)${notes(skipped)}` });
      }
      try {
        let pending = this.inFlight.get(key);
        if (!pending) {
          pending = this.ask(slot, system, prompt, estimate, input, await localResult()).then(async (result) => {
            await this.options.records.remember({ key, provider: slot.name, model: slot.config.model, promptVersion: PROMPT_VERSION, result });
            return result;
          });
          this.inFlight.set(key, pending);
          const settled = () => this.inFlight.delete(key);
          pending.then(settled, settled);
        }
        const result = await pending;
        return classificationSchema.parse({ ...result, rule: `${result.rule}${notes(skipped)}` });
      } catch (error) {
        if (input.signal?.aborted) throw error;
        const hint = error instanceof ProviderError && error.hint ? ` (${error.hint})` : '';
        // Provider messages can quote the key, partly masked or not: redactText masks every resolved
        // key by value and the rest by shape.
        const message = redactText(`${error instanceof Error ? error.message : String(error)}${hint}`);
        skipped.push(message.startsWith(`${slot.name}: `) ? message : `${slot.name}: ${message}`);
        this.options.logger.warn({ provider: slot.name, code: (error as ProviderError).code ?? 'E_INTERNAL', correlationId: input.correlationId, err: message }, 'provider gave no usable answer');
        if (error instanceof ProviderError && (error.kind === 'auth' || error.kind === 'quota')) slot.disabled = message;
      }
    }
    const fallback = await localResult();
    return classificationSchema.parse({ ...fallback, rule: `${fallback.rule}${skipped.length > 0 ? `; AI skipped: ${skipped.join('; ')}` : ''}` });
  }

  /** The order to try providers in for one document, by strategy; the local classifier is last. */
  private order(estimate: number): ProviderSlot[] {
    const slots = [...this.slots];
    if (slots.length < 2) return slots;
    switch (this.options.ai.strategy) {
      case 'fallback':
        return slots;
      case 'round-robin': {
        const start = this.turn++ % slots.length;
        return [...slots.slice(start), ...slots.slice(0, start)];
      }
      case 'weighted': {
        const total = slots.reduce((sum, slot) => sum + slot.config.weight, 0);
        let pick = Math.random() * total;
        const first = slots.find((slot) => (pick -= slot.config.weight) < 0) ?? (slots[0] as ProviderSlot);
        return [first, ...slots.filter((slot) => slot !== first)];
      }
      case 'cheapest': {
        const output = this.options.ai.maxOutputTokens;
        return slots.sort((a, b) => a.costUsd(estimate - output, output) - b.costUsd(estimate - output, output) || a.config.priority - b.config.priority);
      }
    }
  }

  private async unavailable(slot: ProviderSlot, estimate: number): Promise<string | undefined> {
    if (slot.disabled) return slot.disabled;
    if (slot.keys.length === 0) return `no API key: set ${slot.credential.replace(/^env:/, 'the environment variable ').replace(/^file:/, 'the file ')}`;
    if (slot.policy.isOpen()) return `circuit open after ${slot.config.breaker.failures} failures in a row; tried again ${slot.config.breaker.cooldownMs / 1000} s after it opened`;
    const budget = slot.config.dailyTokenBudget;
    if (budget !== undefined) {
      const used = await this.usedToday(slot);
      if (used + estimate > budget) return `daily token budget spent (${used} of ${budget} tokens used today, UTC)`;
    }
    return undefined;
  }

  private async usedToday(slot: ProviderSlot): Promise<number> {
    const day = utcDayStart(new Date());
    if (slot.usedToday?.day !== day) slot.usedToday = { day, tokens: await this.options.records.tokensUsedSince(slot.name, day) };
    return slot.usedToday.tokens;
  }

  /** One provider's answer: a call, and one repair call if the answer does not validate. */
  private async ask(slot: ProviderSlot, system: string, prompt: string, estimate: number, input: ClassifyInput, local: Classification): Promise<Classification> {
    const first = await this.answer(slot, system, prompt, estimate, input);
    let parsed = parseAnswer(first, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
    if (!parsed.ok) {
      const repair = `${prompt}\n\n${repairPrompt(first, parsed.problems)}`;
      const second = await this.answer(slot, system, repair, estimate + estimateTokens(first), input);
      const problems = parsed.problems;
      parsed = parseAnswer(second, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
      if (!parsed.ok) throw new ProviderError(slot.name, 'bad-output', `answer invalid twice (${problems}; then ${parsed.problems})`);
    }
    return this.toClassification(slot, parsed.answer, local);
  }

  /**
   * One answer: a call, and once more with a larger output budget when the answer was cut off
   * (thoughts or reasoning took the tokens, or the answer ran over); cut off again, it is the
   * provider's failure and the next classifier answers.
   */
  private async answer(slot: ProviderSlot, system: string, prompt: string, estimate: number, input: ClassifyInput): Promise<string> {
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

  private clientFor(slot: ProviderSlot, key: ProviderKey): Promise<ProviderClient> {
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

  private toClassification(slot: ProviderSlot, answer: ParsedAnswer, local: Classification): Classification {
    // The provider decides; facts it left out come from the local rules (an IBAN, a date).
    return classificationSchema.parse({
      type: answer.type,
      title: answer.title,
      tags: answer.tags,
      date: answer.date ?? local.date,
      correspondent: answer.correspondent ?? local.correspondent,
      language: answer.language ?? local.language,
      confidence: answer.confidence,
      rule: `${slot.config.type}:${slot.config.model} (${PROMPT_VERSION})${answer.adjustments.length > 0 ? `; ${answer.adjustments.join('; ')}` : ''}`,
      classifier: slot.name,
      fields: { ...local.fields, ...answer.fields },
    });
  }

}

function notes(skipped: readonly string[]): string {
  return skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
