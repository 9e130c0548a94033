import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretLookup } from '../../../src/config/secrets.js';
import { tempDir } from '../../support/cli.js';

/**
 * Secrets are resolved in config/ (secretLookup, resolveProviderKeys): the classifier and the
 * blob backends are handed values and never resolve a reference themselves, so how references
 * work (schemes, caching, redaction, relative paths) stays in one place.
 */
const root = path.resolve(import.meta.dirname, '../../../src');

function sources(folder: string): string[] {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

describe('where secret references are resolved', () => {
  it('nowhere in classify/ or storage/: they import nothing but types from config/secrets', () => {
    const offenders = [...sources('classify'), ...sources('storage')].filter((file) => {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      // A value import of the resolver module, static or dynamic; `import type` is fine.
      return /^import (?!type )[^;]*from '[./]*config\/secrets\.js';/m.test(text) || /import\('[./]*config\/secrets\.js'\)/.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('nowhere in hooks/ either: webhook URLs and signing secrets arrive through a lookup', () => {
    const offenders = sources('hooks').filter((file) => {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      return /^import (?!type )[^;]*from '[./]*config\/secrets\.js';/m.test(text) || /import\('[./]*config\/secrets\.js'\)/.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('nowhere outside config/: the rest of src asks the command lookup (secretLookup), never the resolver', () => {
    const folders = fs.readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'config');
    const files = [...fs.readdirSync(root).filter((file) => file.endsWith('.ts')), ...folders.flatMap((entry) => sources(entry.name))];
    // resolveSecret resolves outside any command's lookup: no per-command cache, no common missing-secret error.
    const offenders = files.filter((file) => /\bresolveSecret\b/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('once per command: a lookup resolves each reference once, relative to the config folder', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'key'), 'first-TESTSECRET\n');
    const secret = secretLookup({ baseDir: dir });
    expect(secret('file:key')?.value).toBe('first-TESTSECRET');
    fs.writeFileSync(path.join(dir, 'key'), 'second-TESTSECRET\n');
    // Every provider and backend that names the same reference gets the same key during a command.
    expect(secret('file:key')?.value).toBe('first-TESTSECRET');
    expect(secretLookup({ baseDir: dir })('file:key')?.value).toBe('second-TESTSECRET');
  });
});
