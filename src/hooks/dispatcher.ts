import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, wrap, type IBackoffFactory, type IPolicy, type IRetryBackoffContext } from 'cockatiel';
import type { Logger } from 'pino';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import type { Tracer } from '../observability/tracing.js';
import { runCommandHook } from './command-hook.js';
import type { HookEvent, HookEventName, HookList } from './events.js';
import { HookError } from './hook-error.js';
import type { HookTarget, HookTargets } from './targets.js';
import { sendWebhook } from './webhook.js';

/**
 * Delivers hook events in the background: `emit` only queues, so a document, a run or an alert
 * never waits for a hook. Each (event, hook) pair is tried up to maxAttempts times with backoff
 * through cockatiel; a hook failing five attempts in a row is given a rest (its circuit opens for
 * 30 s, and events meanwhile fail at once), so that a receiver that is down costs a long run
 * little. Every outcome, delivered or not, is recorded once.
 */

export interface HookSettings {
  maxAttempts: number;
  retryDelayMs: number;
  concurrency: number;
  drainTimeoutMs: number;
}

export interface DeliveryRecord {
  at: string;
  hook: string;
  kind: HookTarget['kind'];
  event: HookEventName;
  documentId: number | null;
  correlationId: string | null;
  status: 'delivered' | 'failed';
  attempts: number;
  durationMs: number;
  error: ErrorInfo | null;
  /** The event JSON, when it was not delivered. */
  payload: string | null;
}

export interface HookDispatcherOptions {
  targets: HookTargets;
  settings: HookSettings;
  record(delivery: DeliveryRecord): Promise<void>;
  logger: Logger;
  tracer: Tracer;
  userAgent: string;
  /** The environment commands get, before DOCCAT_EVENT and the others are added. */
  env?: NodeJS.ProcessEnv;
}

export interface EmitOptions {
  documentId?: number | null;
  correlationId?: string | null;
  /** The trace context the hook spans go under (the file's, the run's). */
  traceParent?: string | undefined;
}

interface Delivery {
  target: HookTarget;
  name: HookEventName;
  event: () => Promise<HookEvent | undefined>;
  options: EmitOptions;
}

/** Deliveries waiting beyond this are not queued but recorded as lost: memory stays bounded. */
const MAX_QUEUED = 10_000;
const BREAKER_FAILURES = 5;
const BREAKER_REST_MS = 30_000;
/** A receiver's Retry-After is honoured up to this; a longer one is waited for this long. */
const MAX_RETRY_AFTER_MS = 60_000;

type RetryContext = IRetryBackoffContext<unknown>;

/** The backoff, but never shorter than the receiver's Retry-After: asking sooner only earns another 429. */
function honouringRetryAfter(backoff: IBackoffFactory<RetryContext>): IBackoffFactory<RetryContext> {
  return {
    next(context) {
      const step = backoff.next(context);
      const failure = 'error' in context.result ? context.result.error : undefined;
      const asked = failure instanceof HookError && failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
      return { duration: Math.max(step.duration, asked), next: (following) => honouringRetryAfter(step).next(following) };
    },
  };
}

export class HookDispatcher {
  private readonly queue: Delivery[] = [];
  private active = 0;
  private readonly stopping = new AbortController();
  private readonly idle = new Set<() => void>();
  private readonly policies = new Map<HookTarget, IPolicy>();
  private readonly records = new Set<Promise<void>>();
  private stoppedPromise: Promise<never> | undefined;

  constructor(private readonly options: HookDispatcherOptions) {}

  /** Whether any hook is configured for this list. */
  has(list: HookList): boolean {
    return this.options.targets[list].length > 0;
  }

  /**
   * Queues an event for every hook of the list. `build` runs once, in the background, and only
   * when the list has hooks (it may read the catalogue); undefined: nothing to send.
   */
  emit(list: HookList, name: HookEventName, build: () => HookEvent | undefined | Promise<HookEvent | undefined>, options: EmitOptions = {}): void {
    const targets = this.options.targets[list];
    if (targets.length === 0) return;
    let built: Promise<HookEvent | undefined> | undefined;
    const event = () => (built ??= Promise.resolve().then(build));
    for (const target of targets) {
      if (this.stopping.signal.aborted) {
        this.settle({ target, name, event, options }, 0, 0, new HookError('E_HOOK_NOT_SENT', 'the run had ended', false));
        continue;
      }
      if (this.queue.length >= MAX_QUEUED) {
        this.settle({ target, name, event, options }, 0, 0, new HookError('E_HOOK_BACKLOG', `${MAX_QUEUED} deliveries were already waiting; not sent`, false, 'the hooks are slower than the documents arrive: make them faster or raise hooks.concurrency'));
        continue;
      }
      this.queue.push({ target, name, event, options });
    }
    this.pump();
  }

  /** Deliveries queued or running. */
  get pending(): number {
    return this.queue.length + this.active;
  }

  /**
   * Waits for every queued delivery, at most drainTimeoutMs; what is left then is stopped and
   * recorded as not sent. Returns once every outcome is recorded.
   */
  async close(): Promise<void> {
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<void>((resolve) => this.idle.add(resolve));
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.settings.drainTimeoutMs);
      });
      await Promise.race([drained, late]);
      clearTimeout(timer);
    }
    this.stopping.abort();
    for (const delivery of this.queue.splice(0)) this.settle(delivery, 0, 0, new HookError('E_HOOK_NOT_SENT', `still queued when the run ended (hooks.drainTimeoutMs ${this.options.settings.drainTimeoutMs} ms)`, false));
    // The running ones end soon: stopping kills commands and aborts requests.
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
    await Promise.all(this.records);
  }

  private pump(): void {
    while (this.active < this.options.settings.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift() as Delivery;
      this.active += 1;
      void this.deliver(delivery).finally(() => {
        this.active -= 1;
        this.pump();
        if (this.pending > 0) return;
        for (const wake of this.idle) wake();
        this.idle.clear();
      });
    }
  }

  private policyFor(target: HookTarget): IPolicy {
    let policy = this.policies.get(target);
    if (!policy) {
      const { maxAttempts, retryDelayMs } = this.options.settings;
      const retryable = handleWhen((error) => error instanceof HookError && error.retryable);
      // Unref'd: a retry not yet due does not keep the process alive once the run is over (close() gives up on it).
      const again = retry(retryable, { maxAttempts: maxAttempts - 1, backoff: honouringRetryAfter(new ExponentialBackoff({ initialDelay: retryDelayMs, maxDelay: 30_000 })) }).dangerouslyUnref();
      const breaker = circuitBreaker(handleWhen((error) => error instanceof HookError && error.retryable), { halfOpenAfter: BREAKER_REST_MS, breaker: new ConsecutiveBreaker(BREAKER_FAILURES) });
      policy = wrap(again, breaker);
      this.policies.set(target, policy);
    }
    return policy;
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { target, name, options } = delivery;
    const started = performance.now();
    let attempts = 0;
    let event: HookEvent | undefined;
    const span = this.options.tracer.start('doccat.hook', { parent: options.traceParent, attributes: { 'doccat.hook.kind': target.kind, 'doccat.hook.target': target.label, 'doccat.hook.event': name, 'doccat.correlation_id': options.correlationId ?? undefined } });
    try {
      event = await delivery.event().catch((error: unknown) => {
        throw new HookError('E_HOOK_EVENT', `could not put the event together: ${(error as Error).message}`, false);
      });
      if (!event) return;
      const body = `${JSON.stringify(event)}\n`;
      const sent = event;
      const traceParent = span.traceParent;
      const attempting = this.policyFor(target).execute(async () => {
        attempts += 1;
        if (target.kind === 'command') await runCommandHook(target, body, this.commandEnv(sent, traceParent), this.stopping.signal);
        else await sendWebhook(target, body.trimEnd(), { 'user-agent': this.options.userAgent, 'x-doccat-event': sent.event, 'x-doccat-delivery': sent.id, ...(traceParent ? { traceparent: traceParent } : {}) }, this.stopping.signal);
      }, this.stopping.signal);
      // cockatiel's wait between tries does not listen to the signal: stopping gives up on it here.
      attempting.catch(() => undefined);
      await Promise.race([attempting, this.stopped()]);
      span.set({ 'doccat.hook.attempts': attempts, 'doccat.hook.status': 'delivered' });
      this.settle(delivery, attempts, performance.now() - started, undefined, event);
    } catch (error) {
      const failure =
        error instanceof BrokenCircuitError
          ? new HookError('E_HOOK_UNAVAILABLE', `not tried: the hook failed ${BREAKER_FAILURES} times in a row and rests for ${BREAKER_REST_MS / 1000} s`, false, 'fix the hook or its receiver; `doccat stats` lists what was not delivered')
          : this.stopping.signal.aborted && !(error instanceof HookError)
            ? new HookError('E_HOOK_NOT_SENT', 'doccat stopped before it was delivered', false)
            : error;
      const info = toErrorInfo(failure);
      span.set({ 'doccat.hook.attempts': attempts, 'doccat.hook.status': 'failed' });
      span.fail(info);
      this.settle(delivery, attempts, performance.now() - started, failure, event);
    } finally {
      span.end();
    }
  }

  /** Rejects once close() stops the deliveries still running. */
  private stopped(): Promise<never> {
    this.stoppedPromise ??= new Promise<never>((_, reject) => {
      const stop = () => reject(new HookError('E_HOOK_NOT_SENT', 'doccat stopped while the hook waited to be tried again', false));
      if (this.stopping.signal.aborted) stop();
      else this.stopping.signal.addEventListener('abort', stop, { once: true });
    });
    return this.stoppedPromise;
  }

  private commandEnv(event: HookEvent, traceParent: string | undefined): NodeJS.ProcessEnv {
    return {
      ...(this.options.env ?? process.env),
      DOCCAT_EVENT: event.event,
      DOCCAT_EVENT_ID: event.id,
      DOCCAT_RUN_ID: event.runId,
      DOCCAT_DOCUMENT_ID: 'documentId' in event && event.documentId !== null ? String(event.documentId) : '',
      DOCCAT_CORRELATION_ID: 'correlationId' in event && event.correlationId ? event.correlationId : '',
      ...(traceParent ? { TRACEPARENT: traceParent } : {}),
    };
  }

  /** Records the outcome (never throwing: a record that cannot be written is logged). */
  private settle(delivery: Delivery, attempts: number, durationMs: number, error: unknown, event?: HookEvent): void {
    const { target, name, options } = delivery;
    const info = error === undefined ? null : toErrorInfo(error);
    if (info) this.options.logger.warn({ hook: target.label, kind: target.kind, event: name, code: info.code, attempts, correlationId: options.correlationId ?? undefined }, `hook not delivered: ${info.message}`);
    else this.options.logger.debug({ hook: target.label, kind: target.kind, event: name, attempts, durationMs: Math.round(durationMs) }, 'hook delivered');
    const recording = (async () => {
      const sent = event ?? (await delivery.event().catch(() => undefined));
      await this.options.record({
        at: new Date().toISOString(),
        hook: target.label,
        kind: target.kind,
        event: name,
        documentId: options.documentId ?? null,
        correlationId: options.correlationId ?? null,
        status: info ? 'failed' : 'delivered',
        attempts,
        durationMs,
        error: info,
        payload: info && sent ? JSON.stringify(sent) : null,
      });
    })().catch((recordError: unknown) => this.options.logger.warn({ hook: target.label, err: (recordError as Error).message }, 'could not record a hook delivery'));
    this.records.add(recording);
    void recording.finally(() => this.records.delete(recording));
  }
}
