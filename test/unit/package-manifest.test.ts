import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

// semver ships CommonJS without types of its own here; only these two functions are used.
const semver = createRequire(import.meta.url)('semver') as { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean };

interface Manifest {
  engines: { node: string };
  dependencies: Record<string, string>;
  overrides?: Record<string, unknown>;
  files: string[];
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
  keywords?: string[];
}
interface LockEntry {
  version?: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

describe('the published package', () => {
  it('depends on no package that package.json overrides: overrides apply only where doccat is the root project', () => {
    // An override for a dependency of an installed package is ignored by npm; what needs one is
    // bundled at build time (scripts/build.mjs) and listed under devDependencies.
    for (const name of Object.keys(manifest.overrides ?? {})) expect(manifest.dependencies, `${name} is overridden`).not.toHaveProperty(name);
  });

  it('states in engines a Node floor every installed package accepts', () => {
    const floor = semver.minVersion(manifest.engines.node)?.version;
    expect(floor).toBeDefined();
    const refusing = Object.entries(lock.packages)
      .filter(([location, entry]) => location !== '' && !entry.dev && !Array.isArray(entry.engines) && entry.engines?.node)
      .filter(([, entry]) => !semver.satisfies(floor as string, (entry.engines as { node: string }).node))
      .map(([location, entry]) => `${location.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(refusing, `engines.node ${manifest.engines.node}`).toEqual([]);
  });

  it('says where it comes from', () => {
    expect(manifest.repository).toBeDefined();
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs).toBeDefined();
    expect(manifest.keywords?.length).toBeGreaterThan(0);
  });

  it('ships the bundled CLI with both of its entries, and neither sources nor source maps', async () => {
    // The test command builds first; --ignore-scripts keeps this from building again under other tests.
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = (packed?.files ?? []).map((file) => file.path);
    expect(files).toContain('bin/doccat.js');
    // bin/doccat.js imports the first; extract/isolation/pool.ts forks the second beside itself.
    expect(files).toContain('dist/app/main.js');
    expect(files).toContain('dist/app/child.js');
    expect(files).toContain('dist/app/THIRD-PARTY-LICENSES.txt');
    expect(files.filter((file) => file.endsWith('.map') || file.endsWith('.ts') || file.startsWith('src/'))).toEqual([]);
    expect(files.filter((file) => !/^(bin\/|dist\/app\/|README\.md$|package\.json$|doccat\.config\.example\.json$|LICEN[CS]E)/.test(file))).toEqual([]);
  });
});
