import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runDoccat, tempDir } from '../support/cli.js';

/**
 * `doccat completion bash` is sourced into a real bash, COMP_WORDS/COMP_CWORD are set as bash sets
 * them, and the completion function is called: what lands in COMPREPLY is what a user would see.
 */

const home = tempDir();
const bin = tempDir('doccat-completion-bin-');
const work = tempDir('doccat-completion-cwd-');
const config = path.join(work, 'doccat.config.json');

beforeAll(async () => {
  // `doccat` on PATH, as after npm install -g.
  fs.writeFileSync(path.join(bin, 'doccat'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(
    config,
    JSON.stringify({
      catalog: home,
      environments: { production: {}, staging: {} },
      storage: { backends: { cloud: { type: 'local', path: path.join(home, 'cloud') } } },
      classify: { types: [{ name: 'warranty', keywords: ['warranty'] }] },
      ai: { providers: [{ name: 'claude', type: 'anthropic', model: 'claude-test', apiKey: 'env:NOT_SET_HERE' }] },
    }),
  );
  expect((await runDoccat(['ingest', path.join(FIXTURES, 'text'), '-q'], { cwd: work })).code).toBe(0);
  expect((await runDoccat(['tag', '1', '+gardening', '+taxes-2024'], { cwd: work })).code).toBe(0);
});

/**
 * The words of a command line being completed, the last one where the cursor is; bash's variables
 * are set as bash sets them, COMP_WORDS split at colons too (the default COMP_WORDBREAKS).
 */
function completeInBash(...words: string[]): string[] {
  const script = `
set -u
source <(doccat completion bash)
COMP_LINE="doccat $*"
COMP_POINT=\${#COMP_LINE}
COMP_WORDS=(doccat $(printf '%s\\n' "$@" | sed 's/:/ : /g'))
[[ -z \${@: -1} ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_doccat_complete
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const result = spawnSync('bash', ['-c', script, 'bash', ...words], { cwd: work, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, DOCCAT_HOME: home } });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  it('completes commands and subcommands', () => {
    expect(completeInBash('se')).toEqual(['search', 'set']);
    expect(completeInBash('')).toEqual(expect.arrayContaining(['ingest', 'search', 'storage', 'completion', 'help']));
    expect(completeInBash('')).not.toContain('__complete');
    expect(completeInBash('storage', 'mi')).toEqual(['migrate']);
    expect(completeInBash('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it("completes a command's own options and the global ones", () => {
    expect(completeInBash('ingest', '--dr')).toEqual(['--dry-run']);
    expect(completeInBash('search', '--cat')).toEqual(['--catalog']);
    expect(completeInBash('search', '--n')).toEqual(expect.arrayContaining(['--ndjson', '--null', '--no-color']));
    expect(completeInBash('--log-level', 'd')).toEqual(['debug']);
  });

  it('completes types, tags, backends, providers and environments from the catalogue and the config', () => {
    expect(completeInBash('search', '--type', 'inv')).toEqual(['invoice']);
    expect(completeInBash('list', '--type', 'war')).toEqual(['warranty']);
    expect(completeInBash('search', '--tag', '')).toEqual(['gardening', 'taxes-2024']);
    // bash replaces what follows the colon: the completed word reads tag:gardening.
    expect(completeInBash('list', 'tag:gar')).toEqual(['gardening']);
    expect(completeInBash('search', 'type:war')).toEqual(['warranty']);
    expect(completeInBash('storage', 'migrate', '--to', '')).toEqual(['cloud', 'local']);
    expect(completeInBash('reclassify', '--provider', '')).toEqual(['claude']);
    expect(completeInBash('-e', '')).toEqual(['production', 'staging']);
    expect(completeInBash('search', '--env', 'st')).toEqual(['staging']);
  });

  it('reads the catalogue named on the command line', () => {
    const other = tempDir();
    expect(completeInBash('--catalog', other, 'search', '--tag', '')).toEqual([]);
  });
});

describe('doccat __complete', () => {
  it('never fails loudly: a broken config or a missing catalogue offers no values, silently, with exit 0', async () => {
    const broken = tempDir('doccat-completion-broken-');
    fs.writeFileSync(path.join(broken, 'doccat.config.json'), '{ not json');
    const result = await runDoccat(['__complete', 'bash', 'search', '--tag', ''], { cwd: broken, home: tempDir() });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const commands = await runDoccat(['__complete', 'bash', 'inge'], { cwd: broken });
    expect(commands).toMatchObject({ code: 0, stdout: 'ingest\n', stderr: '' });
  });

  it('prints scripts for zsh and fish that call it, and rejects other shells', async () => {
    for (const shell of ['zsh', 'fish']) {
      const result = await runDoccat(['completion', shell]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`doccat __complete ${shell}`);
    }
    expect((await runDoccat(['completion', 'tcsh'])).code).toBe(2);
  });
});
