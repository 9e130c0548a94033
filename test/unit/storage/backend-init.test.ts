import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadProgram } from '../../../src/cli/program.js';
import { tempDir } from '../../support/cli.js';
import { runInProcess } from '../../support/in-process-cli.js';

/**
 * A backend type that `doccat init` offers is its file and one registry entry, like a provider
 * (provider-registry.test.ts): the test-only memory backend (test/support/memory-blob-store.ts,
 * which declares its init questions) is added by mocking the registry module, the one line a real
 * backend would add, and nothing else is edited. init's --storage choices, its flags, --yes and
 * the config it writes then take it like local and s3, and the health check opens it.
 */
vi.mock('../../../src/storage/backends/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/storage/backends/registry.js')>();
  // Imported here: vi.mock runs before the file's own imports.
  const memory = await import('../../support/memory-blob-store.js');
  return {
    ...actual,
    BACKEND_TYPES: [...actual.BACKEND_TYPES, { type: 'memory', schema: memory.memoryBackendSchema, secretOptions: [{ option: 'token', optional: false }], init: memory.memoryBackendInit, open: async (name: string, options: never, context: never) => memory.openMemoryBlobStore(name, options, context) }],
  };
});

const TOKEN = 'memory-token-TESTSECRET';
let dir: string;
let cwd: string;

beforeAll(() => {
  cwd = process.cwd();
  dir = tempDir();
  process.chdir(dir);
  vi.stubEnv('NO_COLOR', '1');
  vi.stubEnv('DOCCAT_HOME', path.join(dir, 'home'));
  vi.stubEnv('MY_MEMORY_TOKEN', TOKEN);
});
afterAll(() => {
  process.chdir(cwd);
  vi.unstubAllEnvs();
});

const doccat = (...args: string[]) => runInProcess(args, { errors: 'print' });

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('a backend type added to the registry only', () => {
  it('is among init --storage choices, with its questions as flags', async () => {
    const init = (await loadProgram()).commands.find((command) => command.name() === 'init');
    const help = init?.helpInformation() ?? '';
    expect(help).toMatch(/--storage <kind> +local \(default\), s3 or memory\n/);
    expect(help).toMatch(/--memory-space <name> +space for --storage memory\n/);
    expect(help).toMatch(/--memory-token <reference> +where the token is \(default env:MEMORY_TOKEN\)\n/);
  });

  it('is written by init --yes --storage memory, from its flags and defaults, and passes the health check', async () => {
    const file = path.join(dir, 'memory.json');
    const result = await doccat('--catalog', path.join(dir, 'catalog'), '--json', 'init', '--yes', '-o', file, '--storage', 'memory', '--memory-space', 'scans', '--memory-token', 'env:MY_MEMORY_TOKEN');
    expect(readJson(file)).toEqual({ catalog: path.join(dir, 'catalog'), storage: { backend: 'memory', backends: { memory: { type: 'memory', space: 'scans', token: 'env:MY_MEMORY_TOKEN' } } }, ocr: { languages: ['eng'] } });
    // The health check opened the store through the registry, with the token's value resolved.
    const checks = (JSON.parse(result.stdout) as { checks: { check: string; status: string }[] }).checks;
    expect(checks.find((check) => check.check === 'storage memory')).toMatchObject({ status: 'ok' });
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('is chosen by its required flag alone, with the default for the rest', async () => {
    const file = path.join(dir, 'implied.json');
    const result = await doccat('init', '--yes', '--no-health', '-o', file, '--memory-space', 'inbox');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readJson(file)).toMatchObject({ storage: { backend: 'memory', backends: { memory: { type: 'memory', space: 'inbox', token: 'env:MEMORY_TOKEN' } } } });
  });

  it('says which flag --yes is missing, and refuses a secret where a reference belongs, writing nothing', async () => {
    const missing = await doccat('init', '--yes', '--no-health', '-o', path.join(dir, 'missing.json'), '--storage', 'memory');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('E_USAGE --storage memory needs --memory-space\n  hint: name the space, e.g. --memory-space scans');

    const inline = await doccat('init', '--yes', '--no-health', '-o', path.join(dir, 'inline.json'), '--memory-space', 'scans', '--memory-token', TOKEN);
    expect(inline.exitCode).toBe(2);
    expect(inline.stderr).toMatch(/E_USAGE --memory-token takes where the secret is \(env:NAME, file:PATH or cmd:COMMAND\), never the secret itself/);
    expect(inline.stderr).not.toContain(TOKEN);

    const unknown = await doccat('init', '--yes', '--no-health', '-o', path.join(dir, 'ftp.json'), '--storage', 'ftp');
    expect(unknown.stderr).toContain('E_USAGE --storage ftp: use local, s3 or memory');
    for (const name of ['missing.json', 'inline.json', 'ftp.json']) expect(fs.existsSync(path.join(dir, name))).toBe(false);
  });
});
