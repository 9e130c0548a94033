import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { DoccatError } from '../../../src/errors.js';
import { tempDir } from '../../support/cli.js';

/**
 * Which config files doccat reads, and which of them may run code (a JavaScript config, a cmd:
 * secret reference). Files and folders are real, with real owners and modes.
 */

const isRoot = process.getuid?.() === 0;
/** An owner that is neither the current user nor root (the tests run as root in CI). */
const NOBODY = 65534;

/** A folder of the user's own (mkdtemp makes it 0700) with the working folder inside it. */
function project(): { root: string; cwd: string; xdg: string; marker: string } {
  const root = tempDir('doccat-trust-');
  const cwd = path.join(root, 'docs');
  fs.mkdirSync(cwd);
  return { root, cwd, xdg: tempDir('doccat-xdg-'), marker: path.join(root, 'MARKER') };
}

/** A JavaScript config that leaves a marker file when it runs. */
function markingConfig(marker: string, settings: object = {}): string {
  return `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = ${JSON.stringify(settings)};\n`;
}

async function refusal(promise: Promise<unknown>): Promise<DoccatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DoccatError);
  return error as DoccatError;
}

describe('config discovery', () => {
  it('does not run a JavaScript config in the folder above the working folder', async () => {
    const { root, cwd, xdg, marker } = project();
    fs.writeFileSync(path.join(root, 'doccat.config.cjs'), markingConfig(marker, { ingest: { jobs: 7 } }));
    const loaded = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(loaded.filepath).toBeUndefined();
    expect(loaded.config.ingest.jobs).toBeUndefined();
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('does not take a JSON config with a cmd: key from the folder above', async () => {
    const { root, cwd, xdg, marker } = project();
    fs.writeFileSync(path.join(root, 'doccat.config.json'), JSON.stringify({ ai: { providers: [{ name: 'x', type: 'openai', model: 'm', apiKey: `cmd:touch ${marker}` }] } }));
    const loaded = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(loaded.filepath).toBeUndefined();
    expect(loaded.config.ai.providers).toEqual([]);
  });

  it('ignores a .doccatrc.json in a parent of the working folder', async () => {
    const { root, cwd, xdg } = project();
    fs.writeFileSync(path.join(root, '.doccatrc.json'), JSON.stringify({ catalog: path.join(root, 'planted-catalogue') }));
    const loaded = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg, DOCCAT_HOME: path.join(xdg, 'home') } });
    expect(loaded.filepath).toBeUndefined();
    expect(loaded.catalogDir).toBe(path.join(xdg, 'home'));
  });

  it("reads the user's config in $XDG_CONFIG_HOME/doccat/, after the working folder's", async () => {
    const { cwd, xdg } = project();
    fs.mkdirSync(path.join(xdg, 'doccat'));
    fs.writeFileSync(path.join(xdg, 'doccat', 'config.json'), JSON.stringify({ ingest: { jobs: 5 } }));
    const fromXdg = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(fromXdg.filepath).toBe(path.join(xdg, 'doccat', 'config.json'));
    expect(fromXdg.config.ingest.jobs).toBe(5);
    fs.writeFileSync(path.join(cwd, 'doccat.config.json'), JSON.stringify({ ingest: { jobs: 2 } }));
    expect((await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } })).config.ingest.jobs).toBe(2);
  });

  it('falls back to ~/.config/doccat/ without XDG_CONFIG_HOME', async () => {
    const { cwd } = project();
    const home = tempDir('doccat-home-');
    fs.mkdirSync(path.join(home, '.config', 'doccat'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'doccat', 'config.yaml'), 'ingest:\n  jobs: 4\n');
    const loaded = await loadConfig({ cwd, env: { HOME: home } });
    expect(loaded.filepath).toBe(path.join(home, '.config', 'doccat', 'config.yaml'));
    expect(loaded.config.ingest.jobs).toBe(4);
  });

  it("does not run cosmiconfig's meta config (.config/config.cjs) in the working folder", async () => {
    const { cwd, xdg, marker } = project();
    fs.mkdirSync(path.join(cwd, '.config'));
    fs.writeFileSync(path.join(cwd, '.config', 'config.cjs'), markingConfig(marker), { mode: 0o666 });
    fs.chmodSync(path.join(cwd, '.config', 'config.cjs'), 0o666);
    fs.writeFileSync(path.join(cwd, 'doccat.config.json'), JSON.stringify({ ingest: { jobs: 3 } }));
    const previous = process.cwd();
    // The meta config is looked for in the process's own working folder.
    process.chdir(cwd);
    try {
      expect((await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } })).config.ingest.jobs).toBe(3);
    } finally {
      process.chdir(previous);
    }
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('config files that may run code', () => {
  it("runs the user's own 0600 JavaScript config in the working folder", async () => {
    const { cwd, xdg, marker } = project();
    const file = path.join(cwd, 'doccat.config.cjs');
    fs.writeFileSync(file, markingConfig(marker, { ingest: { jobs: 6 } }), { mode: 0o600 });
    const loaded = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } });
    expect(loaded.filepath).toBe(file);
    expect(loaded.config.ingest.jobs).toBe(6);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('refuses a group-writable JavaScript config before running it, naming the file and the chmod', async () => {
    const { cwd, xdg, marker } = project();
    const file = path.join(cwd, 'doccat.config.mjs');
    fs.writeFileSync(file, `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`);
    fs.chmodSync(file, 0o664);
    const error = await refusal(loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } }));
    expect(error.code).toBe('E_CONFIG_UNSAFE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/writable by group or others \(mode 0664\)/);
    expect(error.hint).toContain(`chmod go-w ${file}`);
    expect(fs.existsSync(marker)).toBe(false);
    // The same file given with --config is refused as well.
    expect((await refusal(loadConfig({ cwd: os.tmpdir(), configPath: file, env: { XDG_CONFIG_HOME: xdg } }))).code).toBe('E_CONFIG_UNSAFE');
  });

  it('refuses a cmd: reference in a group-writable config, in an overlay too, and takes the same file without it', async () => {
    const { cwd, xdg } = project();
    const file = path.join(cwd, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify({ environments: { prod: { database: { url: 'cmd:pass show doccat/db' } } } }));
    fs.chmodSync(file, 0o620);
    const error = await refusal(loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } }));
    expect(error.code).toBe('E_CONFIG_UNSAFE');
    expect(error.message).toContain(file);
    expect(error.message).toContain('environments.prod.database.url');
    expect(error.hint).toMatch(/chmod go-w .*env:NAME or file:PATH/);
    fs.writeFileSync(file, JSON.stringify({ environments: { prod: { database: { url: 'env:DATABASE_URL' } } } }));
    expect((await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } })).filepath).toBe(file);
  });

  it('takes cmd: from a DOCCAT_* variable whatever the file: the environment is the user\'s', async () => {
    const { cwd, xdg } = project();
    const file = path.join(cwd, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify({ ingest: { jobs: 2 } }));
    fs.chmodSync(file, 0o666);
    const loaded = await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg, DOCCAT_DATABASE_URL: 'cmd:pass show doccat/db' } });
    expect(loaded.config.database.url).toBe('cmd:pass show doccat/db');
  });

  it('refuses a JavaScript config in a folder others can write to, but not in a sticky one', async () => {
    const { cwd, xdg, marker } = project();
    const file = path.join(cwd, 'doccat.config.cjs');
    fs.writeFileSync(file, markingConfig(marker), { mode: 0o600 });
    fs.chmodSync(cwd, 0o777);
    const error = await refusal(loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } }));
    expect(error.code).toBe('E_CONFIG_UNSAFE');
    expect(error.message).toContain(`its folder ${cwd} is writable by group or others (mode 0777)`);
    expect(error.hint).toContain(`chmod go-w ${cwd}`);
    expect(fs.existsSync(marker)).toBe(false);
    // Sticky, like /tmp: others may add files but not replace this one.
    fs.chmodSync(cwd, 0o1777);
    expect((await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } })).filepath).toBe(file);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('refuses a JavaScript config reached through a link from a folder others can write to', async () => {
    const { root, cwd, xdg, marker } = project();
    const real = path.join(root, 'mine.cjs');
    fs.writeFileSync(real, markingConfig(marker), { mode: 0o600 });
    fs.symlinkSync(real, path.join(cwd, 'doccat.config.cjs'));
    fs.chmodSync(cwd, 0o777);
    expect((await refusal(loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } }))).message).toContain(`its folder ${cwd}`);
    fs.chmodSync(cwd, 0o700);
    expect((await loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } })).filepath).toBe(path.join(cwd, 'doccat.config.cjs'));
  });

  it.runIf(isRoot)("refuses a JavaScript config that belongs to another user, with the chown", async () => {
    const { cwd, xdg, marker } = project();
    const file = path.join(cwd, 'doccat.config.cjs');
    fs.writeFileSync(file, markingConfig(marker), { mode: 0o644 });
    fs.chownSync(file, NOBODY, NOBODY);
    const error = await refusal(loadConfig({ cwd, env: { XDG_CONFIG_HOME: xdg } }));
    expect(error.code).toBe('E_CONFIG_UNSAFE');
    expect(error.message).toMatch(/belongs to another user \(uid 65534\)/);
    expect(error.hint).toContain(`chown ${os.userInfo().username} ${file}`);
    expect(fs.existsSync(marker)).toBe(false);
  });
});
