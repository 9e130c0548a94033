// @ts-check
// What every benchmark shares: where things are, how to print a figure, how to time a process.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const corpus = path.resolve(root, '..', 'shared', 'corpus');
export const cores = os.availableParallelism();

export function line(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

/** Wall-clock seconds of a whole process, from spawn to exit. */
export async function timeProcess(file, args, options = {}) {
  const started = performance.now();
  const result = await execFileAsync(file, args, { maxBuffer: 256 * 1024 * 1024, ...options }).catch((error) => {
    // doccat exits 3 when some files failed; the run still counts.
    if (error.code !== 3) throw error;
    return error;
  });
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}
