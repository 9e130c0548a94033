// @ts-check
import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { line } from './common.js';

export async function benchStorage() {
  const { startS3 } = await import('../test/support/s3.mjs');
  const { createBlobStore } = await import('../dist/storage/registry.js');
  const { configSchema } = await import('../dist/config/schema.js');
  const { secretLookup } = await import('../dist/config/secrets.js');
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await startS3(['bench']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-storage-'));
  const { storage } = configSchema.parse({ storage: { backends: { disk: { type: 'local', path: path.join(dir, 'store') }, cloud: s3.backend('bench') } } });
  const setup = { storage, blobDir: path.join(dir, 'blobs'), catalogDir: dir, secret: secretLookup({ env: s3.env }) };
  // Typed from src: what the checker infers from dist's JavaScript misses that every backend returns a store.
  const local = /** @type {import('../src/storage/blob-store.js').BlobStore} */ (await createBlobStore('disk', setup));
  const cloud = /** @type {import('../src/storage/blob-store.js').BlobStore} */ (await createBlobStore('cloud', setup));
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  console.log('\nStorage: put of one file, median of 5, each against a plain baseline measured in the same run (s3rver on 127.0.0.1)');
  const median = async (runs, fn) => {
    const samples = [];
    for (let run = 0; run < runs; run += 1) {
      const begin = performance.now();
      await fn(run);
      samples.push(performance.now() - begin);
    }
    return samples.sort((a, b) => a - b)[Math.floor(runs / 2)] / 1000;
  };
  for (const megabytes of [1, 50]) {
    // Distinct content per run: a blob already stored would be skipped, not written.
    const files = Array.from({ length: 5 }, (_, run) => {
      const file = path.join(dir, `in-${megabytes}-${run}.bin`);
      fs.writeFileSync(file, crypto.randomBytes(megabytes * 1024 * 1024));
      return { file, sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
    });
    const rate = (seconds) => `${(megabytes / seconds).toFixed(0)} MB/s`;
    const copy = await median(5, (run) => fs.promises.copyFile(files[run].file, path.join(dir, `copy-${megabytes}-${run}.bin`)));
    const putLocal = await median(5, (run) => local.putFile(files[run].file, files[run].sha));
    line(`${megabytes} MB, baseline fs.copyFile`, rate(copy));
    line(`${megabytes} MB, doccat local put`, `${rate(putLocal)} (overhead ${(putLocal / copy).toFixed(2)}x: sha256, fsync, rename)`);
    const bare = await median(5, (run) => client.send(new PutObjectCommand({ Bucket: 'bench', Key: `bare/${megabytes}-${run}`, Body: fs.readFileSync(files[run].file) })));
    const putCloud = await median(5, (run) => cloud.putFile(files[run].file, files[run].sha));
    line(`${megabytes} MB, baseline bare SDK PutObject`, rate(bare));
    line(`${megabytes} MB, doccat s3 put`, `${rate(putCloud)} (overhead ${(putCloud / bare).toFixed(2)}x: streamed multipart, sha256, head first)`);
  }
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
