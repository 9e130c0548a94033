import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { defaultCatalogDir, envOverrideNames, loadConfig } from '../../../src/config/load.js';
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

  it('discovers doccat.config.json upwards from the working folder and resolves paths against it', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify({ catalog: 'cat', ingest: { jobs: 3 } }));
    const nested = path.join(project, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    const loaded = await loadConfig({ cwd: nested, env: {} });
    expect(loaded.filepath).toBe(path.join(project, 'doccat.config.json'));
    expect(loaded.config.ingest.jobs).toBe(3);
    expect(loaded.catalogDir).toBe(path.join(project, 'cat'));
    expect(loaded.databasePath).toBe(path.join(project, 'cat', 'catalog.db'));
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
    const loaded = await loadConfig({ cwd: tempDir(), env: { DOCCAT_INGEST_JOBS: '5', DOCCAT_OCR_LANGUAGES: 'eng, deu', DOCCAT_OCR_ENABLED: 'false', DOCCAT_INGEST_MAX_FILE_SIZE_MB: '10' } });
    expect(loaded.config.ingest.jobs).toBe(5);
    expect(loaded.config.ocr.languages).toEqual(['eng', 'deu']);
    expect(loaded.config.ocr.enabled).toBe(false);
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
});
