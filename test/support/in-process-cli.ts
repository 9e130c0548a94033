import { vi } from 'vitest';
import { commandResult, loadProgram } from '../../src/cli/program.js';
import { DoccatError } from '../../src/errors.js';

export interface InProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in this process, as bin/doccat.js would, and returns what it printed: for tests
 * that register a type by mocking a registry module, which a spawned doccat would not see. With
 * `errors: 'print'` a DoccatError ends as main.ts ends it (its code and message on stderr, its exit
 * code); otherwise it is thrown to the test.
 */
export async function runInProcess(args: string[], options: { errors?: 'print' | 'throw' } = {}): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  commandResult.exitCode = 0;
  try {
    await (await loadProgram()).exitOverride().parseAsync(['node', 'doccat', ...args]);
  } catch (error) {
    if (options.errors !== 'print' || !(error instanceof DoccatError)) throw error;
    stderr += `${error.code} ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}\n`;
    commandResult.exitCode = error.exitCode;
  } finally {
    vi.restoreAllMocks();
  }
  return { exitCode: commandResult.exitCode, stdout, stderr };
}
