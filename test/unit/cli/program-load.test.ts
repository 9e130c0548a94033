import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../../src/cli/program.js';

const optionCount = async (argv: string[], name: string) => (await loadProgram(argv)).commands.find((command) => command.name() === name)?.options.length;

describe('the program a run builds', () => {
  it('registers the command a run names in full and only lists the others', async () => {
    expect(await optionCount(['node', 'doccat', 'search', 'acme'], 'search')).toBeGreaterThan(5);
    expect(await optionCount(['node', 'doccat', 'search', 'acme'], 'ingest')).toBe(0);
    expect(await optionCount(['node', 'doccat', 'search', 'acme'], 'init')).toBe(0);
    const listed = (await loadProgram(['node', 'doccat', 'search', 'acme'])).commands.map((command) => command.name());
    expect(listed).toEqual((await loadProgram()).commands.map((command) => command.name()));
  });

  it('registers every command in full for help, completion, no command or an unknown one', async () => {
    for (const argv of [['node', 'doccat', 'search', '--help'], ['node', 'doccat', 'help', 'ingest'], ['node', 'doccat'], ['node', 'doccat', 'serach'], ['node', 'doccat', '__complete', 'bash', 'in']]) {
      expect(await optionCount(argv, 'ingest'), argv.join(' ')).toBeGreaterThan(5);
      expect(await optionCount(argv, 'init'), argv.join(' ')).toBeGreaterThan(5);
    }
  });

  it('registers init in full, with its storage backends\' flags, when a run names it', async () => {
    const init = (await loadProgram(['node', 'doccat', '--catalog', 'x', 'init', '--yes'])).commands.find((command) => command.name() === 'init');
    expect(init?.options.map((option) => option.long)).toContain('--s3-bucket');
  });
});
