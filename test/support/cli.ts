import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureEnv, captureOutput } from './secret-scan.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin', 'doccat.js');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'documents');
export const CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Called with each complete stdout line as it arrives (for --ndjson). */
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void;
  /** Called once the process is started, e.g. to sample its memory or kill it at some moment. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** Runs the built doccat binary as a user would, with its own catalogue folder. */
export function runDoccat(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...captureEnv(args, options.env), ...options.env };
  if (options.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR;
  if (options.home) env.DOCCAT_HOME = options.home;
  const spawnOptions: SpawnOptions = { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] };
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], spawnOptions);
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!options.onLine) return;
      pending += chunk.toString();
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        options.onLine(pending.slice(0, newline), child);
        pending = pending.slice(newline + 1);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      captureOutput(args, stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs doccat with test/support/module-log.mjs loaded, and gives back with its result the URLs
 * of the modules it loaded that contain `match` ('' when none did): to see what a run loaded.
 */
export async function runLoadingModules(args: string[], match: string, options: RunOptions = {}): Promise<{ result: RunResult; modules: string }> {
  const log = path.join(tempDir(), 'modules.log');
  const env = { ...options.env, NODE_OPTIONS: `--import ${path.join(REPO_ROOT, 'test/support/module-log.mjs')}`, DOCCAT_TEST_MODULE_LOG: log, DOCCAT_TEST_MODULE_MATCH: match };
  const result = await runDoccat(args, { ...options, env });
  return { result, modules: fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '' };
}

export function tempDir(prefix = 'doccat-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface IngestJson {
  runId: string;
  summary: { total: number; catalogued: number; duplicate: number; unchanged: number; failed: number; new: number; parts: number; ocrPages: number; interrupted: boolean };
  files: { path: string; status: string; correlationId?: string; documentId?: number; sha256?: string; type?: string; method?: string; pages?: number; ocrPages?: number; ocrEngine?: string; words?: number; parts?: { documentId: number; name: string; status: string }[]; error?: { code: string; message: string; hint?: string } }[];
}

export function parseIngestJson(result: RunResult): IngestJson {
  try {
    return JSON.parse(result.stdout) as IngestJson;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}
