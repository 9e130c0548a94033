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

export interface TokenUsage {
  inputTokens: number;
  /** Everything billed as output: the answer and any reasoning or thoughts spent before it. */
  outputTokens: number;
}

export interface ProviderReply extends TokenUsage {
  /** The answer as text (JSON, possibly wrapped); the service parses and validates it. */
  text: string;
  /** What the provider said about the model in its answer (Gemini's modelStatus), if anything. */
  model?: ModelLifecycle;
}

/** Where a model stands in its provider's lifecycle, as the provider or its SDK says. */
export interface ModelLifecycle {
  state: 'active' | 'deprecated' | 'retired' | 'unknown';
  /** ISO date of the announced retirement or shutdown, if one is announced. */
  retiresAt?: string;
  /** What the provider said, in its words (lifecycle, shutdown_date, modelStage). */
  detail: string;
}

export interface ProviderClient {
  complete(request: ProviderRequest): Promise<ProviderReply>;
  /** Asks the provider about the configured model (health --deep); undefined when it cannot say. */
  describeModel?(signal: AbortSignal): Promise<ModelLifecycle | undefined>;
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

/**
 * `refused`: the model declined or a safety filter blocked the answer; `truncated`: the answer was
 * cut off by the output limit (or thinking took all of it). Both are answers, billed, that the
 * next classifier has to make up for.
 */
export type ProviderErrorKind = 'rate-limited' | 'quota' | 'overloaded' | 'server' | 'timeout' | 'connection' | 'auth' | 'bad-request' | 'bad-output' | 'refused' | 'truncated';

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
  refused: 'E_PROVIDER_REFUSED',
  truncated: 'E_PROVIDER_TRUNCATED',
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
  /** Tokens the failed call was billed for (a refusal, a cut-off answer), so they are counted. */
  readonly usage: TokenUsage | undefined;

  constructor(provider: string, kind: ProviderErrorKind, message: string, options: { status?: number; retryAfterMs?: number; hint?: string; cause?: unknown; usage?: TokenUsage } = {}) {
    super(CODES[kind], `${provider}: ${message}`, { exitCode: ExitCode.backendUnavailable, ...(options.hint ? { hint: options.hint } : {}), cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.usage = options.usage;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  get unhealthy(): boolean {
    return UNHEALTHY.has(this.kind);
  }
}
