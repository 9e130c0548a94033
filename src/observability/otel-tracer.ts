import { context as contextApi, diag, DiagLogLevel, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { parseTraceParent, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import type { ErrorInfo } from '../errors.js';
import { redactText } from './redact.js';
import type { SpanAttributes, Tracer, TraceSpan, TracingSettings } from './tracing.js';

/**
 * The OpenTelemetry SDK behind observability/tracing.ts, imported only when tracing is on. The
 * provider is not registered globally: libraries that use the OpenTelemetry API on their own (an
 * AI SDK) stay silent, and every span doccat makes names its parent explicitly, so no context
 * manager is needed. Spans leave in batches over OTLP/HTTP (JSON).
 */

/** How many finished files' trace contexts are kept for the hooks that run after them. */
const RECENT_FILES = 4096;

export function createOtelTracer(settings: TracingSettings, logger: Logger): Tracer {
  // Export failures (a collector that is down) are worth a warning, not a failed document.
  diag.setLogger(
    {
      error: (message: string) => logger.warn({ component: 'tracing' }, redactText(message)),
      warn: (message: string) => logger.warn({ component: 'tracing' }, redactText(message)),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': settings.serviceVersion, 'process.pid': process.pid }).merge(detectResources({ detectors: [envDetector] }));
  const exporter = new OTLPTraceExporter({ ...(settings.url ? { url: settings.url } : {}), ...(Object.keys(settings.headers).length > 0 ? { headers: settings.headers } : {}) });
  // A fast ingest makes a dozen spans per file: a larger queue than the default 2048 before dropping.
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 1024, scheduledDelayMillis: 2000 })] });
  const tracer = provider.getTracer('doccat', settings.serviceVersion);
  const propagator = new W3CTraceContextPropagator();

  const contextFor = (parent: TraceSpan | string | undefined): Context => {
    if (parent === undefined) return ROOT_CONTEXT;
    if (typeof parent === 'string') {
      const spanContext = parseTraceParent(parent);
      return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
    }
    return parent instanceof OtelSpan ? trace.setSpan(ROOT_CONTEXT, parent.span) : ROOT_CONTEXT;
  };

  class OtelSpan implements TraceSpan {
    constructor(readonly span: Span) {}

    child(name: string, attributes?: SpanAttributes, startTimeMs?: number): TraceSpan {
      return start(name, { parent: this, ...(attributes ? { attributes } : {}), ...(startTimeMs !== undefined ? { startTimeMs } : {}) });
    }

    set(attributes: SpanAttributes): void {
      this.span.setAttributes(clean(attributes));
    }

    fail(error: ErrorInfo): void {
      this.span.setAttributes({ 'doccat.error.code': error.code, 'error.type': error.code });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: redactText(error.message) });
    }

    end(endTimeMs?: number): void {
      this.span.end(endTimeMs);
    }

    get traceParent(): string | undefined {
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpan(contextApi.active(), this.span), carrier, { set: (target, key, value) => (target[key] = value) });
      return carrier.traceparent;
    }
  }

  const start = (name: string, options: { parent?: TraceSpan | string | undefined; attributes?: SpanAttributes; startTimeMs?: number } = {}): TraceSpan =>
    new OtelSpan(tracer.startSpan(name, { ...(options.attributes ? { attributes: clean(options.attributes) } : {}), ...(options.startTimeMs !== undefined ? { startTime: options.startTimeMs } : {}) }, contextFor(options.parent)));

  const tracked = new Map<string, () => TraceSpan | undefined>();
  const recent = new Map<string, string>();
  return {
    enabled: true,
    start,
    track(correlationId, current) {
      tracked.set(correlationId, current);
      return () => {
        const parent = current()?.traceParent;
        tracked.delete(correlationId);
        if (!parent) return;
        recent.set(correlationId, parent);
        if (recent.size > RECENT_FILES) recent.delete(recent.keys().next().value as string);
      };
    },
    currentOf: (correlationId) => tracked.get(correlationId)?.(),
    contextOf: (correlationId) => tracked.get(correlationId)?.()?.traceParent ?? recent.get(correlationId),
    shutdown: async () => {
      await provider.shutdown().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'could not send the last spans'));
    },
  };
}

/** Strings that come from documents and paths pass the log redaction; undefined values are left out. */
function clean(attributes: SpanAttributes): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    result[key] = typeof value === 'string' ? redactText(value) : value;
  }
  return result;
}
