import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { admissible, checkSource, containedFolder, isRefusal, moveInto, RefusedError, writeNote, type CheckedSource } from '../../../src/pipeline/contained-files.js';
import { snapshotOf } from '../../../src/pipeline/source-identity.js';
import { tempDir } from '../../support/cli.js';

/** What watch may do to files in folders others write into, on real files, links and FIFOs. */

function folders() {
  const inbox = fs.realpathSync(tempDir('doccat-inbox-'));
  const outside = fs.realpathSync(tempDir('doccat-outside-'));
  fs.writeFileSync(path.join(outside, 'precious.txt'), 'keep me');
  return { inbox, outside };
}

const snapshot = (file: string) => snapshotOf(fs.lstatSync(file, { bigint: true }));

describe('files watch may queue', () => {
  it('takes regular files, and refuses a FIFO without opening it for good, and links', async () => {
    const { inbox, outside } = folders();
    fs.writeFileSync(path.join(inbox, 'a.pdf'), '%PDF-1.7');
    execFileSync('mkfifo', [path.join(inbox, 'x.pdf')]);
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(inbox, 'link.pdf'));
    expect(await admissible(path.join(inbox, 'a.pdf'))).toBe('ok');
    expect(await admissible(path.join(inbox, 'x.pdf'))).toMatchObject({ code: 'W_NOT_REGULAR_FILE', message: expect.stringContaining('FIFO') });
    expect(await admissible(path.join(inbox, 'link.pdf'))).toMatchObject({ code: 'W_NOT_REGULAR_FILE', message: expect.stringContaining('symbolic link') });
    expect(await admissible(path.join(inbox, 'gone.pdf'))).toBe('busy');
  });
});

describe('sources watch may move or delete', () => {
  it('accepts a regular file inside a root that is still the file read, with its real path', async () => {
    const { inbox } = folders();
    const file = path.join(inbox, 'a.txt');
    fs.writeFileSync(file, 'one');
    expect(await checkSource(file, [inbox], snapshot(file))).toEqual({ realPath: file, root: inbox });
  });

  it('refuses a file reached through a linked folder: its real path is outside the roots', async () => {
    const { inbox, outside } = folders();
    fs.symlinkSync(outside, path.join(inbox, 'linked'));
    const file = path.join(inbox, 'linked', 'precious.txt');
    expect(await checkSource(file, [inbox], 'not-needed')).toMatchObject({ code: 'W_OUTSIDE_ROOTS', message: expect.stringContaining(path.join(outside, 'precious.txt')) });
  });

  it('refuses a file replaced or rewritten after it was read, and one nobody recorded', async () => {
    const { inbox } = folders();
    const file = path.join(inbox, 'a.txt');
    fs.writeFileSync(file, 'the catalogued text');
    const read = snapshot(file);
    fs.writeFileSync(path.join(inbox, 'b.tmp'), 'another file');
    fs.renameSync(path.join(inbox, 'b.tmp'), file);
    expect(await checkSource(file, [inbox], read)).toMatchObject({ code: 'W_SOURCE_CHANGED' });
    expect(await checkSource(file, [inbox], undefined)).toMatchObject({ code: 'W_SOURCE_UNVERIFIED' });
    // Same inode, same size, mtime set back: the ctime still tells.
    const again = snapshot(file);
    const { mtime } = fs.statSync(file);
    // File times tick with the kernel's coarse clock (a few ms): a rewrite within the same tick
    // keeps the ctime, which is all a same-inode, same-size, same-mtime rewrite leaves behind.
    await new Promise((resolve) => setTimeout(resolve, 50));
    fs.writeFileSync(file, 'another fil3');
    fs.utimesSync(file, mtime, mtime);
    expect(await checkSource(file, [inbox], again)).toMatchObject({ code: 'W_SOURCE_CHANGED' });
  });

  it('refuses a link in place of the file', async () => {
    const { inbox, outside } = folders();
    const file = path.join(inbox, 'a.txt');
    fs.symlinkSync(path.join(outside, 'precious.txt'), file);
    expect(await checkSource(file, [inbox], 'not-needed')).toMatchObject({ code: 'W_NOT_REGULAR_FILE' });
  });
});

describe('destinations', () => {
  it('creates sub-folders inside the target and refuses one planted as a link', async () => {
    const { outside } = folders();
    const failed = fs.realpathSync(tempDir('doccat-failed-'));
    expect(await containedFolder(failed, path.join('2024', 'march'))).toBe(path.join(failed, '2024', 'march'));
    fs.symlinkSync(outside, path.join(failed, 'scans'));
    const refused = await containedFolder(failed, path.join('scans', 'deeper')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as RefusedError).refusal.code).toBe('W_UNSAFE_DESTINATION');
    expect(fs.readdirSync(outside)).toEqual(['precious.txt']);
  });

  it('moves without replacing an existing name or following a link planted at it', async () => {
    const { inbox, outside } = folders();
    const archive = fs.realpathSync(tempDir('doccat-archive-'));
    fs.writeFileSync(path.join(archive, 'a.txt'), 'older');
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(archive, 'a (1).txt'));
    const file = path.join(inbox, 'a.txt');
    fs.writeFileSync(file, 'newer');
    const source = (await checkSource(file, [inbox], snapshot(file))) as CheckedSource;
    expect(isRefusal(source)).toBe(false);
    expect(await moveInto(source, archive, snapshot(file))).toBe(path.join(archive, 'a (2).txt'));
    expect(fs.readFileSync(path.join(archive, 'a.txt'), 'utf8')).toBe('older');
    expect(fs.readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(fs.readFileSync(path.join(archive, 'a (2).txt'), 'utf8')).toBe('newer');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('writes a note as a new 0600 file, never through a link at its name', async () => {
    const { outside } = folders();
    const failed = fs.realpathSync(tempDir('doccat-failed-'));
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(failed, 'x.pdf.error.txt'));
    fs.symlinkSync(path.join(outside, 'not-there.txt'), path.join(failed, 'x.pdf.error (1).txt'));
    const note = await writeNote(path.join(failed, 'x.pdf'), 'E_PDF_CORRUPT\n');
    expect(note).toBe(path.join(failed, 'x.pdf.error (2).txt'));
    expect(fs.readFileSync(note, 'utf8')).toBe('E_PDF_CORRUPT\n');
    expect(fs.statSync(note).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(outside)).toEqual(['precious.txt']);
    expect(fs.readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});
