import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPageFolder, pageFile, pageFileIn, removePageFolder } from '../../../src/extract/isolation/page-files.js';

describe('the folder OCR pages cross in', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const folder of made.splice(0)) removePageFolder(folder);
  });

  it('is private to this user and named for this process', () => {
    const folder = createPageFolder();
    made.push(folder);
    expect(path.basename(folder)).toMatch(new RegExp(`^doccat-pages-${process.pid}-`));
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  });

  it('takes only page files directly inside it', () => {
    const folder = createPageFolder();
    made.push(folder);
    const page = pageFile(folder, 7);
    expect(pageFileIn(folder, page)).toBe(page);
    expect(pageFileIn(folder, path.join(folder, 'sub', path.basename(page)))).toBeUndefined();
    expect(pageFileIn(folder, path.join(folder, '..', 'etc.page'))).toBeUndefined();
    expect(pageFileIn(folder, '/etc/passwd')).toBeUndefined();
    expect(pageFileIn(folder, path.join(folder, 'notes.txt'))).toBeUndefined();
  });

  it("removes the folders of doccat processes that are gone, and leaves a living one's", () => {
    // A pid that was just in use and has ended.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const leftover = fs.mkdtempSync(path.join(os.tmpdir(), `doccat-pages-${gone}-`));
    fs.writeFileSync(path.join(leftover, `${gone}-1.page`), 'pixels');
    const living = fs.mkdtempSync(path.join(os.tmpdir(), `doccat-pages-${process.ppid}-`));
    made.push(living);
    made.push(createPageFolder());
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(living)).toBe(true);
  });
});
