import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Every doccat run of the test suite leaves its stdout, stderr and debug log in one folder; at
 * the end of the run the folder is searched for any test secret. Test secrets either contain
 * the marker TESTSECRET or are listed here.
 */
export const SECRET_MARKER = 'TESTSECRET';
// s3rver's fixed credentials are left out: its secret equals its access key id, which a presigned
// URL (`doccat get --url`) rightly carries.
export const LISTED_SECRETS = ['hunter2'];

/** Set by the global setup for the whole run; test workers inherit it. */
function captureDir(): string | undefined {
  const dir = process.env.DOCCAT_TEST_CAPTURE_DIR;
  return dir && fs.existsSync(dir) ? dir : undefined;
}

let sequence = 0;

/** Environment for one run: a debug log into the capture folder, unless the test chose its own. */
export function captureEnv(args: readonly string[], env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const dir = captureDir();
  if (!dir) return {};
  const added: NodeJS.ProcessEnv = {};
  if (!args.includes('--log-file') && !env?.DOCCAT_LOG_FILE) added.DOCCAT_LOG_FILE = path.join(dir, `${process.pid}-${++sequence}.log`);
  if (!args.includes('--log-level') && !env?.DOCCAT_LOG_LEVEL) added.DOCCAT_LOG_LEVEL = 'debug';
  return added;
}

/** Keeps what a run printed (and a log file it was given) for the scan. */
export function captureOutput(args: readonly string[], stdout: string, stderr: string): void {
  const dir = captureDir();
  if (!dir) return;
  const name = path.join(dir, `${process.pid}-${++sequence}`);
  fs.writeFileSync(`${name}.out`, `${args.join(' ')}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  const logIndex = args.indexOf('--log-file');
  const logFile = logIndex >= 0 ? args[logIndex + 1] : undefined;
  if (logFile && fs.existsSync(logFile)) fs.copyFileSync(logFile, `${name}.test.log`);
}

export function prepareCapture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-test-capture-'));
  // Some runs are made as another user (permission tests); they log here too.
  fs.chmodSync(dir, 0o777);
  process.env.DOCCAT_TEST_CAPTURE_DIR = dir;
  return dir;
}

/** Files and the secrets found in them; also how many files and lines were searched. */
export function scanCapture(dir: string): { files: number; lines: number; leaks: { file: string; secret: string; line: string }[] } {
  const leaks: { file: string; secret: string; line: string }[] = [];
  let files = 0;
  let lines = 0;
  for (const entry of fs.readdirSync(dir)) {
    const file = path.join(dir, entry);
    files += 1;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      lines += 1;
      const marked = new RegExp(`[\\w-]*${SECRET_MARKER}[\\w-]*`).exec(line)?.[0];
      const listed = LISTED_SECRETS.find((secret) => line.includes(secret));
      const secret = marked ?? listed;
      if (secret) leaks.push({ file: entry, secret, line: line.slice(0, 300) });
    }
  }
  return { files, lines, leaks };
}
