import { spawn, spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runDoccat, tempDir } from '../support/cli.js';

describe('help', () => {
  it('groups the commands of doccat --help by what they are for', async () => {
    const help = (await runDoccat(['--help'])).stdout;
    const headings = [...help.matchAll(/^([A-Z][A-Za-z &]+):$/gm)].map((match) => match[1]);
    expect(headings.slice(0, 6)).toEqual(['Options', 'Catalogue', 'Find', 'Change', 'Storage & database', 'Operations']);
    const section = (name: string) => help.split(`\n${name}:\n`)[1]?.split('\n\n')[0] ?? '';
    expect(section('Find')).toMatch(/^ {2}search /m);
    expect(section('Storage & database')).toMatch(/^ {2}db /m);
    expect(section('Operations')).toMatch(/^ {2}health /m);
  });

  it("shows the global options in every command's help, without (default: []) noise", async () => {
    const ingest = (await runDoccat(['ingest', '--help'])).stdout;
    for (const flag of ['--json', '-q, --quiet', '--catalog <dir>']) expect(ingest.split('Global Options:')[1]).toContain(flag);
    // worker's own -c is --concurrency: its help does not offer -c for --config too.
    const worker = (await runDoccat(['worker', '--help'])).stdout.split('Global Options:');
    expect(worker[0]).toContain('-c, --concurrency <n>');
    expect(worker[1]).toMatch(/^ {2}--config <path>/m);
    expect(worker[1]).not.toContain('-c, --config');
    // Every other command, through the same program the binary builds (one process, not forty).
    const { loadProgram } = await import('../../src/cli/program.js');
    const all: Command[] = [];
    const walk = (command: Command) => command.commands.forEach((sub) => {
      all.push(sub);
      walk(sub);
    });
    walk(await loadProgram());
    expect(all.map((command) => command.name())).toEqual(expect.arrayContaining(['ingest', 'search', 'migrate', 'copy', 'status']));
    for (const command of all) {
      const help = command.helpInformation();
      expect(help, command.name()).toContain('Global Options:');
      const globals = help.split('Global Options:')[1] ?? '';
      for (const flag of ['--json', '-q, --quiet', '--catalog <dir>', '--no-color']) expect(globals, command.name()).toContain(flag);
      expect(help, command.name()).not.toContain('(default: [])');
    }
  });
});

/** Runs doccat under a pseudo-terminal (util-linux script): what the terminal shows is returned. */
function onTerminal(shellCommand: string, extraEnv: NodeJS.ProcessEnv): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...extraEnv };
  for (const name of ['NO_COLOR', 'FORCE_COLOR']) if (extraEnv[name] === undefined) delete env[name];
  // stdin stays open: script ends the session when its input ends. A pseudo-terminal starts 0
  // columns wide, which no real terminal is.
  const child = spawn('script', ['-qec', `stty cols 120 rows 40; ${shellCommand}`, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  let shown = '';
  child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  return new Promise((resolve) => child.on('close', () => resolve(shown)));
}

const hasScript = spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasScript)('colour on a terminal', () => {
  const inputs = tempDir('doccat-colour-');
  fs.writeFileSync(path.join(inputs, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
  fs.writeFileSync(path.join(inputs, 'fine.txt'), 'A readable note about colours.');
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

  it("colours stderr when stderr is a terminal though stdout is a file, and stdout's table follows stdout", async () => {
    const out = path.join(tempDir(), 'out.txt');
    const env = { DOCCAT_HOME: tempDir() };
    const shown = await onTerminal(`${quote(process.execPath)} ${quote(BIN)} ingest ${quote(inputs)} > ${quote(out)}`, env);
    expect(shown).toMatch(/\u001b\[31mE_PDF_CORRUPT\u001b\[39m/);
    const written = fs.readFileSync(out, 'utf8');
    expect(written).toContain('catalogued');
    expect(written).not.toContain('\u001b[');
  });

  it('prints no colour at all on a terminal with FORCE_COLOR=0', async () => {
    const shown = await onTerminal(`${quote(process.execPath)} ${quote(BIN)} ingest ${quote(inputs)}`, { DOCCAT_HOME: tempDir(), FORCE_COLOR: '0' });
    expect(shown).toContain('E_PDF_CORRUPT');
    expect(shown).toContain('catalogued');
    // The progress spinner's cursor movements are not colour; styles (ESC [ ... m) are.
    expect(shown).not.toMatch(/\u001b\[[0-9;]*m/);
  });
});
