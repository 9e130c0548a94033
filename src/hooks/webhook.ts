import { createHmac } from 'node:crypto';
import type { WebhookTarget } from './targets.js';
import { HookError } from './hook-error.js';
import { redactText } from '../observability/redact.js';

/** X-Doccat-Signature: `sha256=` and the HMAC-SHA256 of the exact body, in hex. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs one event. Redirects are refused, not followed: a redirect would send the document's
 * facts somewhere the configuration does not name. 408, 425, 429, 5xx, timeouts and connection
 * errors are worth another try (not before a Retry-After says); other answers are not.
 */
export async function sendWebhook(target: WebhookTarget, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number }> {
  const url = new URL(target.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HookError('E_HOOK_URL', `${url.protocol} URLs are not sent to`, false, 'webhooks must be http:// or https:// URLs');
  const timeout = AbortSignal.timeout(target.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.any([timeout, signal]),
      headers: { 'content-type': 'application/json', ...headers, ...(target.secret ? { 'x-doccat-signature': signature(target.secret, body) } : {}) },
    });
  } catch (error) {
    if (signal.aborted) throw new HookError('E_HOOK_NOT_SENT', 'doccat stopped before the webhook answered', false);
    if (timeout.aborted) throw new HookError('E_HOOK_TIMEOUT', `no answer within ${target.timeoutMs} ms`, true, 'make the receiver answer sooner (queue slow work), or raise hooks.timeoutMs');
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new HookError('E_HOOK_CONNECTION', redactText(`cannot reach ${target.label}: ${cause?.code ?? cause?.message ?? (error as Error).message}`), true, 'check that the receiver is running and reachable');
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    await response.body?.cancel().catch(() => undefined);
    return { status };
  }
  const text = await response.text().catch(() => '');
  const said = redactText(text.replace(/\s+/g, ' ').trim()).slice(0, 200);
  if (status >= 300 && status < 400) {
    throw new HookError('E_HOOK_REDIRECT', `answered ${status} (a redirect${response.headers.get('location') ? ' elsewhere' : ''}), which is not followed`, false, 'configure the final URL of the webhook');
  }
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  throw new HookError('E_HOOK_HTTP', `answered ${status}${said ? `: ${said}` : ''}`, retryable, retryable ? undefined : 'the receiver refused the event; check its URL and what it expects', retryable ? retryAfterMs(response.headers.get('retry-after')) : undefined);
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP date (RFC 9110 10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
