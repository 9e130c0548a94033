import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runDoccat, tempDir } from '../support/cli.js';

/**
 * Secrets are resolved by config/ when a command first asks for them (CommandContext.secret), not
 * when the command starts: a password manager named by a cmd: reference runs only for what the
 * command uses.
 */
describe('when secret commands run', () => {
  it('runs the hooks secret for an ingest that delivers hooks, and neither it nor an unused tracing header for list', async () => {
    const dir = tempDir();
    const hookMarker = path.join(dir, 'HOOK_SECRET_RAN');
    const traceMarker = path.join(dir, 'TRACE_HEADER_RAN');
    fs.writeFileSync(
      path.join(dir, 'doccat.config.json'),
      JSON.stringify({ hooks: { secret: `cmd:touch ${hookMarker} && echo hook-TESTSECRET` }, tracing: { headers: { authorization: `cmd:touch ${traceMarker} && echo trace-TESTSECRET` } } }),
    );
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    const home = tempDir();

    const listed = await runDoccat(['list', '--json'], { cwd: dir, home, env });
    expect(listed.stderr).not.toMatch(/E_SECRET/);
    expect(fs.existsSync(hookMarker)).toBe(false);
    expect(fs.existsSync(traceMarker)).toBe(false);

    const docs = tempDir();
    fs.copyFileSync(path.join(FIXTURES, 'invoice-acme.pdf'), path.join(docs, 'invoice-acme.pdf'));
    const ingested = await runDoccat(['ingest', docs, '--json'], { cwd: dir, home, env });
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(fs.existsSync(hookMarker)).toBe(true);
    // Tracing is off (no endpoint): its headers are never needed.
    expect(fs.existsSync(traceMarker)).toBe(false);
  });
});
