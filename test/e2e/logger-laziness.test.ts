import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runDoccat, tempDir } from '../support/cli.js';

/** The modules of the built CLI a run loaded whose URL contains `match`. */
async function modulesLoaded(args: string[], match: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const log = path.join(tempDir(), 'modules.log');
  const result = await runDoccat(args, { home: tempDir(), env: { ...env, NODE_OPTIONS: `--import ${path.join(REPO_ROOT, 'test/support/module-log.mjs')}`, DOCCAT_TEST_MODULE_LOG: log, DOCCAT_TEST_MODULE_MATCH: match } });
  expect(result.code, result.stderr).toBe(0);
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
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
