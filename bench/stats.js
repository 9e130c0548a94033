// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { line } from './common.js';

/**
 * `doccat stats` on a year of busy use: 200k ingest events and 50k provider calls in SQLite. The
 * baseline is the least any report needs: one pass reading every event row into memory.
 */
export async function benchStats() {
  const events = 200_000;
  const calls = 50_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-stats-'));
  const file = path.join(dir, 'catalog.db');
  const { openSqliteDatabase } = await import('../dist/db/database.js');
  const { catalogueStats } = await import('../dist/db/stats.js');
  const { default: Database } = await import('better-sqlite3');
  (await openSqliteDatabase({ path: file, busyTimeoutMs: 5000 })).close();
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  const insertEvent = sqlite.prepare(`INSERT INTO ingest_events (at, started_at, run_id, correlation_id, status, document_id, error_code, mime, method, bytes, pages, ocr_pages, total_ms, sniff_ms, hash_ms, extract_ms, ocr_ms, classify_ms, store_ms, commit_ms)
    VALUES (?, ?, ?, ?, ?, NULL, ?, 'application/pdf', 'text-layer', 50000, 2, ?, ?, 1.2, 0.8, ?, ?, 3.1, 4.2, 1.1)`);
  const insertCall = sqlite.prepare(`INSERT INTO ai_calls (at, provider, model, key_id, latency_ms, input_tokens, output_tokens, cost_usd, outcome, error_code, correlation_id) VALUES (?, ?, 'm', 'env:K#abcdef', ?, 900, 120, 0.0004, ?, NULL, ?)`);
  const start = Date.parse('2026-01-01T00:00:00Z');
  sqlite.transaction(() => {
    for (let index = 0; index < events; index += 1) {
      const begin = start + index * 150_000;
      const ocr = index % 5 === 0;
      insertEvent.run(new Date(begin + 900).toISOString(), new Date(begin).toISOString(), `run-${Math.floor(index / 500)}`, `c-${index}`, index % 50 === 0 ? 'failed' : 'catalogued', index % 50 === 0 ? 'E_PDF_CORRUPT' : null, ocr ? 2 : 0, 900, 40 + (index % 97), ocr ? 700 + (index % 311) : null);
    }
    for (let index = 0; index < calls; index += 1) insertCall.run(new Date(start + index * 600_000).toISOString(), index % 3 === 0 ? 'gpt' : 'claude', 200 + (index % 400), index % 40 === 0 ? 'error' : 'ok', `c-${index}`);
  })();
  sqlite.close();
  console.log(`\nStats: ${events} ingest events and ${calls} provider calls (SQLite), median of 5`);
  const catalog = await openSqliteDatabase({ path: file, busyTimeoutMs: 5000, readonly: true });
  const median = async (fn) => {
    const times = [];
    for (let run = 0; run < 5; run += 1) {
      const begin = performance.now();
      await fn();
      times.push(performance.now() - begin);
    }
    return times.sort((a, b) => a - b)[2];
  };
  const reader = new Database(file, { readonly: true });
  const baseline = await median(async () => reader.prepare('SELECT * FROM ingest_events').all().length);
  const all = await median(() => catalogueStats(catalog.db, { budgets: { gpt: 1_000_000 } }));
  const month = await median(() => catalogueStats(catalog.db, { since: '2026-06-01T00:00:00.000Z', budgets: { gpt: 1_000_000 } }));
  reader.close();
  await catalog.close();
  line('doccat stats, all time', `${all.toFixed(0)} ms`);
  line('doccat stats --since 2026-06-01 (56% of events)', `${month.toFixed(0)} ms`);
  line('baseline: read every event row once', `${baseline.toFixed(0)} ms`);
  line('ratio all time / baseline', `${(all / baseline).toFixed(2)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}
