import { ulid } from 'ulid';
import type { ErrorInfo } from '../errors.js';
import type { DocumentFacts } from '../db/hook-deliveries.js';

/**
 * What hooks receive: one JSON object per event, the same on a command's stdin and in a webhook's
 * body. `id` is the event's own (a webhook's X-Doccat-Delivery, the same for every retry);
 * `correlationId` is the file's, as in the logs and `ingest --json`.
 */

export type HookList = 'onDocument' | 'onRun' | 'onAlert';

export type HookEventName = 'document.catalogued' | 'document.duplicate' | 'document.failed' | 'run.finished' | 'alert.fired' | 'alert.resolved';

interface EventBase {
  event: HookEventName;
  id: string;
  at: string;
  runId: string;
  /** The doccat command that sent it: ingest, watch or worker. */
  command: string;
}

/** The document as the catalogue holds it once committed (every path it was seen at: the first 100). */
export type DocumentSummary = DocumentFacts;

export interface DocumentEvent extends EventBase {
  event: 'document.catalogued' | 'document.duplicate' | 'document.failed';
  correlationId: string | null;
  /** The file this event is about. */
  path: string;
  documentId: number | null;
  document: DocumentSummary | null;
  error: ErrorInfo | null;
}

export interface RunEvent extends EventBase {
  event: 'run.finished';
  status: 'ok' | 'partial' | 'interrupted';
  startedAt: string;
  durationMs: number;
  counts: Record<string, number>;
  /** The first failures (path and error), at most 100. */
  failures: { path: string; code: string; message: string }[];
}

export interface AlertEvent extends EventBase {
  event: 'alert.fired' | 'alert.resolved';
  rule: { name: string; metric: string; above?: number; below?: number; window: string; provider?: string; stage?: string };
  value: number | null;
  threshold: number;
  message: string;
  firedAt: string | null;
}

export type HookEvent = DocumentEvent | RunEvent | AlertEvent;

export function eventBase<E extends HookEventName>(event: E, runId: string, command: string, at = new Date()): EventBase & { event: E } {
  return { event, id: ulid(), at: at.toISOString(), runId, command };
}

export const MAX_FAILURES_LISTED = 100;
