import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AiConfig, ProviderConfig } from '../config/schema.js';
import type { ClassificationRecords } from './call-records.js';
import { classificationSchema, type Classification, type Classifier, type ClassifyInput } from './classifier.js';
import { parseAnswer, type ParsedAnswer } from './parse-answer.js';
import { cutToBudget, estimateTokens, redact } from './prepare-text.js';
import { PROMPT_VERSION, repairPrompt, systemPrompt, userPrompt, type Taxonomy } from './prompts/classify-v1.js';
import { ProviderError, type ModelLifecycle, type ProviderFactory } from './provider.js';
import { ProviderCaller } from './provider-call.js';
import { ProviderSelection } from './provider-selection.js';
import { openProviderSlots, type ProviderSlot } from './provider-slot.js';
import { FALLBACK_TYPE } from './taxonomy.js';
import { redactText } from '../observability/redact.js';
import type { ProviderKeys } from '../config/provider-keys.js';

export type { ClassificationRecords, ProviderCall } from './call-records.js';

/**
 * The AI classification service: one Classifier in front of every configured provider. It picks
 * providers by strategy, guards each with its own retry/breaker/timeout/bulkhead and rate limits,
 * validates what comes back, caches answers, records every call, and always ends with the local
 * classifier, so a document is never left unclassified because providers failed.
 *
 * Here: the cache, answers shared between documents in flight, validation and the fallback. A
 * provider with its keys and limits is a ProviderSlot (provider-slot.ts); which providers are
 * asked in what order is provider-selection.ts; one call through the policy is provider-call.ts.
 */

export interface ServiceOptions {
  ai: AiConfig;
  /** Mask personal data (built-in kinds and these patterns) before text leaves the machine. */
  redaction?: { enabled: boolean; patterns: readonly string[] };
  taxonomy: Taxonomy;
  local: Classifier;
  records: ClassificationRecords;
  logger: Logger;
  /** Each provider's API keys by provider name, resolved by config/ (resolveAllProviderKeys). */
  providerKeys: ReadonlyMap<string, ProviderKeys>;
  /** Ask only this provider (then the local classifier). */
  onlyProvider?: string;
  /** Ask the providers even when an answer is cached. */
  force?: boolean;
  loadProvider?: (type: ProviderConfig['type']) => Promise<ProviderFactory>;
}

export class AiClassificationService implements Classifier {
  readonly name = 'ai';
  private readonly slots: ProviderSlot[];
  private readonly selection: ProviderSelection;
  private readonly caller: ProviderCaller;
  private readonly inFlight = new Map<string, Promise<Classification>>();
  private readonly taxonomyKey: string;

  constructor(private readonly options: ServiceOptions) {
    this.slots = openProviderSlots(options);
    this.selection = new ProviderSelection(this.slots, options.ai, options.records);
    this.caller = new ProviderCaller(options);
    // Settings only: the tags and correspondents the catalogue already holds grow with every
    // document, and keying on them would make every re-run a cache miss.
    this.taxonomyKey = sha256(JSON.stringify([options.taxonomy.types, options.ai.allowNewTags, options.ai.maxInputTokens, options.ai.maxOutputTokens, options.redaction?.enabled ? options.redaction.patterns : false]));
  }

  /** Providers with what keeps each from being asked right now, if anything. */
  async providerStates(): Promise<{ name: string; type: string; model: string; keyId: string; unavailable: string | undefined }[]> {
    return Promise.all(this.slots.map(async (slot) => ({ name: slot.name, type: slot.config.type, model: slot.config.model, keyId: slot.keyIds, unavailable: await this.selection.unavailable(slot, 0) })));
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
    const answer = await this.caller.answer(slot, systemPrompt(), prompt, estimateTokens(prompt) + this.options.ai.maxOutputTokens, input);
    const parsed = parseAnswer(answer, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
    if (!parsed.ok) throw new ProviderError(name, 'bad-output', `answered, but not usably: ${parsed.problems}`);
    // What the provider says about the model: its model lookup, or what came with the answer. The
    // model answered, so a lookup that fails (a proxy without a models endpoint) is only noted.
    const key = slot.pickKey();
    const client = key ? await this.caller.clientFor(slot, key) : undefined;
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

    for (const slot of this.selection.order(estimate)) {
      if (this.options.onlyProvider && slot.name !== this.options.onlyProvider) continue;
      const reason = await this.selection.unavailable(slot, estimate);
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

  /** One provider's answer: a call, and one repair call if the answer does not validate. */
  private async ask(slot: ProviderSlot, system: string, prompt: string, estimate: number, input: ClassifyInput, local: Classification): Promise<Classification> {
    const first = await this.caller.answer(slot, system, prompt, estimate, input);
    let parsed = parseAnswer(first, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
    if (!parsed.ok) {
      const repair = `${prompt}\n\n${repairPrompt(first, parsed.problems)}`;
      const second = await this.caller.answer(slot, system, repair, estimate + estimateTokens(first), input);
      const problems = parsed.problems;
      parsed = parseAnswer(second, this.options.taxonomy, FALLBACK_TYPE, this.options.ai.allowNewTags);
      if (!parsed.ok) throw new ProviderError(slot.name, 'bad-output', `answer invalid twice (${problems}; then ${parsed.problems})`);
    }
    return this.toClassification(slot, parsed.answer, local);
  }

  private toClassification(slot: ProviderSlot, answer: ParsedAnswer, local: Classification): Classification {
    // The provider decides; facts it left out come from the local rules (an IBAN, a date).
    const { adjustments, ...decided } = answer;
    return classificationSchema.parse({
      ...decided,
      date: decided.date ?? local.date,
      correspondent: decided.correspondent ?? local.correspondent,
      language: decided.language ?? local.language,
      rule: `${slot.config.type}:${slot.config.model} (${PROMPT_VERSION})${adjustments.length > 0 ? `; ${adjustments.join('; ')}` : ''}`,
      classifier: slot.name,
      fields: { ...local.fields, ...decided.fields },
    } satisfies Classification);
  }
}

function notes(skipped: readonly string[]): string {
  return skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
