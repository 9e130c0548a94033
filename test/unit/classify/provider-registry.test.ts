import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { tempDir } from '../../support/cli.js';
import { runInProcess } from '../../support/in-process-cli.js';
import { openTestCatalog } from '../../support/catalogs.js';
import { connections } from '../../support/echo-provider.js';
import { type Harness, INVOICE, input, makeService } from './harness.js';

/**
 * A new provider type is its client file and one registry entry: here the entry is added by
 * mocking the registry module (the one line a real provider would add), and nothing else is
 * edited. The type then goes through config validation, `doccat init`, `config check`,
 * `health --deep` and classification like the built-in ones.
 */
vi.mock('../../../src/classify/providers/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/classify/providers/registry.js')>();
  return {
    ...actual,
    PROVIDER_TYPES: [
      ...actual.PROVIDER_TYPES,
      { type: 'echo', label: 'Echo (test)', initName: 'echo', defaultKeyVariable: 'ECHO_API_KEY', defaultModel: 'echo-1', defaultPrice: { inputPerMTok: 1, outputPerMTok: 2 }, load: async () => (await import('../../support/echo-provider.js')).createClient },
    ],
  };
});

const KEY = 'echo-key-TESTSECRET';
let dir: string;
let cwd: string;

beforeAll(() => {
  cwd = process.cwd();
  dir = tempDir();
  process.chdir(dir);
  vi.stubEnv('ECHO_API_KEY', KEY);
  vi.stubEnv('NO_COLOR', '1');
});
afterAll(() => {
  process.chdir(cwd);
  vi.unstubAllEnvs();
});
afterEach(() => {
  vi.restoreAllMocks();
  connections.length = 0;
});

const doccat = (...args: string[]) => runInProcess(args);

describe('a provider type added to the registry only', () => {
  it('is a valid type in the configuration, with its default key variable', () => {
    const config = configSchema.parse({ ai: { providers: [{ name: 'e', type: 'echo', model: 'echo-1' }] } });
    expect(config.ai.providers[0]?.type).toBe('echo');
    expect(() => configSchema.parse({ ai: { providers: [{ name: 'e', type: 'other', model: 'x' }] } })).toThrow(/expected one of .*anthropic.*openai.*gemini.*echo/);
  });

  it('is offered by doccat init, named and with the model the registry gives', async () => {
    const file = path.join(dir, 'init.json');
    const result = await doccat('--catalog', path.join(dir, 'init-catalog'), 'init', '--yes', '--no-health', '-o', file, '--provider', 'echo');
    expect(result.exitCode).toBe(0);
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { ai: { providers: unknown[] } };
    expect(written.ai.providers).toEqual([{ name: 'echo', type: 'echo', model: 'echo-1', apiKey: 'env:ECHO_API_KEY', priority: 1 }]);
  });

  it('has its key checked by config check and answers health --deep, with the key resolved', async () => {
    const file = path.join(dir, 'doccat.config.json');
    fs.writeFileSync(file, JSON.stringify({ ai: { providers: [{ name: 'e', type: 'echo', model: 'echo-2' }] } }));
    const check = await doccat('-c', file, '--catalog', path.join(dir, 'catalog'), '--json', 'config', 'check');
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout).references).toEqual([expect.objectContaining({ setting: 'ai.providers.e.apiKey', reference: 'env:ECHO_API_KEY', present: true })]);

    const health = await doccat('-c', file, '--catalog', path.join(dir, 'catalog'), '--json', 'health', '--deep');
    const checks = (JSON.parse(health.stdout) as { checks: { check: string; status: string; detail: string }[] }).checks;
    expect(checks.find((item) => item.check === 'provider e')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^echo echo-2, key env:ECHO_API_KEY#[0-9a-f]{6}; answered a test request \(type invoice\); the provider says: echo serves echo-2$/) });
    // The client got the key's value, not its reference.
    expect(connections).toEqual([expect.objectContaining({ name: 'e', model: 'echo-2', apiKey: KEY, credential: 'env:ECHO_API_KEY' })]);
  });

  it('classifies a document through the AI service', async () => {
    const catalog = await openTestCatalog('sqlite');
    try {
      const harness: Harness = { get fake(): never { throw new Error('the echo provider needs no fake server'); }, catalog: () => catalog, logLines: [] };
      const service = makeService(harness, [{ name: 'e', type: 'echo', model: 'echo-3' }], {}, { env: { ECHO_API_KEY: KEY } });
      const result = await service.classify(input(INVOICE, 'invoice.txt'));
      expect(result).toMatchObject({ type: 'invoice', classifier: 'e' });
      expect(connections).toEqual([expect.objectContaining({ model: 'echo-3', apiKey: KEY })]);
    } finally {
      await catalog.close();
    }
  });
});
