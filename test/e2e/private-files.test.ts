import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runDoccat, tempDir } from '../support/cli.js';

/**
 * Private by default: what doccat creates (catalogue folder, SQLite files, log files, the config
 * `init` writes) only its owner may read; `init` writes references, never a password; and
 * `doccat health` warns about a catalogue others may read, without changing it.
 */

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');

/** A doccat worker holds the catalogue open (so -wal and -shm exist) until it is stopped. */
async function whileWorkerRuns<T>(home: string, inspect: () => T): Promise<T> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, DOCCAT_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('taking jobs')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`worker exited (${code}) before taking jobs:\n${stderr}`)));
    });
    return inspect();
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('files doccat creates are private', () => {
  it('makes a new catalogue folder 0700, its database, -wal and -shm 0600, and a log file 0600', async () => {
    const home = path.join(tempDir(), 'new-catalogue');
    const log = path.join(tempDir(), 'logs', 'doccat.log');
    const result = await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--quiet', '--log-file', log, '--log-level', 'info'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(modeOf(home)).toBe('0700');
    expect(modeOf(path.join(home, 'catalog.db'))).toBe('0600');
    expect(modeOf(log)).toBe('0600');
    const open = await whileWorkerRuns(home, () => ['catalog.db-wal', 'catalog.db-shm'].map((name) => [name, modeOf(path.join(home, name))]));
    expect(open).toEqual([['catalog.db-wal', '0600'], ['catalog.db-shm', '0600']]);
  });

  it('leaves an existing catalogue shared with others as it is, and health warns with the chmod that fixes it', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--quiet'], { home })).code).toBe(0);
    fs.chmodSync(home, 0o750);
    fs.chmodSync(path.join(home, 'catalog.db'), 0o640);
    expect((await runDoccat(['ingest', path.join(FIXTURES, 'office'), '--quiet'], { home })).code).toBe(0);
    expect([modeOf(home), modeOf(path.join(home, 'catalog.db'))]).toEqual(['0750', '0640']);

    const shared = await runDoccat(['health', '--json'], { home, env: { DOCCAT_FEATURES_OCR: 'false' } });
    // A warning, not a failure: sharing a catalogue can be deliberate.
    expect(shared.code, shared.stderr).toBe(0);
    const check = (JSON.parse(shared.stdout) as { checks: { check: string; status: string; detail: string; hint?: string }[] }).checks.find((item) => item.check === 'permissions');
    expect(check).toMatchObject({ status: 'warn' });
    expect(check?.detail).toContain(`${home} (0750)`);
    expect(check?.detail).toContain(`${path.join(home, 'catalog.db')} (0640)`);
    expect(check?.hint).toBe(`chmod 700 '${home}' && chmod 600 '${path.join(home, 'catalog.db')}'*, unless the catalogue is shared on purpose`);
    expect((await runDoccat(['health'], { home, env: { DOCCAT_FEATURES_OCR: 'false' } })).stdout).toMatch(/\| permissions\s+\| warn\s+\|/);

    fs.chmodSync(home, 0o700);
    fs.chmodSync(path.join(home, 'catalog.db'), 0o600);
    const fixed = await runDoccat(['health', '--json'], { home, env: { DOCCAT_FEATURES_OCR: 'false' } });
    expect((JSON.parse(fixed.stdout) as { checks: { check: string; status: string }[] }).checks.find((item) => item.check === 'permissions')?.status).toBe('ok');
  });
});

describe('doccat init keeps secrets out of the file it writes', () => {
  it('writes a reference instead of a database password, says what to export, checks health with the URL given, and writes 0600', async () => {
    const dir = tempDir();
    // Not marked TESTSECRET: the secret scan reads the arguments of each run too, and here the
    // user gives the password as an argument on purpose.
    const password = 'pw-given-as-argument-4711';
    const url = `postgres://doccat:${password}@127.0.0.1:1/doccat`;
    const result = await runDoccat(['init', '--yes', '--json', '--db-url', url, '--ocr-languages', 'eng', '-o', 'conf/doccat.json'], { cwd: dir, home: path.join(dir, 'home') });
    const file = path.join(dir, 'conf', 'doccat.json');
    const written = fs.readFileSync(file, 'utf8');
    expect(written).not.toContain(password);
    expect(JSON.parse(written)).toEqual({ database: { url: 'env:DOCCAT_DATABASE_URL' }, ocr: { languages: ['eng'] } });
    expect(modeOf(file)).toBe('0600');
    expect(modeOf(path.join(dir, 'conf'))).toBe('0700');
    expect(result.stderr).toContain("export DOCCAT_DATABASE_URL='postgres://doccat:***@127.0.0.1:1/doccat'");
    // Its own health check tried the URL it was given (nothing listens on port 1).
    expect(result.code).toBe(5);
    const report = JSON.parse(result.stdout) as { exports: Record<string, string>; checks: { check: string; code?: string; detail: string }[] };
    expect(report.exports).toEqual({ DOCCAT_DATABASE_URL: 'postgres://doccat:***@127.0.0.1:1/doccat' });
    expect(report.checks.find((check) => check.check === 'database')).toMatchObject({ code: 'E_DATABASE_UNAVAILABLE' });
    expect(report.checks.find((check) => check.check === 'database')?.detail).toContain('postgres://doccat:***@127.0.0.1:1/doccat');
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);

    // A URL without a password stays in the file; a reference is kept as given.
    const plain = await runDoccat(['init', '--yes', '--no-health', '--db-url', 'postgres://doccat@db.example.org/doccat', '-o', 'plain.json'], { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plain.json'), 'utf8')).database).toEqual({ url: 'postgres://doccat@db.example.org/doccat' });
    expect(plain.stderr).not.toContain('export');
    const refused = await runDoccat(['init', '--yes', '--no-health', '--storage', 's3', '--s3-bucket', 'docs', '--s3-endpoint', `http://minio:${password}@nas.local:9000`, '-o', 's3.json'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 's3.json'))).toBe(false);
    expect(refused.stderr).toMatch(/E_USAGE the S3 endpoint URL holds credentials/);
    expect(refused.stderr).not.toContain(password);
  });
});
