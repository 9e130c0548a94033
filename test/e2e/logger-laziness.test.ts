import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoadingModules, tempDir } from '../support/cli.js';

/** The chunks of the built CLI a run loaded whose URL contains `match`. */
async function modulesLoaded(args: string[], match: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { result, modules } = await runLoadingModules(args, match, { home: tempDir(), env });
  expect(result.code, result.stderr).toBe(0);
  return modules;
}

describe('logging costs nothing when it is off', () => {
  it('loads no logger (pino) at the default log level, and loads it when a level is asked for', async () => {
    const inputs = tempDir();
    fs.writeFileSync(path.join(inputs, 'note.txt'), 'A note.');
    // The bundle puts pino in the chunk of observability/logger.ts. The test harness logs at debug
    // unless told otherwise; "silent" is log.level's default.
    expect(await modulesLoaded(['ingest', inputs, '-q'], '/dist/app/logger-', { DOCCAT_LOG_LEVEL: 'silent' })).toBe('');
    const logged = await modulesLoaded(['ingest', inputs, '-q', '--log-level', 'info'], '/dist/app/logger-');
    expect(logged).toMatch(/dist\/app\/logger-\w+\.js/);
  });
});
