// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSqlite, measureQueries, percentile, QUERY_MIX } from './catalogues.js';
import { execFileAsync, root, line } from './common.js';

export async function benchSearch() {
  const count = Number(process.env.DOCCAT_BENCH_DOCS ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-search-'));
  const env = { ...process.env, DOCCAT_HOME: dir };
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const seconds = await loadSqlite(path.join(dir, 'catalog.db'), count);
  console.log(`\nSearch: ${count} synthetic documents (40-1100 words, Zipf vocabulary), loaded in ${seconds.toFixed(1)} s`);
  const reader = await openSqliteDatabase({ path: path.join(dir, 'catalog.db'), busyTimeoutMs: 5000, readonly: true });
  const { latencies, slowest, worst } = await measureQueries(reader.db);
  await reader.close();
  line(`query mix (${QUERY_MIX.length} forms, in process)`, `p50 ${percentile(latencies, 50).toFixed(1)} ms · p95 ${percentile(latencies, 95).toFixed(1)} ms · p99 ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length} queries)`);
  line('slowest forms (median)', slowest.map(([key, value]) => `${key} ${value.toFixed(1)} ms`).join(' · '));
  line('worst case: "the" (in every document)', `median ${worst.toFixed(1)} ms`);

  const time = async (file, args, extraEnv = {}) => {
    const samples = [];
    for (let run = 0; run < 7; run += 1) {
      const begin = performance.now();
      await execFileAsync(file, args, { env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
      samples.push(performance.now() - begin);
    }
    samples.sort((a, b) => a - b);
    return samples[3];
  };
  const bare = await time(process.execPath, ['-e', '0']);
  const version = await time(process.execPath, [path.join(root, 'bin/doccat.js'), '--version']);
  const cold = await time(process.execPath, [path.join(root, 'bin/doccat.js'), 'search', 'invoice payment', '--json']);
  line('node -e 0 (baseline)', `${bare.toFixed(0)} ms`);
  line('doccat --version', `${version.toFixed(0)} ms (+${(version - bare).toFixed(0)} ms, ${(version / bare).toFixed(2)}x)`);
  line('doccat search "invoice payment" --json', `${cold.toFixed(0)} ms (+${(cold - bare).toFixed(0)} ms, ${(cold / bare).toFixed(2)}x)`);
  if (process.env.DOCCAT_BENCH_KEEP) console.log(`kept ${dir}`); else fs.rmSync(dir, { recursive: true, force: true });
}
