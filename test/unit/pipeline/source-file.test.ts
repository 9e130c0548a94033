import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSource, openSource, StagingArea, type OpenedSource } from '../../../src/pipeline/source-file.js';
import { sourcePolicy } from '../../../src/pipeline/walk.js';
import { tempDir } from '../../support/cli.js';

/**
 * What happens between the walk and the read: the name may have become a pipe or a link, a folder
 * on the way may have become a link, the file may grow. The descriptor decides, not the name.
 */

const limits = { maxBytes: 1024 * 1024, signal: new AbortController().signal };
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function opened(result: Awaited<ReturnType<typeof openSource>>): Promise<OpenedSource> {
  if (!('source' in result)) throw new Error(`expected an open file, got ${JSON.stringify(result)}`);
  return result.source;
}

describe('opening a source', () => {
  it('skips a FIFO put in place of a file after the walk, without waiting for a writer', async () => {
    const root = tempDir('doccat-src-');
    const name = path.join(root, 'x.pdf');
    execFileSync('mkfifo', [name]);
    const result = await openSource(name, await sourcePolicy([root], false), false);
    expect(result).toMatchObject({ skipped: { code: 'W_NOT_REGULAR_FILE' } });
  });

  it('does not follow a name that became a link out of the folders given', async () => {
    const root = tempDir('doccat-src-');
    const outside = path.join(tempDir('doccat-outside-'), 'secret.txt');
    fs.writeFileSync(outside, 'not for the catalogue');
    fs.symlinkSync(outside, path.join(root, 'note.txt'));
    const policy = await sourcePolicy([root], false);
    expect(await openSource(path.join(root, 'note.txt'), policy, false)).toMatchObject({ skipped: { code: 'W_SYMLINK_OUTSIDE' } });
    // Inside the folder, or allowed by the user, the link is followed.
    fs.writeFileSync(path.join(root, 'real.txt'), 'inside');
    fs.symlinkSync(path.join(root, 'real.txt'), path.join(root, 'alias.txt'));
    const inside = await opened(await openSource(path.join(root, 'alias.txt'), policy, false));
    await inside.handle.close();
    const followed = await opened(await openSource(path.join(root, 'note.txt'), await sourcePolicy([root], true), false));
    await followed.handle.close();
  });

  it('does not read through a folder that became a link out of the folders given', async () => {
    const root = tempDir('doccat-src-');
    const elsewhere = tempDir('doccat-outside-');
    fs.writeFileSync(path.join(elsewhere, 'id_rsa'), 'private key');
    // The walk saw root/sub/id_rsa as a regular file; then sub was swapped for a link.
    fs.symlinkSync(elsewhere, path.join(root, 'sub'));
    const result = await openSource(path.join(root, 'sub', 'id_rsa'), await sourcePolicy([root], false), false);
    expect(result).toMatchObject({ skipped: { code: 'W_SYMLINK_OUTSIDE' } });
  });
});

describe('staging a source', () => {
  it('copies it once into a private file with its sha256', async () => {
    const root = tempDir('doccat-src-');
    const bytes = Buffer.from('Invoice 42, total 99.00 EUR\n'.repeat(100_000));
    fs.writeFileSync(path.join(root, 'invoice.txt'), bytes);
    const area = await StagingArea.open(path.join(tempDir('doccat-home-'), '.staging'));
    const source = await opened(await openSource(path.join(root, 'invoice.txt'), await sourcePolicy([root], false), false));
    const staged = await area.stage(source, { ...limits, maxBytes: 10 * 1024 * 1024 });
    await source.handle.close();
    expect(staged).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    expect(fs.readFileSync(staged.path).equals(bytes)).toBe(true);
    expect(fs.statSync(staged.path).mode & 0o777).toBe(0o600);
    expect(fs.statSync(area.directory).mode & 0o777).toBe(0o700);
    await staged.remove();
    expect(fs.existsSync(staged.path)).toBe(false);
  });

  it('refuses a file written to while it is read', async () => {
    const root = tempDir('doccat-src-');
    const file = path.join(root, 'growing.txt');
    fs.writeFileSync(file, 'first part\n');
    const source = await opened(await openSource(file, await sourcePolicy([root], false), false));
    fs.appendFileSync(file, 'second part\n');
    await expect(hashSource(source, limits)).rejects.toMatchObject({ code: 'E_FILE_CHANGED' });
    await source.handle.close();
  });

  it('stops reading a file that grew past the size limit', async () => {
    const root = tempDir('doccat-src-');
    const file = path.join(root, 'big.txt');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 0x61));
    const source = await opened(await openSource(file, await sourcePolicy([root], false), false));
    const area = await StagingArea.open(path.join(tempDir('doccat-home-'), '.staging'));
    await expect(area.stage(source, limits)).rejects.toMatchObject({ code: 'E_FILE_TOO_LARGE' });
    await source.handle.close();
    expect(fs.readdirSync(area.directory)).toEqual([]);
  });

  it('removes copies left by a process that is gone, and keeps those of a live one', async () => {
    const directory = path.join(tempDir('doccat-home-'), '.staging');
    fs.mkdirSync(directory);
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString();
    fs.writeFileSync(path.join(directory, `${dead}.0123456789abcdef`), 'left by a killed ingest');
    fs.writeFileSync(path.join(directory, `${process.ppid}.fedcba9876543210`), 'another ingest, still running');
    await StagingArea.open(directory);
    expect(fs.readdirSync(directory)).toEqual([`${process.ppid}.fedcba9876543210`]);
  });
});
