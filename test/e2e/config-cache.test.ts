import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runDoccat, tempDir } from '../support/cli.js';

/** The built CLI's chunks that hold zod (names change with their content): from the build's metafile. */
function zodChunks(): string[] {
  const meta = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'app-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return Object.entries(meta.outputs)
    .filter(([, output]) => Object.keys(output.inputs).some((input) => input.includes('node_modules/zod/')))
    .map(([file]) => path.basename(file));
}

describe('a configuration already checked starts without zod', () => {
  it('checks the configuration on the first run and after each change, and not on the runs between', async () => {
    const project = tempDir();
    const cacheHome = tempDir();
    const log = path.join(tempDir(), 'modules.log');
    const config = path.join(project, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ catalog: 'cat', ingest: { jobs: 2 } }));
    // The same variables on every run: DOCCAT_* ones are part of what a checked configuration is
    // kept by (the test harness would otherwise give each run a log file of its own).
    const env = {
      XDG_CACHE_HOME: cacheHome,
      NODE_OPTIONS: `--import ${path.join(REPO_ROOT, 'test/support/module-log.mjs')}`,
      DOCCAT_TEST_MODULE_LOG: log,
      DOCCAT_TEST_MODULE_MATCH: '/dist/app/',
      DOCCAT_LOG_LEVEL: 'silent',
      DOCCAT_LOG_FILE: path.join(project, 'doccat.log'),
    };
    const chunks = zodChunks();
    expect(chunks.length).toBeGreaterThan(0);
    const loadedZod = async (args: string[]) => {
      fs.rmSync(log, { force: true });
      const result = await runDoccat(args, { cwd: project, env });
      const modules = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      return { result, zod: chunks.some((chunk) => modules.includes(`/dist/app/${chunk}`)) };
    };

    const inbox = path.join(project, 'inbox');
    fs.mkdirSync(inbox);
    fs.writeFileSync(path.join(inbox, 'note.txt'), 'Invoice 42 from Acme.');
    const first = await loadedZod(['ingest', inbox, '-q']);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.zod).toBe(true);
    const listed = await loadedZod(['list', '--json']);
    expect(listed.result.code, listed.result.stderr).toBe(0);
    expect(listed.zod).toBe(false);
    expect(listed.result.stdout).toContain('note.txt');

    // An edit is checked (a mistake reported every time), and the good file after it too.
    fs.writeFileSync(config, JSON.stringify({ catalog: 'cat', ingest: { jobs: 0 } }));
    for (let run = 0; run < 2; run += 1) {
      const broken = await loadedZod(['list', '--json']);
      expect(broken.result.code).toBe(2);
      expect(broken.result.stdout).toContain('E_CONFIG_INVALID');
      expect(broken.zod).toBe(true);
    }
    fs.writeFileSync(config, JSON.stringify({ catalog: 'cat', ingest: { jobs: 3 } }));
    expect((await loadedZod(['list', '--json'])).zod).toBe(true);
    expect((await loadedZod(['list', '--json'])).zod).toBe(false);
    // init still has every flag of its storage backends (it loads them itself).
    const init = await runDoccat(['init', '--help'], { cwd: project, env: { XDG_CACHE_HOME: cacheHome } });
    expect(init.stdout).toMatch(/--s3-bucket <name>/);
  });
});
