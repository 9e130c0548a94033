import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.mjs';
import { prepareCapture, scanCapture } from './secret-scan.js';

/**
 * One Postgres server for the whole run (each test file makes its own databases on it), and at
 * the end a search of everything doccat printed or logged during the run for test secrets.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const captureDir = prepareCapture();
  const server = await startPostgres();
  project.provide('pgUrl', server.url);
  return async () => {
    await server.stop();
    const { files, lines, leaks } = scanCapture(captureDir);
    process.stderr.write(`secret scan: ${files} captured outputs and logs, ${lines} lines, ${leaks.length} leak(s) (${captureDir})\n`);
    // A partial run (one unit test file) may start no doccat process at all.
    if (files === 0) return;
    if (leaks.length === 0) {
      fs.rmSync(captureDir, { recursive: true, force: true });
      return;
    }
    process.stderr.write(`secret scan FAILED: test secrets were written by doccat:\n${leaks.slice(0, 20).map((leak) => `  ${leak.file}: ${leak.secret} in ${leak.line}`).join('\n')}\n`);
    // vitest reports an error thrown here but still exits 0: the exit code must say it.
    process.exitCode = 1;
    throw new Error('secret scan: test secrets found in doccat output (see above)');
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
