import type { Classification } from './classifier.js';

/** What one provider call cost and how it ended: `doccat stats` and the daily budget read these. */
export interface ProviderCall {
  at: string;
  provider: string;
  model: string;
  keyId: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: 'ok' | 'invalid' | 'error';
  errorCode: string | null;
  correlationId: string | null;
}

/** Where answers are cached and calls recorded; the catalogue database implements it. */
export interface ClassificationRecords {
  cached(key: string): Promise<Classification | undefined>;
  remember(entry: { key: string; provider: string; model: string; promptVersion: string; result: Classification }): Promise<void>;
  recordCall(call: ProviderCall): Promise<void>;
  tokensUsedSince(provider: string, since: string): Promise<number>;
}
