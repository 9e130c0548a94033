import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir, type IngestJson, type RunResult } from '../support/cli.js';
import { expectConsistentCatalogue } from '../support/catalogue-invariants.js';
import { makeHostileCorpus } from '../support/hostile-corpus.mjs';
import { sampleTreeRss } from '../support/process-tree-rss.mjs';

/**
 * A folder holding everything an attacker or an unlucky user can drop into it, next to ordinary
 * documents: each hostile file fails (or is skipped) alone with its own code, the ordinary ones
 * are catalogued, nothing outside the folder is read, the whole run stays within a memory bound,
 * and nothing a file name or a document holds reaches the terminal as a control sequence.
 */

/** Peak resident memory of doccat and every process it starts, with two files at a time. */
const MEMORY_BOUND_BYTES = 1.5 * 1024 ** 3;

/** What each hostile entry must come out as: a status and the code that says why. */
const EXPECTED: Record<string, { status: string; code?: RegExp }> = {
  'bomb.docx': { status: 'failed', code: /^E_TOO_LARGE$/ },
  'many-pages.pdf': { status: 'failed', code: /^E_TOO_LARGE$/ },
  'bomb.png': { status: 'failed', code: /^E_TOO_LARGE$/ },
  'bomb.tif': { status: 'failed', code: /^E_TOO_LARGE$/ },
  'bomb-image.pdf': { status: 'failed', code: /^E_TOO_LARGE$/ },
  'nested.eml': { status: 'failed', code: /^E_MALFORMED$/ },
  'nested.html': { status: 'failed', code: /^E_MALFORMED$/ },
  'giant.txt': { status: 'catalogued', code: /^W_TEXT_TRUNCATED$/ },
  'pipe.pdf': { status: 'skipped', code: /^W_NOT_REGULAR_FILE$/ },
  'outside-link.txt': { status: 'skipped', code: /^W_SYMLINK_OUTSIDE$/ },
  'outside-folder': { status: 'skipped', code: /^W_SYMLINK_OUTSIDE$/ },
  loop: { status: 'failed', code: /^E_SYMLINK_LOOP$/ },
};

/** ESC, and the C1 controls a terminal may take for CSI/OSC/DCS. */
const CONTROL = /[\u001b\u0080-\u009f]/;

type FileReport = IngestJson['files'][number] & { warnings?: { code: string }[] };

describe('a hostile folder', () => {
  const root = tempDir('doccat-hostile-');
  const dir = path.join(root, 'inbox');
  const home = tempDir();
  let corpus: Awaited<ReturnType<typeof makeHostileCorpus>>;
  let result: RunResult;
  let report: IngestJson;
  let peakBytes = 0;

  beforeAll(async () => {
    corpus = await makeHostileCorpus(dir, { normalFrom: FIXTURES });
    let sampler: ReturnType<typeof sampleTreeRss> | undefined;
    const started = performance.now();
    result = await runDoccat(['ingest', dir, '--json', '-j', '2'], { home, onSpawn: (child) => (sampler = sampleTreeRss(child.pid as number)) });
    peakBytes = sampler?.stop().peakBytes ?? 0;
    report = parseIngestJson(result);
    process.stderr.write(`hostile folder: ${report.files.length} entries in ${((performance.now() - started) / 1000).toFixed(1)} s, peak memory of the process tree ${(peakBytes / 1024 ** 2).toFixed(0)} MB (bound ${MEMORY_BOUND_BYTES / 1024 ** 2} MB)\n`);
  }, 600_000);

  afterAll(() => {
    // The giant text and its blob are half a gigabyte each: do not leave them in the temp folder.
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(corpus?.outside ?? '', { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  const byName = (name: string): FileReport | undefined => report.files.find((file) => file.path === path.join(dir, name)) as FileReport | undefined;

  it('gives each hostile file its own outcome and code', () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const file = byName(name);
      const code = file?.error?.code ?? file?.warnings?.map((warning) => warning.code).find((warning) => expected.code?.test(warning));
      expect(`${name}: ${file?.status} ${code}`).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: ${expected.status} ${expected.code?.source.slice(1, -1) ?? ''}`));
    }
  });

  it('catalogues the ordinary documents beside them, and exits 3', () => {
    const normal = fs.readdirSync(corpus.normal, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const catalogued = report.files.filter((file) => file.path.startsWith(corpus.normal + path.sep) && file.status === 'catalogued');
    expect(catalogued).toHaveLength(normal.length);
    expect(byName(corpus.escapeName)?.status).toBe('catalogued');
    expect(result.code).toBe(3);
    expectConsistentCatalogue(home);
  });

  it('walks a fan of symbolic links once per folder', () => {
    const leaves = report.files.filter((file) => file.path.endsWith('leaf.txt'));
    expect(leaves.map((file) => file.status)).toEqual(['catalogued']);
    expect(report.files.length).toBeLessThan(100);
  });

  it('never reads a file outside the folder through a link', async () => {
    const found = await runDoccat(['search', corpus.secret, '--json'], { home });
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ total: 0 });
  });

  it('stays within the memory bound', () => {
    expect(peakBytes).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThan(MEMORY_BOUND_BYTES);
  });

  it('prints no control sequence from a name or a document to people', async () => {
    expect(result.stderr).not.toMatch(CONTROL);
    const runs = await Promise.all([
      runDoccat(['ingest', dir, '--no-color', '-j', '2'], { home }),
      runDoccat(['list'], { home }),
      runDoccat(['search', 'invoice'], { home }),
      runDoccat(['show', String(byName(corpus.escapeName)?.documentId), '--text'], { home }),
    ]);
    for (const run of runs) {
      expect(run.stdout).not.toMatch(CONTROL);
      expect(run.stderr).not.toMatch(CONTROL);
    }
    // Shown, escaped, not dropped: the name is still recognisable.
    expect(runs[3]?.stdout).toContain('invoice-\\u001b]52;c;ZXZpbA==');
  });

  it('keeps names exact in JSON, with every control character escaped', () => {
    expect(byName(corpus.escapeName)?.path).toBe(path.join(dir, corpus.escapeName));
    expect(result.stdout).not.toMatch(CONTROL);
  });
});
