import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir, type IngestJson } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/**
 * What `doccat ingest` takes from a folder someone else writes into: regular files inside the
 * folders given, each read once, so that what is catalogued is exactly what was stored.
 */

type Report = IngestJson & { summary: IngestJson['summary'] & { skipped: number }; files: (IngestJson['files'][number] & { sha256?: string })[] };

const report = (result: Awaited<ReturnType<typeof runDoccat>>) => parseIngestJson(result) as Report;

function writeFile(directory: string, name: string, content: string | Buffer): string {
  const filePath = path.join(directory, name);
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, content);
  return filePath;
}

async function search(home: string, query: string, env: NodeJS.ProcessEnv = {}): Promise<{ total: number }> {
  const result = await runDoccat(['search', query, '--json'], { home, env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { total: number };
}

function catalogueRows<T>(home: string, query: string, ...parameters: unknown[]): T[] {
  const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
  try {
    return db.prepare(query).all(...parameters) as T[];
  } finally {
    db.close();
  }
}

describe('symbolic links and special files', () => {
  it('does not follow a link to a file or folder outside the folder given, and says so', async () => {
    const outside = tempDir('doccat-outside-');
    const secret = writeFile(outside, 'secret.txt', 'Zanzibar quartermaster passphrase, not for the catalogue.');
    writeFile(outside, 'private/diary.txt', 'Xylophone diary entry, also private.');
    const inputs = tempDir('doccat-links-');
    writeFile(inputs, 'note.txt', 'An ordinary note about invoices.');
    fs.symlinkSync(secret, path.join(inputs, 'link.txt'));
    fs.symlinkSync(path.join(outside, 'private'), path.join(inputs, 'folder-link'));
    const home = tempDir();

    const result = await runDoccat(['ingest', inputs, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    const ingest = report(result);
    expect(ingest.summary).toMatchObject({ catalogued: 1, failed: 0, skipped: 2 });
    for (const name of ['link.txt', 'folder-link']) {
      expect(ingest.files.find((file) => file.path === path.join(inputs, name))).toMatchObject({ status: 'skipped', error: { code: 'W_SYMLINK_OUTSIDE' } });
      expect(result.stderr).toContain(`${path.join(inputs, name)}: W_SYMLINK_OUTSIDE `);
    }
    expect((await search(home, 'zanzibar')).total).toBe(0);
    expect((await search(home, 'xylophone')).total).toBe(0);
    // A skipped file is not a failure: nothing to retry, nothing under `list --status failed`.
    expect(catalogueRows(home, "SELECT path FROM sources WHERE status = 'failed'")).toEqual([]);
  });

  it('follows links that stay inside the folder, and each file is catalogued once', async () => {
    const inputs = tempDir('doccat-inside-');
    writeFile(inputs, 'real/report.txt', 'Quarterly report on the garden shed.');
    fs.symlinkSync(path.join(inputs, 'real'), path.join(inputs, 'alias'));
    fs.symlinkSync('real/report.txt', path.join(inputs, 'shortcut.txt'));
    const home = tempDir();
    const result = await runDoccat(['ingest', inputs, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(report(result).summary).toMatchObject({ total: 1, catalogued: 1, skipped: 0 });
  });

  it('with --follow-symlinks catalogues the outside file once, however many links lead to it', async () => {
    const outside = tempDir('doccat-outside-');
    const secret = writeFile(outside, 'shared/policy.txt', 'Insurance policy number 4711, renewal in March.');
    const inputs = tempDir('doccat-follow-');
    fs.symlinkSync(secret, path.join(inputs, 'one.txt'));
    fs.symlinkSync(secret, path.join(inputs, 'two.txt'));
    fs.symlinkSync(path.join(outside, 'shared'), path.join(inputs, 'shared-link'));
    const home = tempDir();
    const result = await runDoccat(['ingest', inputs, '--follow-symlinks', '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(report(result).summary).toMatchObject({ total: 1, catalogued: 1, skipped: 0, failed: 0 });
    expect((await search(home, 'renewal')).total).toBe(1);
  });

  it('takes ingest.followSymlinks from the config too', async () => {
    const outside = tempDir('doccat-outside-');
    const secret = writeFile(outside, 'memo.txt', 'Memo about the office move.');
    const inputs = tempDir('doccat-follow-');
    fs.symlinkSync(secret, path.join(inputs, 'memo.txt'));
    const home = tempDir();
    const config = writeFile(tempDir(), 'doccat.config.json', JSON.stringify({ ingest: { followSymlinks: true } }));
    const result = await runDoccat(['ingest', inputs, '--json', '--config', config], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(report(result).summary).toMatchObject({ catalogued: 1, skipped: 0 });
  });

  it('walks a fan-out of symlinked folders once per folder: 20 levels of two links each', async () => {
    const inputs = tempDir('doccat-fanout-');
    const levels = 20;
    for (let level = 0; level <= levels; level += 1) {
      writeFile(inputs, `d${level}/file-${level}.txt`, `Level ${level} of the fan-out.`);
      if (level < levels) {
        fs.symlinkSync(`../d${level + 1}`, path.join(inputs, `d${level}`, 'a'));
        fs.symlinkSync(`../d${level + 1}`, path.join(inputs, `d${level}`, 'b'));
      }
    }
    const home = tempDir();
    const logFile = path.join(tempDir(), 'walk.log');
    // Counting folders read, not time: each of the 22 folders (the root and d0..d20) is read once.
    const result = await runDoccat(['ingest', inputs, '--dry-run', '--json', '--log-level', 'debug', '--log-file', logFile], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(report(result).summary).toMatchObject({ total: levels + 1, new: levels + 1 });
    const walked = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg: string; folders?: number }).find((line) => line.msg === 'walk finished');
    expect(walked?.folders).toBe(levels + 2);
  }, 60_000);

  it('skips a FIFO named like a PDF without blocking, and goes on', async () => {
    const inputs = tempDir('doccat-fifo-');
    execFileSync('mkfifo', [path.join(inputs, 'x.pdf')]);
    writeFile(inputs, 'y.txt', 'A note next to a pipe.');
    const home = tempDir();
    const result = await runDoccat(['ingest', inputs, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    const ingest = report(result);
    expect(ingest.files.find((file) => file.path.endsWith('x.pdf'))).toMatchObject({ status: 'skipped', error: { code: 'W_NOT_REGULAR_FILE' } });
    expect(ingest.summary).toMatchObject({ catalogued: 1, skipped: 1, failed: 0 });
    expect(result.stderr).toMatch(/x\.pdf: W_NOT_REGULAR_FILE .+\(.+\)\n/);
  });

  it('takes a folder named on the command line through a link by its real path', async () => {
    const real = tempDir('doccat-real-');
    writeFile(real, 'inside.txt', 'A letter kept in the real folder.');
    const viaLink = path.join(tempDir('doccat-linkroot-'), 'documents');
    fs.symlinkSync(real, viaLink);
    const home = tempDir();
    const result = await runDoccat(['ingest', viaLink, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(report(result).files).toEqual([expect.objectContaining({ path: path.join(fs.realpathSync(real), 'inside.txt'), status: 'catalogued' })]);
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`a changed file is read again (${dialect})`, () => {
    const catalogue = async () => ({ home: tempDir(), env: dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {} });

    it('re-reads a file replaced by another of the same size and modification time', async () => {
      const inputs = tempDir('doccat-replace-');
      const renamed = writeFile(inputs, 'renamed.txt', 'alpha content one');
      const rewritten = writeFile(inputs, 'rewritten.txt', 'gamma content two');
      const { home, env } = await catalogue();
      expect(report(await runDoccat(['ingest', inputs, '--json'], { home, env })).summary.catalogued).toBe(2);

      // Another file renamed into place (a new inode), with the old size and mtime (touch -r).
      const replacement = writeFile(tempDir(), 'replacement.txt', 'bravo content one');
      execFileSync('touch', ['-r', renamed, replacement]);
      fs.renameSync(replacement, renamed);
      // The same inode rewritten in place, its mtime set back: only ctime tells.
      const reference = writeFile(tempDir(), 'reference', '');
      execFileSync('touch', ['-r', rewritten, reference]);
      fs.writeFileSync(rewritten, 'delta content two');
      execFileSync('touch', ['-r', reference, rewritten]);

      const again = report(await runDoccat(['ingest', inputs, '--json'], { home, env }));
      expect(again.summary).toMatchObject({ catalogued: 2, unchanged: 0 });
      expect((await search(home, 'bravo', env)).total).toBe(1);
      expect((await search(home, 'delta', env)).total).toBe(1);
    });

    it('calls a touched file with the same content unchanged, and its source stays catalogued', async () => {
      const inputs = tempDir('doccat-touch-');
      const note = writeFile(inputs, 'note.txt', 'Minutes of the residents meeting.');
      const { home, env } = await catalogue();
      const first = report(await runDoccat(['ingest', inputs, '--json'], { home, env }));
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(note, future, future);
      const again = report(await runDoccat(['ingest', inputs, '--json'], { home, env }));
      expect(again.files).toEqual([expect.objectContaining({ path: note, status: 'unchanged', documentId: first.files[0]?.documentId })]);
      const shown = JSON.parse((await runDoccat(['show', String(first.files[0]?.documentId), '--json'], { home, env })).stdout) as { document: { sources: { path: string; status: string }[] } };
      expect(shown.document.sources).toEqual([expect.objectContaining({ path: note, status: 'catalogued' })]);
      // Refreshed: the third run is decided without reading the file.
      const third = report(await runDoccat(['ingest', inputs, '--json'], { home, env }));
      expect(third.summary).toMatchObject({ unchanged: 1 });
    });
  });
}

describe('a file read once', () => {
  it('never pairs the text of one content with the stored bytes of another while files are swapped', async () => {
    const inputs = tempDir('doccat-swap-');
    const count = 40;
    const contents = (index: number, variant: 'alpha' | 'bravo') => `${`${variant} `.repeat(200)}file ${index}\n`;
    const names = Array.from({ length: count }, (_, index) => writeFile(inputs, `swap-${String(index).padStart(2, '0')}.txt`, contents(index, 'alpha')));
    const home = tempDir();
    // The alpha blobs are left in the store by documents deleted with --keep-blob (or by a crash),
    // as the orphans that `storage verify --repair` removes a day later.
    const first = report(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(first.summary.catalogued).toBe(count);
    const deleted = await runDoccat(['delete', ...first.files.map((file) => String(file.documentId)), '--yes', '--keep-blob'], { home });
    expect(deleted.code, deleted.stderr).toBe(0);
    // Another process keeps replacing each file (atomically, by rename) with the other variant.
    const swapper = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const names = ${JSON.stringify(names)};
      const text = (index, variant) => (variant + ' ').repeat(200) + 'file ' + index + '\\n';
      let round = 0;
      for (;;) {
        round += 1;
        names.forEach((name, index) => {
          fs.writeFileSync(name + '.new', text(index, round % 2 ? 'bravo' : 'alpha'));
          fs.renameSync(name + '.new', name);
        });
      }
    `], { stdio: 'ignore' });
    let result;
    try {
      result = await runDoccat(['ingest', inputs, '--json', '--jobs', '2', '--exclude', '*.new'], { home });
    } finally {
      swapper.kill('SIGKILL');
    }
    const ingest = report(result);
    expect(ingest.summary.catalogued + ingest.summary.duplicate).toBeGreaterThan(0);
    const documents = catalogueRows<{ sha256: string; blob_key: string; text: string }>(home, 'SELECT sha256, blob_key, text FROM documents');
    for (const document of documents) {
      const blob = fs.readFileSync(path.join(home, 'blobs', document.blob_key));
      expect(createHash('sha256').update(blob).digest('hex')).toBe(document.sha256);
      const variant = blob.toString().startsWith('alpha') ? 'alpha' : 'bravo';
      expect(document.text.split(' ')[0], `${document.blob_key}: the text must come from the stored bytes`).toBe(variant);
    }
  });
});
