import { createRequire } from 'node:module';
import type { AppContext } from './context.js';
import { NO_TRACING, startTracing, tracingWanted, type Tracer } from '../observability/tracing.js';

const require = createRequire(import.meta.url);

/**
 * The process's tracer for a command that ingests: started on first call when tracing.endpoint or
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, else NO_TRACING (and nothing of OpenTelemetry is loaded).
 */
export async function tracerFor(context: AppContext): Promise<Tracer> {
  const { tracing } = context.config.config;
  const wanted = tracingWanted(tracing.endpoint, process.env);
  if (!wanted) return NO_TRACING;
  const headers: Record<string, string> = {};
  if (Object.keys(tracing.headers).length > 0) {
    const { requiredSecret } = await import('../config/secrets.js');
    for (const [name, reference] of Object.entries(tracing.headers)) headers[name] = requiredSecret(context.secret, reference, `tracing.headers.${name}`, 'set it, or remove the header');
  }
  const { version } = require('../../package.json') as { version: string };
  return startTracing({ url: wanted.url, headers, serviceName: process.env.OTEL_SERVICE_NAME || tracing.serviceName, serviceVersion: version }, context.logger);
}
