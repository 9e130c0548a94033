import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/**
 * Issue 18: the catalogue's dialect is chosen once, when it is opened (db/dialect.ts and the
 * objects in db/dialect/), and the rest of the code asks that object for a role instead of testing
 * the dialect's name. This counts the places outside those files that still test a name: an
 * equality with 'sqlite' or 'postgres' (either side), a `case` on one, or a check of kysely's
 * adapter class. The `--db` answer of `doccat init` is such a name too and is counted.
 */

const SRC = path.join(REPO_ROOT, 'src');
const LIMIT = 4;
const NAME = `['"](?:sqlite|postgres)['"]`;
const COMPARISON = new RegExp(`[!=]==?\\s*${NAME}|${NAME}\\s*[!=]==?|\\bcase\\s+${NAME}|instanceof\\s+(?:Postgres|Sqlite)Adapter`);

function isDialectFile(relative: string): boolean {
  return relative === 'db/dialect.ts' || relative.startsWith('db/dialect/');
}

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(?:ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** file:line and the line, for each line outside the dialect files that tests a dialect's name. */
function dialectTests(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const relative = path.relative(SRC, file).split(path.sep).join('/');
    if (isDialectFile(relative)) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (COMPARISON.test(line)) found.push(`src/${relative}:${index + 1}: ${line.trim()}`);
      });
  }
  return found;
}

describe('the dialect, chosen once', () => {
  it(`is tested by name in at most ${LIMIT} places outside db/dialect.ts and db/dialect/`, () => {
    const places = dialectTests();
    expect(places.length, `ask the catalogue's dialect object (db/dialect/types.ts) for the role instead:\n${places.join('\n')}`).toBeLessThanOrEqual(LIMIT);
  });

  it('finds each form of the test it counts', () => {
    const forms = ["if (dialectOf(db) === 'postgres')", "dialect !== 'sqlite' ? a : b", "'postgres' === dialect", "case 'sqlite':", 'adapter instanceof PostgresAdapter'];
    for (const form of forms) expect(COMPARISON.test(form), form).toBe(true);
    expect(COMPARISON.test("const names = ['sqlite', 'postgres'];")).toBe(false);
  });
});
