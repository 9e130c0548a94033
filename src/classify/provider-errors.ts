import type { ProviderConfig } from '../config/schema.js';
import { ProviderError, type ProviderErrorKind } from './provider.js';

/**
 * What a provider's failure means for doccat, read from what the services really send: one table
 * for the three providers, each rule with the documentation it follows. The provider files only
 * collect the facts (status, the body's type and code, Gemini's google.rpc details, headers).
 *
 *   quota          the key is out for the run; the next key, then the next provider, at once
 *   auth           the same, and the message names where the key came from
 *   rate-limited   wait (never less than what the service asks) and ask again, or the next key
 *   overloaded, server, timeout, connection   retried with backoff; they count towards the breaker
 *   bad-request    not retried; the next provider
 */

export interface HeaderReader {
  get(name: string): string | null;
}

export interface FailureFacts {
  provider: ProviderConfig['type'];
  status: number | undefined;
  /** OpenAI `error.type`, Anthropic `error.type`, Gemini `error.status` (RESOURCE_EXHAUSTED...). */
  type?: string | null | undefined;
  /** OpenAI `error.code`, Anthropic `error.details.error_code`, Gemini ErrorInfo `reason`. */
  code?: string | null | undefined;
  /** Gemini's google.rpc error details (RetryInfo, QuotaFailure, ErrorInfo...). */
  details?: readonly GoogleErrorDetail[] | undefined;
  headers?: HeaderReader | undefined;
  message: string;
}

export interface GoogleErrorDetail {
  '@type'?: string;
  retryDelay?: string;
  reason?: string;
  violations?: { quotaId?: string; quotaMetric?: string; quotaValue?: string }[];
}

interface FailureRule {
  /** What the rule recognises, as the message says it. */
  says: string;
  kind: ProviderErrorKind;
  matches(facts: FailureFacts): boolean;
  hint?: string;
}

/** OpenAI's billing codes on a 429; the type may stay `insufficient_quota` whatever the code. */
const OPENAI_BILLING_CODES = new Set(['insufficient_quota', 'credit_balance_exhausted', 'organization_usage_limit_exceeded', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded']);
/** Anthropic's spend limits, sent as 429 rate_limit_error with `error.details.error_code`. */
const ANTHROPIC_SPEND_CODES = new Set(['enforced_spend_limit_reached', 'contract_spend_limit_reached']);

const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

function quotaViolations(facts: FailureFacts): { quotaId?: string; quotaValue?: string }[] {
  return (facts.details ?? []).filter((detail) => detail['@type'] === QUOTA_FAILURE).flatMap((detail) => detail.violations ?? []);
}

const BILLING_HINT = 'add credit or raise the limit with the provider, or lower its priority';

/** First match wins; a failure no rule names is read by its status (below). */
export const FAILURE_RULES: readonly FailureRule[] = [
  // OpenAI: "Check error.code in the API response. A billing-related error may still use the
  // broader error.type value insufficient_quota"; "Retrying these errors won't restore access".
  // https://help.openai.com/en/articles/5955604-troubleshooting-api-rate-limits-and-429-errors
  // https://help.openai.com/en/articles/6614457-troubleshooting-api-usage-and-spend-limits
  {
    says: 'quota exhausted',
    kind: 'quota',
    matches: (facts) => facts.provider === 'openai' && facts.status === 429 && (facts.type === 'insufficient_quota' || OPENAI_BILLING_CODES.has(facts.code ?? '')),
    hint: BILLING_HINT,
  },
  // Anthropic: spend limits are 429 rate_limit_error with details.error_code
  // enforced_spend_limit_reached ("crossed the monthly API usage threshold of its API tier") or
  // contract_spend_limit_reached; a ramp limit (ramp_limit_exceeded) passes after retry-after.
  // @anthropic-ai/sdk resources/shared.d.ts (EnforcedSpendLimitReachedError, ContractSpendLimitReachedError);
  // https://docs.claude.com/en/api/errors
  {
    says: 'quota exhausted',
    kind: 'quota',
    matches: (facts) => facts.provider === 'anthropic' && facts.status === 429 && ANTHROPIC_SPEND_CODES.has(facts.code ?? ''),
    hint: BILLING_HINT,
  },
  // Anthropic: 402 billing_error ("an issue with your billing or payment information"), also
  // linked_organization_spend_limit_reached / _billing_unavailable (PaymentRequiredError).
  // https://docs.claude.com/en/api/errors; @anthropic-ai/sdk resources/shared.d.ts
  {
    says: 'quota exhausted',
    kind: 'quota',
    matches: (facts) => facts.provider === 'anthropic' && (facts.status === 402 || facts.type === 'billing_error'),
    hint: BILLING_HINT,
  },
  // Gemini: an invalid key is 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, not 401.
  // https://ai.google.dev/gemini-api/docs/troubleshooting (400 INVALID_ARGUMENT, 403 PERMISSION_DENIED: "API key")
  {
    says: 'the API key was refused',
    kind: 'auth',
    matches: (facts) => facts.provider === 'gemini' && facts.status === 400 && (facts.code === 'API_KEY_INVALID' || /API key not valid/i.test(facts.message)),
  },
  // Gemini: 400 FAILED_PRECONDITION "Gemini API free tier is not available in your country.
  // Please enable billing on your project": every call with this key fails the same way.
  // https://ai.google.dev/gemini-api/docs/troubleshooting
  {
    says: 'quota exhausted',
    kind: 'quota',
    matches: (facts) => facts.provider === 'gemini' && facts.status === 400 && facts.type === 'FAILED_PRECONDITION',
    hint: 'enable billing on the Google Cloud project behind the key, or lower its priority',
  },
  // Gemini: a 429 whose QuotaFailure names a per-day quota, or a quota of 0 on this tier, does
  // not pass by waiting minutes ("Requests per day (RPD) quotas reset at midnight Pacific time").
  // https://ai.google.dev/gemini-api/docs/rate-limits; QuotaFailure: https://cloud.google.com/apis/design/errors#error_details
  {
    says: 'quota exhausted',
    kind: 'quota',
    matches: (facts) => facts.provider === 'gemini' && facts.status === 429 && quotaViolations(facts).some((violation) => /PerDay/i.test(violation.quotaId ?? '') || violation.quotaValue === '0'),
    hint: 'the daily quota resets at midnight Pacific time; raise it (enable billing) or lower this provider\'s priority',
  },
  // Gemini: any other 429 RESOURCE_EXHAUSTED (per-minute quotas, and the bare "Resource has been
  // exhausted (e.g. check quota)." with no QuotaFailure at all) is a rate limit: retry after
  // RetryInfo.retryDelay, which is in the body, not in a header.
  // https://ai.google.dev/gemini-api/docs/troubleshooting (429: "wait and retry"); RetryInfo: https://cloud.google.com/apis/design/errors#error_details
  {
    says: 'rate limited (HTTP 429)',
    kind: 'rate-limited',
    matches: (facts) => facts.provider === 'gemini' && facts.status === 429,
  },
  // All: 401 and 403 are the key (or its access to this model).
  {
    says: 'the API key was refused',
    kind: 'auth',
    matches: (facts) => facts.status === 401 || facts.status === 403,
  },
  // OpenAI and Anthropic: other 429s are rate limits; the SDKs read retry-after(-ms).
  // https://platform.openai.com/docs/guides/rate-limits; https://docs.claude.com/en/api/rate-limits
  { says: 'rate limited (HTTP 429)', kind: 'rate-limited', matches: (facts) => facts.status === 429 },
  // Anthropic: 529 overloaded_error, "temporarily overloaded". https://docs.claude.com/en/api/errors
  { says: 'overloaded (HTTP 529)', kind: 'overloaded', matches: (facts) => facts.status === 529 },
  { says: 'request timed out (HTTP 408)', kind: 'timeout', matches: (facts) => facts.status === 408 },
  { says: 'server error', kind: 'server', matches: (facts) => facts.status !== undefined && facts.status >= 500 },
  // 404: the model does not exist for this key, or is retired.
  { says: 'request refused (HTTP 404)', kind: 'bad-request', matches: (facts) => facts.status === 404, hint: 'check the model name: the model may be retired (doccat config check lists deprecated models)' },
  { says: 'request refused', kind: 'bad-request', matches: (facts) => facts.status !== undefined, hint: 'check the model name and the provider settings' },
];

/** How long the service asks to wait: Gemini's RetryInfo, or retry-after-ms (OpenAI), retry-after. */
export function retryAfterMs(facts: FailureFacts): number | undefined {
  const delay = (facts.details ?? []).find((detail) => detail['@type'] === RETRY_INFO)?.retryDelay;
  // google.protobuf.Duration in JSON: seconds with an "s" suffix, e.g. "45s" or "1.5s".
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(delay ?? '')?.[1];
  if (seconds !== undefined) return Number(seconds) * 1000;
  return readRetryAfter(facts.headers);
}

export function readRetryAfter(headers: HeaderReader | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The failure as a ProviderError, by the first rule that matches it. */
export function providerFailure(name: string, facts: FailureFacts, options: { credential?: string; cause?: unknown } = {}): ProviderError {
  const delay = retryAfterMs(facts);
  const base = { cause: options.cause, ...(facts.status === undefined ? {} : { status: facts.status }), ...(delay === undefined ? {} : { retryAfterMs: delay }) };
  const rule = FAILURE_RULES.find((candidate) => candidate.matches(facts));
  if (!rule) return new ProviderError(name, 'connection', `no answer: ${facts.message}`, { ...base, hint: 'check the network and the provider\'s baseURL' });
  const status = facts.status === undefined ? '' : ` (HTTP ${facts.status})`;
  const detail = facts.code ? `${facts.code}: ` : '';
  if (rule.kind === 'auth') {
    // The service's words are left out: they may quote the key, partly masked or not.
    return new ProviderError(name, 'auth', `the API key was refused${status}`, {
      ...base,
      hint: `check the key in ${options.credential ?? "the provider's apiKey reference"}: it may be wrong, revoked or lack access to this model`,
    });
  }
  const says = rule.says.includes('HTTP') ? rule.says : `${rule.says}${status}`;
  return new ProviderError(name, rule.kind, `${says}: ${detail}${facts.message}`, { ...base, ...(rule.hint ? { hint: rule.hint } : {}) });
}

/** The facts in a Gemini error body: `{ error: { code, message, status, details } }`. */
export function geminiFacts(status: number, body: string, headers: HeaderReader): FailureFacts {
  let error: { message?: string; status?: string; details?: GoogleErrorDetail[] } | undefined;
  try {
    error = (JSON.parse(body) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const details = Array.isArray(error?.details) ? error.details : [];
  const reason = details.find((detail) => detail['@type'] === ERROR_INFO)?.reason;
  return {
    provider: 'gemini',
    status,
    type: error?.status ?? null,
    code: reason ?? null,
    details,
    headers,
    message: [error?.status, error?.message?.split('\n')[0]].filter(Boolean).join(': ') || body.slice(0, 200),
  };
}
