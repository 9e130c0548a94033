import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runDoccat, tempDir } from '../support/cli.js';
import { killWatchers, startWatch } from '../support/watch.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.mjs';

/** Alert rules through the real binary: fired once, resolved later, `stats --check` for cron. */

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => receiver.reset());
let worker: ChildProcess | undefined;
afterEach(() => {
  killWatchers();
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  worker = undefined;
});

const alerts = () => receiver.requests.filter((request) => request.path === '/alert').map((request) => request.json);

function folder(files: Record<string, string>): string {
  const dir = tempDir('doccat-alert-inputs-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

interface CheckJson {
  status: 'ok' | 'alerting';
  firing: number;
  rules: { name: string; metric: string; value: number | null; firing: boolean; recorded: { state: string; firedAt: string | null; resolvedAt: string | null } | null }[];
}

describe('alert rules', () => {
  it('fire once when a rule starts firing, resolve later, and make stats --check exit 6 meanwhile', async () => {
    const home = tempDir();
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ alerts: { rules: [{ name: 'failure-rate', metric: 'failureRate', above: 0.5, window: '1h' }] }, hooks: { onAlert: [`${receiver.url}/alert`] } }));
    const run = (args: string[]) => runDoccat([...args, '--config', config], { home });

    const broken = folder({ 'empty.txt': '' });
    const first = await run(['ingest', broken]);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('alert fired: failure-rate: failureRate (over 1h) is 1, above 0.5');
    expect(alerts()).toMatchObject([{ event: 'alert.fired', command: 'ingest', rule: { name: 'failure-rate', metric: 'failureRate', above: 0.5, window: '1h' }, value: 1, threshold: 0.5 }]);

    const check = await run(['stats', '--check']);
    expect(check.code).toBe(6);
    expect(check.stdout).toMatch(/^ALERT: 1 of 1 rule firing\nFIRING failure-rate: failureRate \(over 1h\) is 1, above 0\.5 \(since /);
    const json = JSON.parse((await run(['stats', '--check', '--json'])).stdout) as CheckJson;
    expect(json).toMatchObject({ status: 'alerting', firing: 1, rules: [{ name: 'failure-rate', value: 1, firing: true, recorded: { state: 'firing' } }] });

    // Still failing: not announced again.
    expect((await run(['ingest', broken])).stderr).not.toContain('alert fired');
    expect(alerts()).toHaveLength(1);

    // Two failed of five files: 0.4, no longer above 0.5.
    const resolved = await run(['ingest', folder({ 'a.txt': 'A good note.', 'b.txt': 'Another good note.', 'c.txt': 'A third good note.' })]);
    expect(resolved.code).toBe(0);
    expect(resolved.stderr).toContain('alert resolved: failure-rate');
    expect(alerts().map((event) => event.event)).toEqual(['alert.fired', 'alert.resolved']);
    expect(alerts()[1]).toMatchObject({ value: 0.4, firedAt: alerts()[0].at });
    const ok = await run(['stats', '--check', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'ok', firing: 0, rules: [{ firing: false, recorded: { state: 'ok', firedAt: alerts()[0].at } }] });
    // `stats` shows the rules too.
    expect((await run(['stats'])).stdout).toContain('ok failure-rate: failureRate (over 1h) is 0.4, not above 0.5');
  });

  it('are checked periodically while watching, not only when the watch stops', async () => {
    const home = tempDir();
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ queue: { maxAttempts: 1 }, alerts: { intervalSeconds: 1, rules: [{ name: 'any-failure', metric: 'failures', above: 0 }] }, hooks: { onAlert: [`${receiver.url}/alert`] } }));
    const inbox = tempDir('doccat-inbox-');
    const watch = startWatch(home, [inbox, '--stable', '300'], config);
    fs.writeFileSync(path.join(inbox, 'empty.txt'), '');
    await watch.until((events) => events.some((event) => event.event === 'failed' && event.final === true));
    await receiver.until((requests) => requests.some((request) => request.json?.event === 'alert.fired'), 30_000);
    // Announced on the watch's own output too, while it runs.
    await watch.until((events) => events.some((event) => event.event === 'alert.fired'));
    expect(watch.child.exitCode).toBeNull();
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    expect(alerts()).toMatchObject([{ event: 'alert.fired', command: 'watch', rule: { name: 'any-failure' }, value: 1 }]);
  });

  it('are checked periodically by a worker waiting for jobs, not only when it stops', async () => {
    const home = tempDir();
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ alerts: { intervalSeconds: 1, rules: [{ name: 'any-failure', metric: 'failures', above: 0 }] }, hooks: { onAlert: [`${receiver.url}/alert`] } }));
    expect((await runDoccat(['ingest', folder({ 'empty.txt': '' }), '--enqueue', '--config', config], { home })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'worker', '--ndjson', '--config', config], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', DOCCAT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    worker = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The worker fails the job and keeps waiting for more; a periodic check finds the failure.
    await receiver.until((requests) => requests.some((request) => request.json?.event === 'alert.fired'), 60_000);
    expect(child.exitCode, stderr).toBeNull();
    expect(alerts()).toMatchObject([{ event: 'alert.fired', command: 'worker', rule: { name: 'any-failure' }, value: 1 }]);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; name?: string; status?: string });
    expect(lines.filter((line) => line.event === 'alert.fired')).toMatchObject([{ name: 'any-failure' }]);
    expect(lines.find((line) => line.event === 'job')).toMatchObject({ status: 'failed' });
    // The check when it stopped saw the rule already firing: still one announcement.
    expect(alerts()).toHaveLength(1);
  });

  it('documents exit code 6 in --help', async () => {
    const help = await runDoccat(['--help']);
    expect(help.stdout).toContain('6    an alert rule fires (stats --check)');
  });
});
