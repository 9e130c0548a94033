import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { defaultCatalogDir, loadConfig } from '../../../src/config/load.js';
import { envOverrideNames } from '../../../src/config/validate.js';
import { exampleConfig } from '../../../src/config/example.js';
import { DoccatError } from '../../../src/errors.js';
import { REPO_ROOT, tempDir } from '../../support/cli.js';

function leafPaths(value: unknown, prefix: string[] = []): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
  }
  return [prefix.join('.')];
}

describe('configuration', () => {
  it('needs no file: defaults validate and the catalogue goes to DOCCAT_HOME, XDG_DATA_HOME or ~/.local/share', () => {
    expect(() => configSchema.parse({})).not.toThrow();
    expect(defaultCatalogDir({ DOCCAT_HOME: '/data/cat', XDG_DATA_HOME: '/x' })).toBe('/data/cat');
    expect(defaultCatalogDir({ XDG_DATA_HOME: '/x' })).toBe('/x/doccat');
    expect(defaultCatalogDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'doccat'));
  });

  it('ships an example that validates, shows every option and matches the schema', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'doccat.config.example.json'), 'utf8')) as unknown;
    expect(configSchema.safeParse(committed).success).toBe(true);
    // Regenerate with `npm run config:example` when the schema changes.
    expect(committed).toEqual(exampleConfig());
    const documented = new Set(leafPaths(committed));
    // A map of named entries (storage.backends) is shown by its entries' own options.
    const shown = (option: string) => documented.has(option) || [...documented].some((leaf) => leaf.startsWith(`${option}.`));
    for (const { path: optionPath } of envOverrideNames().values()) expect(shown(optionPath.join('.')), optionPath.join('.')).toBe(true);
  });

  it('finds doccat.config.json in the working folder, not above it, and resolves paths against it', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify({ catalog: 'cat', ingest: { jobs: 3 } }));
    const loaded = await loadConfig({ cwd: project, env: {} });
    expect(loaded.filepath).toBe(path.join(project, 'doccat.config.json'));
    expect(loaded.config.ingest.jobs).toBe(3);
    expect(loaded.catalogDir).toBe(path.join(project, 'cat'));
    expect(loaded.databasePath).toBe(path.join(project, 'cat', 'catalog.db'));
    const nested = path.join(project, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    const below = await loadConfig({ cwd: nested, env: { XDG_CONFIG_HOME: tempDir() } });
    expect(below.filepath).toBeUndefined();
    expect(below.config.ingest.jobs).toBeUndefined();
  });

  it('reads a "doccat" key in package.json and YAML files', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'x', doccat: { ocr: { languages: ['deu'] } } }));
    expect((await loadConfig({ cwd: project, env: {} })).config.ocr.languages).toEqual(['deu']);
    const yamlProject = tempDir();
    fs.writeFileSync(path.join(yamlProject, 'doccat.config.yaml'), 'ingest:\n  exclude:\n    - "*.tmp"\n');
    expect((await loadConfig({ cwd: yamlProject, env: {} })).config.ingest.exclude).toEqual(['*.tmp']);
  });

  it('lets DOCCAT_* variables override single options, typed by the schema', async () => {
    const loaded = await loadConfig({ cwd: tempDir(), env: { DOCCAT_INGEST_JOBS: '5', DOCCAT_OCR_LANGUAGES: 'eng, deu', DOCCAT_FEATURES_OCR: 'false', DOCCAT_INGEST_MAX_FILE_SIZE_MB: '10' } });
    expect(loaded.config.ingest.jobs).toBe(5);
    expect(loaded.config.ocr.languages).toEqual(['eng', 'deu']);
    expect(loaded.config.features.ocr).toBe(false);
    expect(loaded.config.ingest.maxFileSizeMb).toBe(10);
  });

  it('prefers --catalog over the config file and the environment', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify({ catalog: 'from-file' }));
    const loaded = await loadConfig({ cwd: project, catalogDir: 'from-flag', env: { DOCCAT_HOME: '/elsewhere' } });
    expect(loaded.catalogDir).toBe(path.join(project, 'from-flag'));
  });

  it('reports every invalid value as a "path: message" line with exit code 2', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify({ ingest: { jobs: -1 }, ocr: { renderDpi: 'high' } }));
    const error = await loadConfig({ cwd: project, env: { DOCCAT_INGEST_MAX_FILE_SIZE_MB: 'lots' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DoccatError);
    expect((error as DoccatError).code).toBe('E_CONFIG_INVALID');
    expect((error as DoccatError).exitCode).toBe(2);
    const message = (error as DoccatError).message;
    expect(message).toMatch(/^ {2}ingest\.jobs: /m);
    expect(message).toMatch(/^ {2}ocr\.renderDpi: /m);
    expect(message).toMatch(/^ {2}ingest\.maxFileSizeMb: /m);
  });

  it('says clearly when --config names a missing file', async () => {
    const error = await loadConfig({ cwd: tempDir(), configPath: 'nope.json', env: {} }).catch((caught: unknown) => caught);
    expect((error as DoccatError).code).toBe('E_CONFIG_NOT_FOUND');
    expect((error as DoccatError).exitCode).toBe(2);
  });

  describe('environments', () => {
    const write = (config: unknown) => {
      const project = tempDir();
      fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify(config));
      return project;
    };
    const file = {
      ingest: { jobs: 2, exclude: ['*.tmp'] },
      ocr: { languages: ['eng'], renderDpi: 200 },
      database: { url: 'env:DATABASE_URL' },
      environments: {
        production: { ingest: { jobs: 8 }, ocr: { languages: ['eng', 'deu'] } },
        ci: { database: { url: null }, features: { ai: false } },
      },
    };

    it('resolves in the documented order: default < file < environment overlay < DOCCAT_* variable', async () => {
      const project = write(file);
      const base = await loadConfig({ cwd: project, env: {} });
      expect(base.environment).toBeUndefined();
      expect(base.config.ingest.jobs).toBe(2);
      const production = await loadConfig({ cwd: project, environment: 'production', env: {} });
      expect(production.environment).toBe('production');
      // Objects merge key by key; arrays replace.
      expect(production.config.ingest).toMatchObject({ jobs: 8, exclude: ['*.tmp'] });
      expect(production.config.ocr).toMatchObject({ languages: ['eng', 'deu'], renderDpi: 200, pageTimeoutMs: 180_000 });
      const fromVariable = await loadConfig({ cwd: project, env: { DOCCAT_ENV: 'production', DOCCAT_INGEST_JOBS: '3' } });
      expect(fromVariable.environment).toBe('production');
      expect(fromVariable.config.ingest.jobs).toBe(3);
      expect(fromVariable.config.ocr.languages).toEqual(['eng', 'deu']);
      // --env wins over DOCCAT_ENV; null in an overlay removes a setting of the base.
      const ci = await loadConfig({ cwd: project, environment: 'ci', env: { DOCCAT_ENV: 'production' } });
      expect(ci.config.database.url).toBeUndefined();
      expect(ci.config.features).toEqual({ ocr: true, ai: false, redaction: false, learning: true });
    });

    it('refuses an unknown environment, naming the known ones', async () => {
      const error = (await loadConfig({ cwd: write(file), environment: 'prod', env: {} }).catch((caught: unknown) => caught)) as DoccatError;
      expect(error.code).toBe('E_CONFIG_ENV_UNKNOWN');
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/no environment "prod" .*\(known: production, ci\)/);
      const none = (await loadConfig({ cwd: tempDir(), env: { DOCCAT_ENV: 'staging' } }).catch((caught: unknown) => caught)) as DoccatError;
      expect(none.code).toBe('E_CONFIG_ENV_UNKNOWN');
    });

    it('checks every overlay, also those not in use', async () => {
      const project = write({ ...file, environments: { ...file.environments, staging: { ingest: { jobs: 'lots' } } } });
      const error = (await loadConfig({ cwd: project, env: {} }).catch((caught: unknown) => caught)) as DoccatError;
      expect(error.code).toBe('E_CONFIG_INVALID');
      expect(error.message).toMatch(/^ {2}environments\.staging\.ingest\.jobs: /m);
    });
  });

  describe('secret references', () => {
    it('reads env:, file: and cmd: references, trimmed, and fingerprints them', async () => {
      const { resolveSecret } = await import('../../../src/config/secrets.js');
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'key'), 'from-file-TESTSECRET\n');
      expect(resolveSecret('env:K', { env: { K: 'from-env-TESTSECRET' } })?.value).toBe('from-env-TESTSECRET');
      expect(resolveSecret('file:key', { baseDir: dir })).toMatchObject({ value: 'from-file-TESTSECRET', id: expect.stringMatching(/^file:key#[0-9a-f]{6}$/) });
      // A password manager is a command that prints the secret; it runs in the config's folder.
      fs.writeFileSync(path.join(dir, 'vault.sh'), '#!/bin/sh\necho "from-cmd-TESTSECRET-$VAULT_ITEM"\n', { mode: 0o755 });
      expect(resolveSecret('cmd:./vault.sh', { baseDir: dir, env: { ...process.env, VAULT_ITEM: 'openai' } })?.value).toBe('from-cmd-TESTSECRET-openai');
      expect(resolveSecret('env:UNSET', { env: {} })).toBeUndefined();
      expect(resolveSecret('cmd:printf ""', { baseDir: dir })).toBeUndefined();
    });

    it('reports a failing or waiting command without what it printed on stdout', async () => {
      const { resolveSecret } = await import('../../../src/config/secrets.js');
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'locked.sh'), '#!/bin/sh\necho half-TESTSECRET\necho "vault is locked" >&2\nexit 3\n', { mode: 0o755 });
      const failing = (() => {
        try {
          resolveSecret('cmd:./locked.sh', { baseDir: dir });
        } catch (error) {
          return error as DoccatError;
        }
        return undefined;
      })();
      expect(failing?.code).toBe('E_SECRET_COMMAND');
      expect(failing?.message).toMatch(/exited with 3: vault is locked/);
      expect(failing?.message).not.toContain('half-TESTSECRET');
      // stdin is closed: a command that asks for input gets end-of-file instead of waiting.
      expect(() => resolveSecret('cmd:read answer && echo "$answer"', { baseDir: tempDir() })).toThrow(/exited with 1/);
    });

    it('accepts a list of keys per provider and refuses a secret written inline', () => {
      const base = { name: 'gpt', type: 'openai', model: 'gpt-4o-mini' };
      expect(configSchema.safeParse({ ai: { providers: [{ ...base, apiKey: ['env:A', 'cmd:pass show b', 'file:/run/secrets/c'] }] } }).success).toBe(true);
      const inline = configSchema.safeParse({ ai: { providers: [{ ...base, apiKey: 'sk-proj-inline' }] } });
      expect(inline.success).toBe(false);
    });
  });
});
