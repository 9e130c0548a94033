// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSqlite } from './catalogues.js';
import { execFileAsync, root, cores, line } from './common.js';

/**
 * Start-up, the issue's yardstick: whole processes on a catalogue of 1,000 documents, each the
 * median of 11 runs, next to `node -e 0` measured in the same run (so a loaded machine shows as
 * a slower baseline, not as a slower doccat). Targets: --version <= node + 40 ms, search <= node + 150 ms.
 */
export async function benchStartup() {
  const count = Number(process.env.DOCCAT_BENCH_STARTUP_DOCS ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-startup-'));
  const env = { ...process.env, DOCCAT_HOME: dir, NO_COLOR: '1' };
  await loadSqlite(path.join(dir, 'catalog.db'), count);
  const bin = path.join(root, 'bin/doccat.js');
  const once = async (args) => {
    const begin = performance.now();
    await execFileAsync(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return performance.now() - begin;
  };
  const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  // Each doccat run is paired with a `node -e 0` run just before it: on a shared, loaded machine
  // the baseline drifts, and a pair sees the same load.
  const paired = async (args) => {
    const pairs = [];
    for (let run = 0; run < 11; run += 1) {
      const bare = await once(['-e', '0']);
      pairs.push({ bare, ms: await once(args) });
    }
    return { bare: middle(pairs.map((pair) => pair.bare)), ms: middle(pairs.map((pair) => pair.ms)), over: middle(pairs.map((pair) => pair.ms - pair.bare)), ratio: middle(pairs.map((pair) => pair.ms / pair.bare)) };
  };
  console.log(`\nStart-up: ${count} documents, 11 runs each, every run paired with a node -e 0 run just before it (medians), ${cores} cores`);
  const figures = [
    ['doccat --version', [bin, '--version'], 40],
    ['doccat search invoice', [bin, 'search', 'invoice'], 150],
    ['doccat search invoice --json', [bin, 'search', 'invoice', '--json'], 150],
    ['doccat __complete bash search --type ""', [bin, '__complete', 'bash', 'search', '--type', ''], undefined],
    ['doccat --help', [bin, '--help'], undefined],
  ];
  for (const [label, args, target] of figures) {
    const { bare, ms, over, ratio } = await paired(args);
    line(label, `${ms.toFixed(0)} ms, node -e 0 ${bare.toFixed(0)} ms: node +${over.toFixed(0)} ms, ${ratio.toFixed(2)}x${target ? ` (target node +${target} ms: ${over <= target ? 'met' : 'NOT met'})` : ''}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
