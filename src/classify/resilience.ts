import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  BrokenCircuitError,
  TaskCancelledError,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { ProviderError } from './provider.js';

export interface ResilienceOptions {
  provider: string;
  maxAttempts: number;
  timeoutMs: number;
  maxConcurrency: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** First backoff delay; grows fourfold with jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider asking for a longer pause than this is given up on for this document. */
  maxRetryAfterMs: number;
}

/**
 * Exponential backoff with full jitter, but never shorter than the provider's retry-after:
 * asking again sooner only earns another 429.
 */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly attempt = 0,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 4 ** this.attempt);
    const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
    const failure = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = failure instanceof ProviderError ? failure.retryAfterMs : undefined;
    const duration = Math.max(jittered, retryAfter ?? 0);
    const following = new RetryAfterBackoff(this.baseDelayMs, this.maxDelayMs, this.attempt + 1);
    return { duration, next: (nextContext) => following.next(nextContext) };
  }
}

export interface ProviderPolicy {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T>, signal?: AbortSignal): Promise<T>;
  isOpen(): boolean;
}

/** cockatiel's timeout rejects with TaskCancelledError; for retries and the breaker it is a timeout. */
function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

/**
 * retry( rate limits, breaker( bulkhead( timeout(call) ) ) ): waiting for a retry or for the rate
 * limit holds no concurrency slot and does not eat into the call's timeout.
 */
export function providerPolicy(options: ResilienceOptions, hooks: { beforeAttempt?: (signal: AbortSignal) => Promise<void>; onRetry?: (info: { attempt: number; delay: number; error: unknown }) => void } = {}): ProviderPolicy {
  const { beforeAttempt, onRetry } = hooks;
  const retryable = handleWhen((error) => (error instanceof ProviderError && error.retryable && (error.retryAfterMs ?? 0) <= options.maxRetryAfterMs) || isTimeout(error));
  const retryPolicy = retry(retryable, { maxAttempts: options.maxAttempts - 1, backoff: new RetryAfterBackoff(options.baseDelayMs, options.maxDelayMs) });
  if (onRetry) retryPolicy.onRetry((event) => onRetry({ attempt: event.attempt, delay: event.delay, error: 'error' in event ? event.error : undefined }));
  const breaker = circuitBreaker(
    handleWhen((error) => (error instanceof ProviderError && error.unhealthy) || isTimeout(error)),
    { halfOpenAfter: options.breakerCooldownMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
  );
  const concurrency = bulkhead(options.maxConcurrency, Number.MAX_SAFE_INTEGER);
  const deadline = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
  // cockatiel moves an open breaker to half-open only when a call is attempted, so "open" as seen
  // from outside must end with the cooldown, or no call would ever probe the provider again.
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = performance.now();
  });
  const inner = wrap(breaker, concurrency, deadline);
  return {
    execute: (fn, signal) =>
      retryPolicy
        .execute(async (context) => {
          await beforeAttempt?.(context.signal);
          return inner.execute((innerContext) => fn({ signal: innerContext.signal }), context.signal);
        }, signal)
        .catch((error: unknown) => {
          // The policies' own errors, said as provider errors so callers handle one kind.
          if (signal?.aborted) throw error;
          if (error instanceof TaskCancelledError) throw new ProviderError(options.provider, 'timeout', `no answer within ${options.timeoutMs} ms`, { cause: error });
          if (error instanceof BrokenCircuitError) throw new ProviderError(options.provider, 'server', 'circuit open after repeated failures', { cause: error });
          throw error;
        }),
    isOpen: () => breaker.state === CircuitState.Open && performance.now() - openedAt < options.breakerCooldownMs,
  };
}
