import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runDoccat, tempDir } from '../support/cli.js';

/**
 * doccat in scripts and cron: quiet when nothing went wrong, one line per failure on stderr,
 * results on stdout, --ndjson one compact object per line, NUL-separated paths.
 */

const TEXT = path.join(FIXTURES, 'text');

describe('ingest for cron', () => {
  it('prints nothing with -q on a re-run where nothing changed, and one summary line without it', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest', FIXTURES, '-q'], { home })).code).toBe(0);
    const quiet = await runDoccat(['ingest', FIXTURES, '-q'], { home });
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const plain = await runDoccat(['ingest', FIXTURES], { home });
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    // No table of unchanged files: only the run summary.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^9 files · 0 catalogued · 0 duplicate · 9 unchanged · 0 failed/);

    const verbose = await runDoccat(['ingest', FIXTURES, '--verbose', '--log-level', 'silent'], { home });
    expect(verbose.stdout).toMatch(/file\s+\|\s+status/);
    expect(verbose.stdout.match(/\| unchanged\s+\|/g)).toHaveLength(9);
  });

  it('lists new files in a table but leaves unchanged ones out', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-cron-');
    fs.writeFileSync(path.join(inputs, 'old.txt'), 'An old note about the garden shed roof.');
    expect((await runDoccat(['ingest', inputs, '-q'], { home })).code).toBe(0);
    fs.writeFileSync(path.join(inputs, 'new.txt'), 'A new note about the bicycle repair.');
    const result = await runDoccat(['ingest', inputs], { home });
    expect(result.stdout).toMatch(/new\.txt\s+\| catalogued/);
    expect(result.stdout).not.toContain('old.txt');
    expect(result.stdout).toContain('2 files · 1 catalogued · 0 duplicate · 1 unchanged');
  });

  it('with -q, prints only one stderr line per failed file and exits 3', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-cron-');
    fs.writeFileSync(path.join(inputs, 'fine.txt'), 'A perfectly readable note.');
    fs.writeFileSync(path.join(inputs, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
    fs.writeFileSync(path.join(inputs, 'empty.pdf'), '');
    const result = await runDoccat(['ingest', inputs, '-q'], { home, cwd: inputs });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n').sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^corrupt\.pdf: E_PDF_CORRUPT /);
    expect(lines[1]).toMatch(/^empty\.pdf: E_EMPTY_FILE /);
  });
});

describe('one compact JSON object per line with --ndjson', () => {
  it('ingest --enqueue --ndjson prints its summary as one line', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', TEXT, '--enqueue', '--ndjson'], { home });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ event: 'summary', files: 3, enqueued: 3 });
  });

  it('ingest --enqueue gives what it cannot read a line, a failure record and exit 3, as ingest does', async () => {
    const home = tempDir();
    const folder = tempDir();
    fs.copyFileSync(path.join(TEXT, fs.readdirSync(TEXT)[0] as string), path.join(folder, 'readable.txt'));
    fs.symlinkSync(path.join(folder, 'gone.txt'), path.join(folder, 'broken-link.txt'));
    fs.symlinkSync('loop.txt', path.join(folder, 'loop.txt'));
    const result = await runDoccat(['ingest', folder, '--enqueue', '-q'], { home });
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes('broken-link.txt'))).toMatch(/broken-link\.txt: E_BROKEN_LINK /);
    expect(lines.find((line) => line.includes('loop.txt'))).toMatch(/loop\.txt: E_SYMLINK_LOOP /);
    const failed = JSON.parse((await runDoccat(['list', '--status', 'failed', '--json'], { home })).stdout) as { total: number };
    expect(failed.total).toBe(2);
    const worker = await runDoccat(['worker', '--drain', '-q'], { home });
    expect(worker.code, worker.stderr).toBe(0);
  });

  it('worker prints each finished job on stdout, failures on stderr, nothing with -q', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest', TEXT, '--enqueue'], { home })).code).toBe(0);
    const worker = await runDoccat(['worker', '--drain'], { home });
    expect(worker.code, worker.stderr).toBe(0);
    const done = worker.stdout.trim().split('\n').sort();
    expect(done).toHaveLength(3);
    for (const line of done) expect(line).toMatch(/^\S+\.(txt|md|csv|json|html): catalogued D\d+$/);
    expect(worker.stderr).not.toMatch(/: catalogued/);

    const inputs = tempDir('doccat-cron-');
    fs.writeFileSync(path.join(inputs, 'quiet.txt'), 'Another note for a quiet worker.');
    expect((await runDoccat(['ingest', inputs, '--enqueue', '-q'], { home })).stdout).toBe('');
    expect(await runDoccat(['worker', '--drain', '-q'], { home })).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('a reader that stops reading', () => {
  it('ends ingest --ndjson as an interrupt does: no EPIPE trace, and a re-run finishes the rest', async () => {
    const home = tempDir();
    // `true` reads nothing and exits: every line doccat writes meets a closed pipe.
    const script = `"${process.execPath}" "${BIN}" ingest "${FIXTURES}" --ndjson | true; echo "status \${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', script], { env: { ...process.env, DOCCAT_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|E_INTERNAL|at .*\.js:\d+/);
    expect(stderr).toMatch(/status 130\n$/);
    expect(stderr).toMatch(/interrupted; run the same command again/);
    const rerun = await runDoccat(['ingest', FIXTURES, '--json'], { home });
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = (JSON.parse(rerun.stdout) as { summary: { catalogued: number; unchanged: number; total: number } }).summary;
    expect(summary.catalogued + summary.unchanged).toBe(summary.total);
  });
});

describe('a reader that stops reading what get writes', () => {
  it('ends get -o - as an interrupt, without an EPIPE trace', async () => {
    const home = tempDir();
    const folder = tempDir();
    // Larger than a pipe's buffer, so that the writes meet the closed pipe.
    fs.writeFileSync(path.join(folder, 'long.txt'), 'A long note about the garden and the river.\n'.repeat(40_000));
    const ingested = await runDoccat(['ingest', folder, '--json'], { home });
    const id = (JSON.parse(ingested.stdout) as { files: { documentId?: number }[] }).files[0]?.documentId as number;
    const script = `"${process.execPath}" "${BIN}" get ${id} -o - | head -c 10 > /dev/null; echo "status \${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', script], { env: { ...process.env, DOCCAT_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|E_INTERNAL/);
    expect(stderr).toMatch(/status 130\n$/);
  });
});

describe('a terminal that reports no width', () => {
  it('gets no spinner, and ingest ends (ora counted lines on a 0-column terminal for ever)', async () => {
    const home = tempDir();
    // util-linux `script` gives doccat a pseudo-terminal, and `stty cols 0` one of no width (as `script` itself starts).
    const command = `stty cols 0 rows 24; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ingest ${JSON.stringify(TEXT)}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', DOCCAT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let written = 0;
    child.stdout.on('data', (chunk: Buffer) => (written += chunk.length));
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(bound);
    expect(code).toBe(0);
    expect(written).toBeLessThan(100_000);
  });
});

describe('watch -q', () => {
  it('prints failures on stderr and nothing else', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-cron-inbox-');
    fs.writeFileSync(path.join(inbox, 'good.txt'), 'A note that catalogues fine.');
    fs.writeFileSync(path.join(inbox, 'corrupt.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 0x5a)]));
    const child = spawn(process.execPath, [BIN, 'watch', inbox, '--stable', '300', '-q'], { env: { ...process.env, DOCCAT_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const catalogued = async () => (JSON.parse((await runDoccat(['list', '--json'], { home })).stdout || '{"total":0}') as { total: number }).total;
    const deadline = Date.now() + 90_000;
    while (!(stderr.includes('E_PDF_CORRUPT') && (await catalogued()) === 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^corrupt\.pdf: E_PDF_CORRUPT /);
  });
});

describe('paths for xargs -0', () => {
  it('separates --paths with NUL bytes with -0 or --null, and -0 alone implies --paths', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest', TEXT, '-q'], { home })).code).toBe(0);
    const lines = (await runDoccat(['list', '--paths'], { home })).stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const args of [['list', '--paths', '-0'], ['list', '--null'], ['list', '-0']]) {
      const result = await runDoccat(args, { home });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.endsWith('\0')).toBe(true);
      expect(result.stdout.slice(0, -1).split('\0').sort()).toEqual([...lines].sort());
      for (const file of result.stdout.slice(0, -1).split('\0')) expect(fs.existsSync(file)).toBe(true);
    }
    expect((await runDoccat(['list', '-0', '--json'], { home })).code).toBe(2);
  });
});

describe('paths in the backend each document is stored in', () => {
  it('prints a named local backend\'s folder, not the built-in one\'s', async () => {
    const home = tempDir();
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ storage: { backend: 'archive', backends: { archive: { type: 'local', path: 'archive-blobs' } } } }));
    expect((await runDoccat(['ingest', TEXT, '-q', '--config', config], { home })).code).toBe(0);
    const result = await runDoccat(['list', '--paths', '--config', config], { home });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const file of lines) {
      expect(file.startsWith(path.join(home, 'archive-blobs') + path.sep), file).toBe(true);
      expect(fs.existsSync(file), file).toBe(true);
    }
  });
});

