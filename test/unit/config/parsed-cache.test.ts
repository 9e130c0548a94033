import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { parsedConfigKey } from '../../../src/config/parsed-cache.js';
import { configSchema } from '../../../src/config/schema.js';
import { envOverrideNames } from '../../../src/config/validate.js';
import { DoccatError } from '../../../src/errors.js';
import { tempDir } from '../../support/cli.js';

/**
 * Configurations zod accepted are kept by what they were made from (config/parsed-cache.ts). The
 * build names itself in __DOCCAT_BUILD_ID__; sources run by vitest have none (so other tests
 * never share entries), and this file sets one on the global the name resolves to.
 */
const globals = globalThis as { __DOCCAT_BUILD_ID__?: string };

beforeAll(() => {
  globals.__DOCCAT_BUILD_ID__ = 'unit-test-build';
});
afterAll(() => {
  delete globals.__DOCCAT_BUILD_ID__;
});

function setUp(config: unknown) {
  const project = tempDir();
  const cacheHome = tempDir();
  fs.chmodSync(cacheHome, 0o700);
  fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify(config));
  const folder = path.join(cacheHome, 'doccat', 'config');
  const entries = () => (fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.endsWith('.json')) : []);
  return { project, cacheHome, folder, entries, env: { XDG_CACHE_HOME: cacheHome } as NodeJS.ProcessEnv };
}

describe('configurations zod accepted are kept', () => {
  it('answers a second load from the entry the first wrote, equal to what zod gives', async () => {
    const { project, folder, entries, env } = setUp({ ingest: { jobs: 3 }, ocr: { languages: ['deu'] } });
    const first = await loadConfig({ cwd: project, env });
    expect(entries()).toHaveLength(1);
    expect((fs.statSync(folder).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(path.join(folder, entries()[0] as string)).mode & 0o777).toString(8)).toBe('600');
    // A planted entry under the same name shows that the second load read it instead of zod.
    const file = path.join(folder, entries()[0] as string);
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; config: { ingest: { jobs: number } } };
    expect(entry.config).toEqual(configSchema.parse({ ingest: { jobs: 3 }, ocr: { languages: ['deu'] } }));
    entry.config.ingest.jobs = 7;
    fs.writeFileSync(file, JSON.stringify(entry));
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(7);
    expect(first.config.ingest.jobs).toBe(3);
  });

  it('keys on the file, the DOCCAT_* variables, the environment and the build', () => {
    const base = { raw: { ingest: { jobs: 3 } }, environment: undefined, env: { DOCCAT_HOME: '/a' } };
    const key = parsedConfigKey(base);
    expect(parsedConfigKey({ ...base, env: { DOCCAT_HOME: '/b', PATH: '/usr/bin' } })).toBe(key);
    expect(parsedConfigKey({ ...base, raw: { ingest: { jobs: 4 } } })).not.toBe(key);
    expect(parsedConfigKey({ ...base, environment: 'production' })).not.toBe(key);
    expect(parsedConfigKey({ ...base, env: { ...base.env, DOCCAT_INGEST_JOBS: '5' } })).not.toBe(key);
    globals.__DOCCAT_BUILD_ID__ = 'another-build';
    expect(parsedConfigKey(base)).not.toBe(key);
    globals.__DOCCAT_BUILD_ID__ = 'unit-test-build';
  });

  it('leaves out of the key only variables that are no setting', () => {
    const settings = [...envOverrideNames().keys()];
    expect(settings.length).toBeGreaterThan(50);
    const base = { raw: {}, environment: undefined, env: {} };
    for (const name of settings) expect(parsedConfigKey({ ...base, env: { [name]: '1' } }), name).not.toBe(parsedConfigKey(base));
  });

  it('keeps no configuration that holds a credential in a URL', async () => {
    for (const config of [{ database: { url: 'postgres://doccat:s3cret@db.example/doccat' } }, { hooks: { onDocument: ['https://chat.example/hook?token=abc'] } }]) {
      const { project, entries, env } = setUp(config);
      const loaded = await loadConfig({ cwd: project, env });
      expect(JSON.stringify(loaded.config)).toContain(config.database ? 's3cret' : 'token=abc');
      expect(entries()).toHaveLength(0);
    }
    const { project, entries, env } = setUp({ database: { url: 'env:DATABASE_URL' }, storage: { backend: 's3', backends: { s3: { type: 's3', bucket: 'b', region: 'r', endpoint: 'https://s3.example' } } } });
    await loadConfig({ cwd: project, env });
    expect(entries()).toHaveLength(1);
  });

  it('applies a DOCCAT_* variable set after the entry was written', async () => {
    const { project, env } = setUp({ ingest: { jobs: 3 } });
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(3);
    expect((await loadConfig({ cwd: project, env: { ...env, DOCCAT_INGEST_JOBS: '5' } })).config.ingest.jobs).toBe(5);
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(3);
  });

  it('checks an edited file again and keeps no configuration with a mistake', async () => {
    const { project, entries, env } = setUp({ ingest: { jobs: 3 } });
    await loadConfig({ cwd: project, env });
    fs.writeFileSync(path.join(project, 'doccat.config.json'), JSON.stringify({ ingest: { jobs: 0 } }));
    for (let run = 0; run < 2; run += 1) {
      const error = await loadConfig({ cwd: project, env }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DoccatError);
      expect((error as DoccatError).code).toBe('E_CONFIG_INVALID');
    }
    expect(entries()).toHaveLength(1);
  });

  it('ignores an entry cut short or made for another key, and a folder others may write to', async () => {
    const { project, folder, entries, env } = setUp({ ingest: { jobs: 3 } });
    await loadConfig({ cwd: project, env });
    const file = path.join(folder, entries()[0] as string);
    fs.writeFileSync(file, '{"key":"');
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(3);
    fs.writeFileSync(file, JSON.stringify({ key: 'f'.repeat(64), config: { ingest: { jobs: 9 } } }));
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(3);
    // Rewritten by the loads above; now poisoned, in a folder the group may write to.
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; config: { ingest: { jobs: number } } };
    entry.config.ingest.jobs = 9;
    fs.writeFileSync(file, JSON.stringify(entry));
    fs.chmodSync(folder, 0o770);
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(3);
    fs.chmodSync(folder, 0o700);
    expect((await loadConfig({ cwd: project, env })).config.ingest.jobs).toBe(9);
    expect((await loadConfig({ cwd: project, env: { ...env, DOCCAT_CONFIG_CACHE: '0' } })).config.ingest.jobs).toBe(3);
  });

  it('keeps at most 64 entries, removing the oldest, and no write a kill cut short', async () => {
    const { project, folder, entries, env } = setUp({});
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    for (let index = 0; index < 64; index += 1) {
      const file = path.join(folder, `${String(index).padStart(64, '0')}.json`);
      fs.writeFileSync(file, '{}');
      fs.utimesSync(file, new Date(1_000_000 + index * 1000), new Date(1_000_000 + index * 1000));
    }
    const stale = path.join(folder, 'abc.json.4242.tmp');
    const fresh = path.join(folder, 'abc.json.4243.tmp');
    fs.writeFileSync(stale, '{');
    fs.utimesSync(stale, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    fs.writeFileSync(fresh, '{');
    await loadConfig({ cwd: project, env });
    // A write cut short by a kill is removed once it is old enough not to be one in progress.
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    const left = entries();
    expect(left).toHaveLength(32);
    expect(left).not.toContain(`${'0'.repeat(64)}.json`);
    expect(left.filter((name) => !name.startsWith('0000'))).toHaveLength(1);
  });
});
