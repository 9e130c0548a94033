import { spawn } from 'node:child_process';
import type { CommandTarget } from './targets.js';
import { HookError } from './hook-error.js';
import { redactText } from '../observability/redact.js';

/** What a hook's output may add to a failure: its last words on stderr, not a whole log. */
const OUTPUT_KEPT = 2000;

/**
 * Runs a hook command through /bin/sh in the config file's folder, the event JSON on its stdin.
 * It runs in its own process group, so that a timeout (or doccat stopping) kills whatever it
 * started too. Its output never reaches doccat's stdout: stderr is kept for the failure message.
 */
export function runCommandHook(target: CommandTarget, payload: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new HookError('E_HOOK_NOT_SENT', 'doccat stopped before the hook ran', false));
      return;
    }
    const child = spawn('/bin/sh', ['-c', target.command], { cwd: target.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let settled = false;
    const keep = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-OUTPUT_KEPT);
    };
    child.stderr.on('data', keep);
    // Read and dropped: a hook that writes much must not block on a full pipe.
    child.stdout.on('data', () => undefined);
    // A hook that does not read its input closes the pipe early: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(() => reject(new HookError('E_HOOK_TIMEOUT', `the command did not finish within ${target.timeoutMs} ms and was killed`, true, 'make the hook faster (queue slow work elsewhere), or raise hooks.timeoutMs')));
    }, target.timeoutMs);
    const onAbort = () => {
      killGroup();
      finish(() => reject(new HookError('E_HOOK_NOT_SENT', 'doccat stopped while the hook ran; it was killed', false)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => finish(() => reject(new HookError('E_HOOK_SPAWN', `cannot start /bin/sh: ${error.message}`, false))));
    // 'exit', not 'close': something the hook left running in the background may hold its pipes open.
    child.on('exit', (code, exitSignal) => {
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() => {
        if (code === 0) {
          resolve({ stderr });
          return;
        }
        const said = redactText(stderr.trim().split('\n').slice(-3).join(' | ')).slice(0, 500);
        const why = code === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with ${code}`;
        // 126 and 127: the shell could not find or run the command; trying again will not help.
        const retryable = code !== 126 && code !== 127;
        reject(new HookError('E_HOOK_FAILED', `the command ${why}${said ? `: ${said}` : ''}`, retryable, retryable ? undefined : 'check the command and that it is executable'));
      });
    });
  });
}
