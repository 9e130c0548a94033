import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { HookDispatcher, type DeliveryRecord, type HookSettings } from '../../../src/hooks/dispatcher.js';
import { eventBase, type HookEvent, type RunEvent } from '../../../src/hooks/events.js';
import { secretLookup } from '../../../src/config/secrets.js';
import { resolveHookTargets, type HookTarget } from '../../../src/hooks/targets.js';
import { retryAfterMs } from '../../../src/hooks/webhook.js';
import { NO_TRACING } from '../../../src/observability/tracing.js';
import { tempDir } from '../../support/cli.js';
import { endsWithin } from '../../support/process-state.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.mjs';

/** Hook delivery against a real receiver on 127.0.0.1 and real shell commands. */

const SECRET = 'hook-secret-TESTSECRET-42';
const SETTINGS: HookSettings = { maxAttempts: 3, retryDelayMs: 10, concurrency: 2, drainTimeoutMs: 30_000 };

let receiver: WebhookReceiver;
let elsewhere: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: SECRET });
  elsewhere = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await elsewhere.close();
});
beforeEach(() => {
  receiver.reset();
  elsewhere.reset();
});

function runEvent(): RunEvent {
  return { ...eventBase('run.finished', 'RUN1', 'ingest'), status: 'ok', startedAt: new Date().toISOString(), durationMs: 5, counts: { catalogued: 1 }, failures: [] };
}

function dispatcher(targets: HookTarget[], settings: Partial<HookSettings> = {}) {
  const records: DeliveryRecord[] = [];
  const hooks = new HookDispatcher({
    targets: { onDocument: [], onRun: targets, onAlert: [] },
    settings: { ...SETTINGS, ...settings },
    record: async (delivery) => {
      records.push(delivery);
    },
    logger: pino({ level: 'silent' }),
    tracer: NO_TRACING,
    userAgent: 'doccat/test',
  });
  return { hooks, records, send: (event: HookEvent = runEvent()) => hooks.emit('onRun', event.event, () => event) };
}

const webhook = (url: string, extra: Partial<Extract<HookTarget, { kind: 'webhook' }>> = {}): HookTarget => ({ kind: 'webhook', label: url, url, secret: SECRET, timeoutMs: 5000, ...extra });
const command = (text: string, cwd: string, timeoutMs = 10_000): HookTarget => ({ kind: 'command', label: text, command: text, cwd, timeoutMs });

describe('webhooks', () => {
  it('POSTs the event signed with X-Doccat-Signature: sha256=<HMAC of the body>, with its name and id as headers', async () => {
    const { hooks, records, send } = dispatcher([webhook(`${receiver.url}/in`)]);
    const event = runEvent();
    send(event);
    await hooks.close();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/in', signatureValid: true, json: { event: 'run.finished', id: event.id, runId: 'RUN1' } });
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'x-doccat-event': 'run.finished', 'x-doccat-delivery': event.id, 'user-agent': 'doccat/test' });
    expect(records).toMatchObject([{ status: 'delivered', attempts: 1, event: 'run.finished', error: null, payload: null }]);
  });

  it('tries again after a 5xx and records one delivery with the attempts it took', async () => {
    receiver.queue({ status: 503 }, { status: 500 });
    const { hooks, records, send } = dispatcher([webhook(receiver.url)]);
    send();
    await hooks.close();
    expect(receiver.requests).toHaveLength(3);
    // Retries carry the same event: a receiver can tell them apart from new events by the id.
    expect(new Set(receiver.requests.map((request) => request.headers['x-doccat-delivery'])).size).toBe(1);
    expect(records).toMatchObject([{ status: 'delivered', attempts: 3 }]);
  });

  it('does not follow a redirect: the place it points to never hears of the event', async () => {
    receiver.queue({ status: 307, location: `${elsewhere.url}/stolen` });
    const { hooks, records, send } = dispatcher([webhook(receiver.url)]);
    send();
    await hooks.close();
    expect(receiver.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    expect(records).toMatchObject([{ status: 'failed', attempts: 1, error: { code: 'E_HOOK_REDIRECT' } }]);
    expect(JSON.parse(records[0]?.payload ?? '{}')).toMatchObject({ event: 'run.finished' });
  });

  it('does not retry what the receiver refused (4xx), and does retry 429', async () => {
    receiver.queue({ status: 404 });
    const refused = dispatcher([webhook(receiver.url)]);
    refused.send();
    await refused.hooks.close();
    expect(refused.records).toMatchObject([{ status: 'failed', attempts: 1, error: { code: 'E_HOOK_HTTP' } }]);
    receiver.reset();
    receiver.queue({ status: 429 });
    const limited = dispatcher([webhook(receiver.url)]);
    limited.send();
    await limited.hooks.close();
    expect(limited.records).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('waits as long as a 429 or 503 asks with Retry-After before trying again', async () => {
    receiver.queue({ status: 429, headers: { 'retry-after': '1' } });
    const { hooks, records, send } = dispatcher([webhook(receiver.url)]);
    send();
    await hooks.close();
    expect(records).toMatchObject([{ status: 'delivered', attempts: 2 }]);
    const [first, second] = receiver.requests;
    // hooks.retryDelayMs is 10 ms here: only the receiver's Retry-After explains a wait of a second.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores what is neither', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('does not keep the end of a run waiting for a retry that is not due yet', async () => {
    receiver.queue({ status: 503, headers: { 'retry-after': '3600' } });
    const { hooks, records, send } = dispatcher([webhook(receiver.url)], { drainTimeoutMs: 200 });
    send();
    const closing = hooks.close();
    const settled = await Promise.race([closing.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 20_000))]);
    expect(settled).toBe('closed');
    expect(receiver.requests).toHaveLength(1);
    expect(records).toMatchObject([{ status: 'failed', attempts: 1, error: { code: 'E_HOOK_NOT_SENT' } }]);
  });

  it('gives a receiver that never answers timeoutMs per attempt, then records the event as not delivered', async () => {
    receiver.setDefault({ hang: true });
    const { hooks, records, send } = dispatcher([webhook(receiver.url, { timeoutMs: 200 })], { maxAttempts: 2 });
    send();
    await hooks.close();
    expect(receiver.requests).toHaveLength(2);
    expect(records).toMatchObject([{ status: 'failed', attempts: 2, error: { code: 'E_HOOK_TIMEOUT' } }]);
  });

  it('rests a hook that failed five times in a row: later events fail at once, without a request', async () => {
    receiver.setDefault({ status: 500 });
    const { hooks, records, send } = dispatcher([webhook(receiver.url)], { maxAttempts: 1, concurrency: 1 });
    for (let index = 0; index < 8; index += 1) send();
    await hooks.close();
    expect(receiver.requests).toHaveLength(5);
    expect(records.map((record) => record.error?.code)).toEqual([...Array(5).fill('E_HOOK_HTTP'), ...Array(3).fill('E_HOOK_UNAVAILABLE')]);
  });

  it('refuses a connection that is not there with a retryable error, recorded after the attempts', async () => {
    const { hooks, records, send } = dispatcher([webhook('http://127.0.0.1:9/')], { maxAttempts: 2 });
    send();
    await hooks.close();
    expect(records).toMatchObject([{ status: 'failed', attempts: 2, error: { code: 'E_HOOK_CONNECTION' } }]);
  });
});

describe('command hooks', () => {
  it('runs the command through /bin/sh in the given folder, the event JSON on stdin, DOCCAT_EVENT and DOCCAT_DOCUMENT_ID set', async () => {
    const dir = tempDir('doccat-hook-');
    const { hooks, records, send } = dispatcher([command('cat > event.json; printf "%s|%s|%s" "$DOCCAT_EVENT" "$DOCCAT_DOCUMENT_ID" "$PWD" > env.txt', dir)]);
    const event = runEvent();
    send(event);
    await hooks.close();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'event.json'), 'utf8'))).toEqual(event);
    expect(fs.readFileSync(path.join(dir, 'env.txt'), 'utf8')).toBe(`run.finished||${fs.realpathSync(dir)}`);
    expect(records).toMatchObject([{ status: 'delivered', kind: 'command', attempts: 1 }]);
  });

  it('kills a command that runs past its timeout, and what it started in the background', async () => {
    const dir = tempDir('doccat-hook-');
    const { hooks, records, send } = dispatcher([command('sleep 30 & echo $! > child.pid; wait', dir, 500)], { maxAttempts: 1 });
    send();
    await hooks.close();
    expect(records).toMatchObject([{ status: 'failed', attempts: 1, error: { code: 'E_HOOK_TIMEOUT' } }]);
    const child = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    // The whole process group went: no sleep left behind.
    expect(await endsWithin(child, 1000)).toBe(true);
  });

  it('tries a failing command again, but not one the shell cannot find, and keeps its last words', async () => {
    const dir = tempDir('doccat-hook-');
    const { hooks, records, send } = dispatcher([command('echo "receiver down" >&2; echo x >> tries; exit 3', dir), command('no-such-doccat-hook-command', dir)]);
    send();
    await hooks.close();
    expect(fs.readFileSync(path.join(dir, 'tries'), 'utf8').trim().split('\n')).toHaveLength(3);
    const failing = records.find((record) => record.hook.startsWith('echo'));
    expect(failing).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'E_HOOK_FAILED' } });
    expect(failing?.error?.message).toContain('exited with 3: receiver down');
    expect(records.find((record) => record.hook.startsWith('no-such'))).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'E_HOOK_FAILED' } });
  });
});

describe('the dispatcher', () => {
  it('builds an event once for all hooks, only when a hook is configured, and emit never waits for delivery', async () => {
    const dir = tempDir('doccat-hook-');
    receiver.setDefault({ delayMs: 300 });
    let built = 0;
    const { hooks, records } = dispatcher([webhook(receiver.url), command('cat > /dev/null', dir)]);
    hooks.emit('onRun', 'run.finished', () => {
      built += 1;
      return runEvent();
    });
    hooks.emit('onDocument', 'document.catalogued', () => {
      throw new Error('no onDocument hook is configured: never built');
    });
    // Queued, not sent: nothing was delivered by the time emit returned.
    expect(records).toHaveLength(0);
    await hooks.close();
    expect(built).toBe(1);
    expect(records.map((record) => record.status)).toEqual(['delivered', 'delivered']);
  });

  it('waits at most drainTimeoutMs at close, then stops what runs and records the rest as not sent', async () => {
    receiver.setDefault({ hang: true });
    const { hooks, records, send } = dispatcher([webhook(receiver.url, { timeoutMs: 60_000 })], { concurrency: 1, drainTimeoutMs: 300 });
    for (let index = 0; index < 3; index += 1) send();
    await hooks.close();
    expect(records).toHaveLength(3);
    expect(records.every((record) => record.status === 'failed' && record.error?.code === 'E_HOOK_NOT_SENT')).toBe(true);
    // Each keeps its event, to see what was lost.
    expect(records.every((record) => JSON.parse(record.payload ?? '{}').event === 'run.finished')).toBe(true);
  });

  it('records an event that could not be put together, and one emitted after close, with their own codes and no request', async () => {
    const { hooks, records, send } = dispatcher([webhook(receiver.url)]);
    hooks.emit('onRun', 'run.finished', () => {
      throw new Error('the catalogue was already closed');
    });
    await hooks.close();
    expect(records).toMatchObject([{ status: 'failed', attempts: 0, payload: null, error: { code: 'E_HOOK_EVENT', message: expect.stringContaining('the catalogue was already closed') } }]);
    send();
    await vi.waitFor(() => expect(records).toHaveLength(2));
    expect(records[1]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'E_HOOK_NOT_SENT' } });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('hook configuration', () => {
  const parse = (onDocument: unknown[]) => configSchema.safeParse({ hooks: { onDocument } });

  it('takes http(s) URLs as webhooks and anything else as commands, refusing other URL schemes and URLs with credentials', () => {
    expect(parse(['https://example.com/hook', './notify.sh "$DOCCAT_EVENT"', { url: 'env:HOOK_URL', secret: 'env:HOOK_SECRET' }, { command: 'true', timeoutMs: 500 }]).success).toBe(true);
    expect(parse(['ftp://example.com/x']).success).toBe(false);
    expect(parse(['file:///etc/passwd']).success).toBe(false);
    expect(parse(['https://user:pw@example.com/x']).success).toBe(false);
    expect(parse([{ url: 'gopher://example.com' }]).success).toBe(false);
    expect(configSchema.safeParse({ hooks: { secret: 'plain-secret-value' } }).success).toBe(false);
  });

  it('names a webhook by its URL without query, or by the reference holding it, never by a token', () => {
    const targets = resolveHookTargets(configSchema.parse({ hooks: { onRun: ['https://example.com/a/b?token=abc', { url: 'env:DOCCAT_TEST_HOOK_URL' }] } }).hooks, { baseDir: '/', secret: secretLookup({ baseDir: '/', env: { DOCCAT_TEST_HOOK_URL: 'https://chat.example.com/services/T0/B0/TESTSECRET' } }) });
    expect(targets.onRun.map((target) => target.label)).toEqual(['https://example.com/a/b', 'env:DOCCAT_TEST_HOOK_URL']);
    expect(targets.onRun[1]).toMatchObject({ kind: 'webhook', url: 'https://chat.example.com/services/T0/B0/TESTSECRET' });
    expect(() => resolveHookTargets(configSchema.parse({ hooks: { onRun: [{ url: 'env:DOCCAT_TEST_HOOK_URL' }] } }).hooks, { baseDir: '/', secret: secretLookup({ baseDir: '/', env: { DOCCAT_TEST_HOOK_URL: 'ftp://x' } }) })).toThrow(/http/);
    expect(() => resolveHookTargets(configSchema.parse({ hooks: { secret: 'env:NOT_SET_ANYWHERE_X' } }).hooks, { baseDir: '/', secret: secretLookup({ baseDir: '/', env: {} }) })).toThrow(/E_SECRET_MISSING|not set/);
  });
});
