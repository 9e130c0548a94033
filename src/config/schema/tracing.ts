import * as z from 'zod';
import { secretReference } from './secret.js';

export const tracingSchema = z
  .object({
    endpoint: z.string().url().optional().describe('OTLP/HTTP collector base URL (spans go to <endpoint>/v1/traces); default $OTEL_EXPORTER_OTLP_ENDPOINT; neither set: no tracing'),
    headers: z.record(z.string().min(1), secretReference).default({}).describe('request headers for the collector, each a secret reference (e.g. Authorization)'),
    serviceName: z.string().min(1).default('doccat').describe('service.name of the spans (OTEL_SERVICE_NAME wins)'),
  })
  .strict()
  .default({ headers: {}, serviceName: 'doccat' })
  .describe('OpenTelemetry traces: a span per file with its stages, OCR pages, provider calls and hooks');
