// @ts-check
// A real S3 protocol server (s3rver) on 127.0.0.1 for tests and benchmarks, in a temp folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3rver-process.mjs');

/**
 * An S3 object appears whole or not at all; s3rver writes the content, then its metadata file, so
 * a kill in between leaves an object whose metadata is missing or cut short, which s3rver then
 * answers with HTTP 500 forever. Such objects are removed after a simulated outage, as the PUT
 * that was cut off would never have become visible on S3.
 */
function dropIncompleteObjects(root) {
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const match = /^(.*)\._S3rver_object$/.exec(entry.name);
      if (!match) continue;
      const metadata = path.join(folder, `${match[1]}._S3rver_metadata.json`);
      let complete = false;
      try {
        JSON.parse(fs.readFileSync(metadata, 'utf8'));
        complete = true;
      } catch {
        complete = false;
      }
      if (!complete) for (const file of [full, metadata, `${full}.md5`]) fs.rmSync(file, { force: true });
    }
  };
  walk(root);
}

/**
 * Starts s3rver in a child process on a free port with the given buckets. stop() and start()
 * again keep the port and the stored objects, to simulate an outage in the middle of a command.
 */
export async function startS3(buckets = ['doccat']) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-s3rver-'));
  let child;
  let port = 0;
  const start = async () => {
    child = spawn(process.execPath, ['--openssl-legacy-provider', runner, directory, String(port), ...buckets], { stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).port);
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    dropIncompleteObjects(directory);
  };
  await start();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    directory,
    /** Settings for a doccat s3 backend pointed at this server. */
    backend(bucket = buckets[0], extra = {}) {
      return { type: 's3', bucket, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, accessKeyId: 'env:DOCCAT_TEST_S3_KEY', secretAccessKey: 'env:DOCCAT_TEST_S3_SECRET', maxAttempts: 2, ...extra };
    },
    /** What backend() reads its credentials from (s3rver accepts these fixed ones). */
    env: { DOCCAT_TEST_S3_KEY: 'S3RVER', DOCCAT_TEST_S3_SECRET: 'S3RVER' },
    stop,
    start,
    close: async () => {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
