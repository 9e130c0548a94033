import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoccat, tempDir } from '../support/cli.js';

/**
 * The reproductions of issue 14, problem 2, with the built binary run inside `some/docs`: config
 * files in folders above are neither read nor run, and a config others could change runs no code.
 */

function someDocs(): { some: string; docs: string; home: string; xdg: string; marker: string } {
  const some = tempDir('doccat-some-');
  const docs = path.join(some, 'docs');
  fs.mkdirSync(docs);
  return { some, docs, home: tempDir(), xdg: tempDir('doccat-xdg-'), marker: path.join(some, 'MARKER') };
}

describe('config files doccat reads and runs', () => {
  it('does not run some/doccat.config.cjs when run in some/docs', async () => {
    const { some, docs, home, xdg, marker } = someDocs();
    fs.writeFileSync(path.join(some, 'doccat.config.cjs'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = {};\n`);
    const listed = await runDoccat(['list', '--json'], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(fs.existsSync(marker)).toBe(false);
    // No catalogue yet: list says so, but nothing above the folder was run to get there.
    expect(listed.stderr).not.toMatch(/doccat\.config\.cjs/);
  });

  it('does not run a cmd: key from some/doccat.config.json when run in some/docs', async () => {
    const { some, docs, home, xdg, marker } = someDocs();
    fs.writeFileSync(path.join(some, 'doccat.config.json'), JSON.stringify({ ai: { providers: [{ name: 'x', type: 'openai', model: 'm', apiKey: `cmd:touch ${marker}` }] } }));
    const checked = await runDoccat(['config', 'check', '--json'], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ file: null, references: [] });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('ignores a .doccatrc.json dropped into a parent folder', async () => {
    const { some, docs, home, xdg } = someDocs();
    fs.writeFileSync(path.join(some, '.doccatrc.json'), JSON.stringify({ catalog: path.join(some, 'planted') }));
    const shown = await runDoccat(['config', 'show', '--json'], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ file: null, catalog: home });
  });

  it('refuses a group-writable JavaScript config in the working folder with E_CONFIG_UNSAFE, and runs it once it is 0600', async () => {
    const { docs, home, xdg, marker } = someDocs();
    const file = path.join(docs, 'doccat.config.cjs');
    fs.writeFileSync(file, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = { ingest: { jobs: 3 } };\n`);
    fs.chmodSync(file, 0o664);
    const refused = await runDoccat(['config', 'show', '--json'], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('E_CONFIG_UNSAFE');
    expect(refused.stderr).toContain(file);
    expect(refused.stderr).toContain(`chmod go-w ${file}`);
    expect(fs.existsSync(marker)).toBe(false);
    fs.chmodSync(file, 0o600);
    const shown = await runDoccat(['config', 'show', '--json'], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(shown.code, shown.stderr).toBe(0);
    const settings = JSON.parse(shown.stdout) as { file: string; settings: { path: string; value: unknown }[] };
    expect(settings.file).toBe(file);
    expect(settings.settings.find((setting) => setting.path === 'ingest.jobs')?.value).toBe(3);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('refuses a cmd: reference in a group-writable config given with --config', async () => {
    const { docs, home, xdg, marker } = someDocs();
    const file = path.join(home, 'team.json');
    fs.writeFileSync(file, JSON.stringify({ database: { url: `cmd:touch ${marker}` } }));
    fs.chmodSync(file, 0o664);
    const refused = await runDoccat(['config', 'check', '--config', file], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/E_CONFIG_UNSAFE refusing to run the cmd: secret reference at database\.url in .*team\.json: it is writable by group or others/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('finds the config in the current folder, with --config, and in $XDG_CONFIG_HOME/doccat/', async () => {
    const { docs, home, xdg } = someDocs();
    fs.mkdirSync(path.join(xdg, 'doccat'));
    fs.writeFileSync(path.join(xdg, 'doccat', 'config.json'), JSON.stringify({ ingest: { jobs: 5 } }));
    const jobs = async (args: string[]) => {
      const shown = await runDoccat(['config', 'show', '--json', ...args], { cwd: docs, home, env: { XDG_CONFIG_HOME: xdg } });
      expect(shown.code, shown.stderr).toBe(0);
      const parsed = JSON.parse(shown.stdout) as { file: string; settings: { path: string; value: unknown }[] };
      return { file: parsed.file, jobs: parsed.settings.find((setting) => setting.path === 'ingest.jobs')?.value };
    };
    expect(await jobs([])).toEqual({ file: path.join(xdg, 'doccat', 'config.json'), jobs: 5 });
    fs.writeFileSync(path.join(docs, 'doccat.config.json'), JSON.stringify({ ingest: { jobs: 2 } }));
    expect(await jobs([])).toEqual({ file: path.join(docs, 'doccat.config.json'), jobs: 2 });
    const other = path.join(home, 'other.yaml');
    fs.writeFileSync(other, 'ingest:\n  jobs: 7\n');
    expect(await jobs(['--config', other])).toEqual({ file: other, jobs: 7 });
  });
});
