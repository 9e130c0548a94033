import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO_ROOT } from './cli.js';
import { captureEnv, captureOutput } from './secret-scan.js';

/** One line of `doccat watch --ndjson`. */
export interface WatchEvent {
  event: string;
  path: string;
  documentId?: number;
  movedTo?: string;
  final?: boolean;
  attempt?: number;
  code?: string;
  action?: string;
  error?: { code: string; message?: string };
}

const running = new Set<ChildProcess>();

/** For afterEach: a test that failed midway must not leave its watcher running. */
export function killWatchers(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

/** A running `doccat watch --ndjson`, with its events as they arrive. */
export function startWatch(home: string, args: string[], configFile?: string, env: NodeJS.ProcessEnv = {}) {
  const events: WatchEvent[] = [];
  const child: ChildProcess = spawn(process.execPath, [BIN, 'watch', ...args, '--ndjson', ...(configFile ? ['--config', configFile] : [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', DOCCAT_HOME: home, ...captureEnv(args, env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
      buffer = buffer.slice(newline + 1);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      captureOutput(['watch', ...args], stdout, stderr);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    events,
    exited,
    stderr: () => stderr,
    /** Waits until the events satisfy the predicate (or fails after the timeout). */
    until: async (predicate: (events: WatchEvent[]) => boolean, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting; events so far:\n${events.map((event) => JSON.stringify(event)).join('\n')}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
