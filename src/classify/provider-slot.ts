import type { Logger } from 'pino';
import type { ProviderKeys } from '../config/provider-keys.js';
import type { AiConfig, ProviderConfig } from '../config/schema.js';
import { providerType } from './provider-types.js';
import type { ModelLifecycle, ProviderClient, ProviderError, ProviderFactory } from './provider.js';
import { TokenBucket } from './rate-limit.js';
import { providerPolicy, type ProviderPolicy } from './resilience.js';

/** Each SDK is imported on first use, so a run that never calls a provider never loads it. */
export function loadProviderModule(type: ProviderConfig['type']): Promise<ProviderFactory> {
  return providerType(type).load();
}

/** One API key of a provider; a provider may have several that take over from each other. */
export interface ProviderKey {
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

export class ProviderSlot {
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

/**
 * A slot per configured provider, with the keys config/ resolved for it (a provider left with
 * none says so when asked), in order of priority.
 */
export function openProviderSlots(options: { ai: AiConfig; logger: Logger; providerKeys: ReadonlyMap<string, ProviderKeys> }): ProviderSlot[] {
  return options.ai.providers
    .map((config) => {
      const resolved = options.providerKeys.get(config.name) ?? { keys: [], credential: 'missing' };
      const keys: ProviderKey[] = resolved.keys.map((key) => ({ ...key, restUntil: 0 }));
      return new ProviderSlot(config, keys, resolved.credential, options.ai, options.logger);
    })
    .sort((a, b) => a.config.priority - b.config.priority);
}
