import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/** Small modules named for what they do: a file past 400 lines is two things, and gets split. */
describe('source files', () => {
  it('are at most 400 lines each', () => {
    const src = path.join(REPO_ROOT, 'src');
    const long = fs
      .readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => ({ file, lines: fs.readFileSync(path.join(src, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
