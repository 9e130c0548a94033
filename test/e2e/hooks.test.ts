import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { BIN, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';
import { killWatchers, startWatch } from '../support/watch.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.mjs';

/**
 * Hooks through the real binary: a webhook receiver on 127.0.0.1 and real hook scripts, for
 * ingest, watch and worker.
 */

const SECRET = 'hook-secret-TESTSECRET-e2e';
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: SECRET });
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => receiver.reset());
afterEach(() => killWatchers());

const events = (requests: ReceivedWebhook[], route: string) => requests.filter((request) => request.path === route).map((request) => request.json);

function setup(hooks: Record<string, unknown>, extra: Record<string, unknown> = {}): { home: string; config: string; run: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof runDoccat> } {
  const home = tempDir();
  const config = path.join(home, 'doccat.config.json');
  fs.writeFileSync(config, JSON.stringify({ hooks: { secret: 'env:HOOK_SECRET', retryDelayMs: 10, ...hooks }, ...extra }));
  return { home, config, run: (args, env = {}) => runDoccat([...args, '--config', config], { home, env: { HOOK_SECRET: SECRET, ...env } }) };
}

function inputs(): string {
  const dir = tempDir('doccat-hook-inputs-');
  fs.writeFileSync(path.join(dir, 'invoice.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\nVAT 19%\n');
  fs.writeFileSync(path.join(dir, 'letter.txt'), 'Dear Ms Berg,\nthank you for your letter.\nSincerely,\nTom\n');
  fs.copyFileSync(path.join(dir, 'invoice.txt'), path.join(dir, 'invoice-copy.txt'));
  fs.writeFileSync(path.join(dir, 'empty.txt'), '');
  return dir;
}

const shell = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

describe('hooks after ingest', () => {
  it('tells each hook about every document once it is committed, signed, and about the run', async () => {
    const dir = inputs();
    // The command asks doccat itself for the document: it can only find it if the commit came first.
    const show = `[ -z "$DOCCAT_DOCUMENT_ID" ] || ${shell(process.execPath)} ${shell(BIN)} show "$DOCCAT_DOCUMENT_ID" --json > "shown-$DOCCAT_EVENT_ID.json"; cat > "event-$DOCCAT_EVENT_ID.json"`;
    const { home, run } = setup({ onDocument: [`${receiver.url}/document`, show], onRun: [`${receiver.url}/run`] });
    const result = await run(['ingest', dir, '--json']);
    expect(result.code, result.stderr).toBe(3);
    const ingest = parseIngestJson(result);
    const requests = await receiver.until((all) => all.length >= 5);
    expect(requests.every((request) => request.signatureValid)).toBe(true);
    const documents = events(requests, '/document');
    expect(documents.map((event) => event.event).sort()).toEqual(['document.catalogued', 'document.catalogued', 'document.duplicate', 'document.failed']);
    expect(new Set(documents.map((event) => event.id)).size).toBe(4);
    for (const event of documents) {
      const outcome = ingest.files.find((file) => file.path === event.path) as (typeof ingest.files)[number] & { correlationId: string };
      expect(event).toMatchObject({ runId: ingest.runId, command: 'ingest', correlationId: outcome.correlationId, documentId: outcome.documentId ?? null });
    }
    const invoice = documents.find((event) => event.event === 'document.catalogued' && event.path.endsWith('invoice.txt') || event.path.endsWith('invoice-copy.txt') && event.event === 'document.catalogued');
    expect(invoice.document).toMatchObject({ id: invoice.documentId, type: 'invoice', mime: 'text/plain' });
    expect(Array.isArray(invoice.document.tags)).toBe(true);
    expect(typeof invoice.document.fields).toBe('object');
    const duplicate = documents.find((event) => event.event === 'document.duplicate');
    expect(duplicate.documentId).toBe(invoice.documentId);
    expect([...duplicate.document.paths].sort()).toEqual([path.join(dir, 'invoice-copy.txt'), path.join(dir, 'invoice.txt')]);
    const failed = documents.find((event) => event.event === 'document.failed');
    expect(failed).toMatchObject({ path: path.join(dir, 'empty.txt'), documentId: null, document: null, error: { code: 'E_EMPTY_FILE' } });
    expect(events(requests, '/run')).toMatchObject([{ event: 'run.finished', runId: ingest.runId, status: 'partial', counts: { catalogued: 2, duplicate: 1, failed: 1 }, failures: [{ path: path.join(dir, 'empty.txt'), code: 'E_EMPTY_FILE' }] }]);

    // The script ran in the config file's folder with the same event on stdin, and found each document.
    for (const event of documents) {
      expect(JSON.parse(fs.readFileSync(path.join(home, `event-${event.id}.json`), 'utf8'))).toEqual(event);
      if (event.documentId !== null) expect(JSON.parse(fs.readFileSync(path.join(home, `shown-${event.id}.json`), 'utf8')).document.id).toBe(event.documentId);
    }
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as { hooks: { hook: string; kind: string; delivered: number; failed: number }[] };
    expect(stats.hooks.find((hook) => hook.hook === `${receiver.url}/document`)).toMatchObject({ kind: 'webhook', delivered: 4, failed: 0 });
    expect(stats.hooks.find((hook) => hook.kind === 'command')).toMatchObject({ delivered: 4, failed: 0 });
  });

  it('never fails or stops the run when a webhook keeps failing: the documents are in, the failures recorded and shown', async () => {
    receiver.setDefault({ status: 500 });
    const dir = tempDir('doccat-hook-inputs-');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'First note for the catalogue.');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'Second note for the catalogue.');
    const { run } = setup({ onDocument: [`${receiver.url}/document`], onRun: [`${receiver.url}/document`], maxAttempts: 2 });
    const result = await run(['ingest', dir, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseIngestJson(result).summary.catalogued).toBe(2);
    expect(receiver.requests).toHaveLength(6);
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as { hooks: { hook: string; delivered: number; failed: number; lastFailure: { code: string; event: string } }[] };
    expect(stats.hooks).toMatchObject([{ hook: `${receiver.url}/document`, delivered: 0, failed: 3, lastFailure: { code: 'E_HOOK_HTTP' } }]);
    const text = await run(['stats']);
    expect(text.stdout).toMatch(/Hooks[\s\S]*\/document[\s\S]*webhook\s*\|\s*0\s*\|\s*3\s*\|/);
  });

  it('runs no hooks with --no-hooks', async () => {
    const { run } = setup({ onDocument: [`${receiver.url}/document`], onRun: [`${receiver.url}/run`] });
    const dir = tempDir('doccat-hook-inputs-');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'A note.');
    expect((await run(['ingest', dir, '--no-hooks'])).code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect((JSON.parse((await run(['stats', '--json'])).stdout) as { hooks: unknown[] }).hooks).toEqual([]);
  });

  it('refuses a hook command from a config file others can change, and takes webhooks from it', async () => {
    const { config, run } = setup({ onDocument: ['touch ran'] });
    fs.chmodSync(config, 0o666);
    const refused = await run(['ingest', tempDir(), '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/E_CONFIG_UNSAFE.*hook command at hooks\.onDocument\.0/);
    fs.writeFileSync(config, JSON.stringify({ hooks: { onDocument: [`${receiver.url}/document`] } }));
    fs.chmodSync(config, 0o666);
    expect((await run(['ingest', tempDir(), '--json'])).code).toBe(0);
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`hooks from doccat worker (${dialect})`, () => {
    it('sends the same document and run events for queued files', async () => {
      const catalogueEnv: NodeJS.ProcessEnv = dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {};
      const dir = inputs();
      const { run } = setup({ onDocument: [`${receiver.url}/document`], onRun: [`${receiver.url}/run`] }, { queue: { expireInSeconds: 5, maintenanceIntervalSeconds: 1, retryDelaySeconds: 1 } });
      expect((await run(['ingest', dir, '--enqueue'], catalogueEnv)).code).toBe(0);
      // One job at a time: this test is about hooks, and two jobs of the same content at once in one
      // process can both take the content's claim (db/claims.ts compares owners, which they share).
      const worker = await run(['worker', '--drain', '--ndjson', '--concurrency', '1'], catalogueEnv);
      expect(worker.code, worker.stderr).toBe(3);
      const requests = await receiver.until((all) => all.length >= 5);
      const documents = events(requests, '/document');
      expect(documents.map((event) => event.event).sort(), JSON.stringify(documents, null, 1)).toEqual(['document.catalogued', 'document.catalogued', 'document.duplicate', 'document.failed']);
      expect(documents.every((event) => event.command === 'worker' && event.correlationId)).toBe(true);
      expect(events(requests, '/run')).toMatchObject([{ event: 'run.finished', command: 'worker', status: 'partial', counts: { done: 4, failed: 1 } }]);
    });
  });
}

describe('hooks from doccat watch', () => {
  it('tells hooks about each file as it is committed, and a slow hook holds up no document', async () => {
    const { home, config } = setup({ onDocument: [`${receiver.url}/document`, 'while [ ! -e release ]; do sleep 0.1; done'], onRun: [`${receiver.url}/run`], concurrency: 1, timeoutMs: 120_000 });
    const inbox = tempDir('doccat-inbox-');
    const watch = startWatch(home, [inbox, '--stable', '300'], config, { HOOK_SECRET: SECRET });
    fs.writeFileSync(path.join(inbox, 'first.txt'), 'The first document.');
    await watch.until((all) => all.some((event) => event.event === 'done' && event.path.endsWith('first.txt')));
    // The script for first.txt now waits for `release`, holding the only hook slot.
    fs.writeFileSync(path.join(inbox, 'second.txt'), 'The second document.');
    await watch.until((all) => all.some((event) => event.event === 'done' && event.path.endsWith('second.txt')));
    expect(fs.existsSync(path.join(home, 'release'))).toBe(false);
    fs.writeFileSync(path.join(home, 'release'), '');
    await receiver.until((all) => events(all, '/document').length >= 2);
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    const requests = await receiver.until((all) => events(all, '/run').length >= 1);
    expect(events(requests, '/document').map((event) => [event.event, path.basename(event.path), event.command])).toEqual([
      ['document.catalogued', 'first.txt', 'watch'],
      ['document.catalogued', 'second.txt', 'watch'],
    ]);
    expect(events(requests, '/run')).toMatchObject([{ command: 'watch', counts: { done: 2 } }]);
  });
});
