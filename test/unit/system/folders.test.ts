import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderProblem, makeFolder } from '../../../src/system/folders.js';
import { tempDir } from '../../support/cli.js';

const problem = (folder: string): string => {
  try {
    makeFolder(folder);
  } catch (error) {
    return folderProblem(error);
  }
  throw new Error(`${folder} was made`);
};

describe('makeFolder', () => {
  it('makes every missing level with the mode asked for, and says whether the folder was new', () => {
    const base = tempDir();
    const deep = path.join(base, 'a', 'b', 'c');
    expect(makeFolder(deep, 0o750)).toBe(true);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(base, 'a')).mode & 0o777).toBe(0o750 & ~process.umask());
    expect(makeFolder(deep)).toBe(false);
  });

  it('names the file in the way, and a link to nothing as such', () => {
    const base = tempDir();
    fs.writeFileSync(path.join(base, 'file'), 'not a folder');
    expect(problem(path.join(base, 'file', 'x', 'y'))).toBe(`${path.join(base, 'file')} is not a folder`);
    fs.symlinkSync(path.join(base, 'unmounted'), path.join(base, 'nas'));
    expect(problem(path.join(base, 'nas', 'catalogue'))).toBe(`${path.join(base, 'nas')} is a link to a folder that is not there`);
  });

  // Node's own recursive mkdir goes round for ever here (ENOENT for the child, EEXIST for /proc).
  it.skipIf(!fs.existsSync('/proc/self'))('gives up at once where the file system takes no new entries', () => {
    const started = Date.now();
    expect(problem('/proc/doccat-no-such/catalogue')).toBe('/proc/doccat-no-such cannot be created there (the file system takes no new entries)');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
