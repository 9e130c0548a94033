import { toErrorInfo } from '../errors.js';
import type { SpanAttributes, TraceSpan } from '../observability/tracing.js';

export type Stage = 'sniff' | 'hash' | 'extract' | 'ocr' | 'classify' | 'store' | 'commit';

/** What one file's trip through the pipeline measured. */
export interface Trace {
  correlationId: string;
  ms: Partial<Record<Stage, number>>;
  /** The OCR engine that read the file's pages ("tesseract 5.3.0"), once one did. */
  ocrEngine?: string;
  /** The file's span, and the stage span open now, when tracing. */
  span?: TraceSpan | undefined;
  stages: Partial<Record<Stage, TraceSpan>>;
}

let fileSequence = 0;

/** A file's correlation id: the run's id and the file's number in this process. */
export function nextCorrelationId(runId: string): string {
  fileSequence += 1;
  return `${runId}-${fileSequence.toString(36)}`;
}

/** Times a stage; when tracing, a span too (an OCR page's under the extract stage's). */
export async function timed<T>(trace: Trace, stage: Stage, work: () => Promise<T>, describe?: (result: T) => SpanAttributes): Promise<T> {
  const started = performance.now();
  const span = stage === 'ocr' ? (trace.stages.extract ?? trace.span)?.child('doccat.ocr.page') : trace.span?.child(`doccat.${stage}`);
  if (span && stage !== 'ocr') trace.stages[stage] = span;
  try {
    const result = await work();
    if (span && describe) span.set(describe(result));
    return result;
  } catch (error) {
    span?.fail(toErrorInfo(error));
    throw error;
  } finally {
    trace.ms[stage] = (trace.ms[stage] ?? 0) + performance.now() - started;
    if (stage !== 'ocr') delete trace.stages[stage];
    span?.end();
  }
}
