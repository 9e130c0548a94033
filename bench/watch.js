// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile } from './catalogues.js';
import { root, line } from './common.js';

export async function benchWatch() {
  const { spawn } = await import('node:child_process');
  const stableMs = 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-watch-'));
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  const child = spawn(process.execPath, [path.join(root, 'bin/doccat.js'), 'watch', inbox, '--ndjson', '--stable', String(stableMs)], { env: { ...process.env, DOCCAT_HOME: path.join(dir, 'home') }, stdio: ['ignore', 'pipe', 'ignore'] });
  const done = new Map();
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (event.event === 'done') done.set(path.basename(event.path), Date.parse(event.at));
    }
  });
  const waitFor = async (names) => {
    while (!names.every((name) => done.has(name))) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await new Promise((resolve) => setTimeout(resolve, 1500));
  console.log(`\nWatch: one doccat watch process, --stable ${stableMs} ms, small text files`);
  // Paced drops: the time from a file's last write to its committed row, minus the stability wait.
  const written = new Map();
  for (let index = 0; index < 200; index += 1) {
    const name = `paced-${index}.txt`;
    fs.writeFileSync(path.join(inbox, name), `Paced document ${index}. ${'Some words to index. '.repeat(20)}`);
    written.set(name, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await waitFor([...written.keys()]);
  const latencies = [...written.entries()].map(([name, at]) => done.get(name) - at - stableMs);
  line('write to committed row (minus stability wait)', `p50 ${percentile(latencies, 50)} ms · p95 ${percentile(latencies, 95)} ms (200 files, one every 25 ms)`);
  // A burst: 500 files at once.
  const burst = Array.from({ length: 500 }, (_, index) => `burst-${index}.txt`);
  const started = Date.now();
  for (const name of burst) fs.writeFileSync(path.join(inbox, name), `Burst document ${name}. ${'Some words to index. '.repeat(20)}`);
  await waitFor(burst);
  const seconds = (Math.max(...burst.map((name) => done.get(name))) - started) / 1000;
  line('burst of 500 files', `${(500 / seconds).toFixed(1)} files/s (${seconds.toFixed(1)} s, including the ${stableMs} ms stability wait)`);
  child.kill('SIGINT');
  await new Promise((resolve) => child.on('close', resolve));
  fs.rmSync(dir, { recursive: true, force: true });
}
