import { DoccatError, ExitCode } from '../errors.js';

/**
 * What every AI provider file implements: translate one request into its SDK's call and its
 * answer or failure back. Selection, retries, limits and parsing live in the service, once.
 */

export interface ProviderRequest {
  system: string;
  prompt: string;
  /** JSON schema of the answer, for the provider's structured-output mode. */
  schema: Record<string, unknown>;
  schemaName: string;
  maxOutputTokens: number;
  signal: AbortSignal;
}

export interface ProviderReply {
  /** The answer as text (JSON, possibly wrapped); the service parses and validates it. */
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export interface ProviderClient {
  complete(request: ProviderRequest): Promise<ProviderReply>;
}

export interface ProviderConnection {
  name: string;
  model: string;
  apiKey: string;
  baseURL: string | undefined;
  timeoutMs: number;
  /** Where the key came from (env:NAME, file:PATH), to name in a credential error. */
  credential: string;
}

export type ProviderFactory = (connection: ProviderConnection) => ProviderClient;

export type ProviderErrorKind = 'rate-limited' | 'quota' | 'overloaded' | 'server' | 'timeout' | 'connection' | 'auth' | 'bad-request' | 'bad-output';

const CODES: Record<ProviderErrorKind, string> = {
  'rate-limited': 'E_PROVIDER_RATE_LIMITED',
  quota: 'E_PROVIDER_QUOTA',
  overloaded: 'E_PROVIDER_OVERLOADED',
  server: 'E_PROVIDER_SERVER',
  timeout: 'E_PROVIDER_TIMEOUT',
  connection: 'E_PROVIDER_CONNECTION',
  auth: 'E_PROVIDER_AUTH',
  'bad-request': 'E_PROVIDER_BAD_REQUEST',
  'bad-output': 'E_PROVIDER_BAD_OUTPUT',
};

/** Worth trying again with the same provider after a pause. */
const RETRYABLE = new Set<ProviderErrorKind>(['rate-limited', 'overloaded', 'server', 'timeout', 'connection']);
/** Says the provider is unwell, so they count towards opening its circuit. */
const UNHEALTHY = new Set<ProviderErrorKind>(['overloaded', 'server', 'timeout', 'connection']);

export class ProviderError extends DoccatError {
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(provider: string, kind: ProviderErrorKind, message: string, options: { status?: number; retryAfterMs?: number; hint?: string; cause?: unknown } = {}) {
    super(CODES[kind], `${provider}: ${message}`, { exitCode: ExitCode.backendUnavailable, ...(options.hint ? { hint: options.hint } : {}), cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  get unhealthy(): boolean {
    return UNHEALTHY.has(this.kind);
  }
}

/**
 * The common reading of an HTTP failure. `retry-after-ms` (OpenAI) is more precise than
 * `retry-after`, which may be seconds or an HTTP date.
 */
export function httpFailure(provider: string, status: number | undefined, headers: { get(name: string): string | null } | undefined, message: string, options: { credential?: string; quota?: boolean; cause?: unknown } = {}): ProviderError {
  const retryAfterMs = readRetryAfter(headers);
  const base = { cause: options.cause, ...(status === undefined ? {} : { status }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 401 || status === 403) {
    return new ProviderError(provider, 'auth', `the API key was refused (HTTP ${status})`, {
      ...base,
      hint: `check the key in ${options.credential ?? 'the provider\'s apiKey reference'}: it may be wrong, revoked or lack access to this model`,
    });
  }
  if (status === 429 && options.quota) return new ProviderError(provider, 'quota', `quota exhausted: ${message}`, { ...base, hint: 'add credit or raise the quota with the provider, or lower its priority' });
  if (status === 429) return new ProviderError(provider, 'rate-limited', `rate limited (HTTP 429): ${message}`, base);
  if (status === 529) return new ProviderError(provider, 'overloaded', `overloaded (HTTP 529): ${message}`, base);
  if (status === 408) return new ProviderError(provider, 'timeout', `request timed out (HTTP 408)`, base);
  if (status !== undefined && status >= 500) return new ProviderError(provider, 'server', `server error (HTTP ${status}): ${message}`, base);
  if (status !== undefined) return new ProviderError(provider, 'bad-request', `request refused (HTTP ${status}): ${message}`, { ...base, hint: 'check the model name and the provider settings' });
  return new ProviderError(provider, 'connection', `no answer: ${message}`, { ...base, hint: 'check the network and the provider\'s baseURL' });
}

export function readRetryAfter(headers: { get(name: string): string | null } | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
