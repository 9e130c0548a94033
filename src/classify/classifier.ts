import type { Classification } from '../classification.js';

/** The classification shape lives in the leaf src/classification.ts, shared with pipeline/ and db/; classifiers import it from here. */
export { classificationSchema, fieldValueSchema, formatFieldValue, moneySchema, type Classification, type FieldValue } from '../classification.js';

export interface ClassifyInput {
  text: string;
  mime: string;
  fileName: string;
  /** The path below the folder ingested ("Tax/2024/notice.pdf"), for path rules and folder tags. */
  relativePath?: string;
  metadata: { title?: string; author?: string; from?: string; subject?: string; date?: string };
  /** The extractor's text laid out by position, when it has one (PDF text layers): labels beside or above their values. */
  layoutText?: string;
  /** Ties provider calls and log lines to the run and the document. */
  correlationId?: string;
  signal?: AbortSignal;
}

export interface Classifier {
  readonly name: string;
  classify(input: ClassifyInput): Promise<Classification>;
}
