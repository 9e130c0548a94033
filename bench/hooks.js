// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, line, timeProcess } from './common.js';

/**
 * What an onDocument hook costs per document: the same ingest of small text files with no hook,
 * with a webhook to a receiver on 127.0.0.1 and with a shell command, each a whole process from
 * start to exit (hooks still queued at the end are waited for), the median of three runs on new
 * catalogues. Also each delivery's own time, from `doccat stats`.
 */
export async function benchHooks() {
  const http = await import('node:http');
  const count = 200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-hooks-'));
  const inputs = path.join(dir, 'inputs');
  fs.mkdirSync(inputs);
  for (let index = 0; index < count; index += 1) fs.writeFileSync(path.join(inputs, `note-${index}.txt`), `Note ${index}. ${'Some words to index for the hook benchmark. '.repeat(20)}`);
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.end('ok');
    });
  });
  await /** @type {Promise<void>} */ (new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/doccat`;
  const variants = { 'no hook': [], webhook: [url], 'command (cat > /dev/null)': ['cat > /dev/null'] };
  console.log(`\nHooks: ingest of ${count} small text files (-j 2), with one onDocument hook or none; whole processes, median of 3`);
  const results = {};
  for (const [name, onDocument] of Object.entries(variants)) {
    const times = [];
    let delivery = '';
    for (let round = 0; round < 3; round += 1) {
      const home = path.join(dir, `home-${Object.keys(results).length}-${round}`);
      fs.mkdirSync(home);
      const config = path.join(home, 'doccat.config.json');
      fs.writeFileSync(config, JSON.stringify({ hooks: { onDocument } }));
      const env = { ...process.env, DOCCAT_HOME: home, DOCCAT_FEATURES_AI: 'false' };
      times.push((await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), 'ingest', inputs, '--quiet', '--jobs', '2', '--config', config], { env })).seconds);
      if (onDocument.length > 0) {
        const stats = JSON.parse((await timeProcess(process.execPath, [path.join(root, 'bin/doccat.js'), 'stats', '--json', '--config', config], { env })).stdout);
        const hook = stats.hooks[0];
        delivery = `each delivery p50 ${hook.p50Ms} ms, p95 ${hook.p95Ms} ms (${hook.delivered} delivered, ${hook.failed} failed)`;
      }
    }
    results[name] = times.sort((a, b) => a - b)[1];
    line(`ingest, ${name}`, `${results[name].toFixed(2)} s${delivery ? `; ${delivery}` : ''}`);
  }
  const base = results['no hook'];
  for (const name of ['webhook', 'command (cat > /dev/null)']) line(`added per document, ${name}`, `${(((results[name] - base) / count) * 1000).toFixed(2)} ms (${((results[name] / base - 1) * 100).toFixed(1)}% of the run)`);
  line('webhook requests received', `${received} (expected ${count * 3})`);
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
