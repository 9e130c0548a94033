import type { Logger } from 'pino';
import type { ErrorInfo } from '../errors.js';

/**
 * Distributed tracing, as the rest of doccat sees it: spans with attributes, children and an
 * error, and a W3C `traceparent` to hand to another process. With no collector configured this is
 * NO_TRACING, and the OpenTelemetry packages are never loaded (observability/otel-tracer.ts is
 * imported only by startTracing).
 */

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface TraceSpan {
  child(name: string, attributes?: SpanAttributes, startTimeMs?: number): TraceSpan;
  set(attributes: SpanAttributes): void;
  fail(error: ErrorInfo): void;
  end(endTimeMs?: number): void;
  /** W3C trace context (`00-<trace>-<span>-<flags>`), to continue the trace elsewhere. */
  readonly traceParent: string | undefined;
}

export interface Tracer {
  readonly enabled: boolean;
  /** A span under `parent` (a span, or a traceparent from another process), else a new trace. */
  start(name: string, options?: { parent?: TraceSpan | string | undefined; attributes?: SpanAttributes; startTimeMs?: number }): TraceSpan;
  /**
   * Tells the tracer which span is current for a file (by correlation id) while it is processed,
   * so that what is recorded later by correlation id (a provider call) lands under it. The
   * returned function ends the tracking; the file's trace context stays findable for a while
   * (`contextOf`), for the hooks run after it.
   */
  track(correlationId: string, current: () => TraceSpan | undefined): () => void;
  currentOf(correlationId: string): TraceSpan | undefined;
  contextOf(correlationId: string): string | undefined;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NO_SPAN: TraceSpan = {
  child: () => NO_SPAN,
  set: () => undefined,
  fail: () => undefined,
  end: () => undefined,
  traceParent: undefined,
};

export const NO_TRACING: Tracer = {
  enabled: false,
  start: () => NO_SPAN,
  track: () => () => undefined,
  currentOf: () => undefined,
  contextOf: () => undefined,
  shutdown: async () => undefined,
};

export interface TracingSettings {
  /** Full URL spans are POSTed to (…/v1/traces); undefined: the exporter reads OTEL_EXPORTER_OTLP_* itself. */
  url: string | undefined;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
}

/**
 * Whether to trace, from the config's `tracing.endpoint` (which wins) or the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true turns
 * it off. undefined: no tracing.
 */
export function tracingWanted(endpoint: string | undefined, env: NodeJS.ProcessEnv): { url: string | undefined } | undefined {
  if (/^true$/i.test(env.OTEL_SDK_DISABLED ?? '')) return undefined;
  if (endpoint) return { url: `${endpoint.replace(/\/+$/, '')}/v1/traces` };
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) return { url: undefined };
  return undefined;
}

let started: Promise<Tracer> | undefined;
let current: Tracer = NO_TRACING;

/** The process's tracer, started once (the OpenTelemetry SDK is loaded here, and only here). */
export function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracer> {
  started ??= import('./otel-tracer.js').then(({ createOtelTracer }) => {
    current = createOtelTracer(settings, logger);
    return current;
  });
  return started;
}

/** The tracer started in this process, else NO_TRACING: for code that records after the fact. */
export function activeTracer(): Tracer {
  return current;
}
