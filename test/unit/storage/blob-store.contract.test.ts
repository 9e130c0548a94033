import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { secretLookup } from '../../../src/config/secrets.js';
import { blobKey, type BlobStore } from '../../../src/storage/blob-store.js';
import { createBlobStore } from '../../../src/storage/registry.js';
import type { MemoryBlobStore } from '../../support/memory-blob-store.js';
import { startS3, type TestS3 } from '../../support/s3.mjs';

/**
 * A backend type added the way a new one is: its file (test/support/memory-blob-store.ts) and one
 * entry in the backend registry, added here by mocking the registry module; nothing else is
 * edited. The config schema, createBlobStore and the contract below then take it like the others.
 */
vi.mock('../../../src/storage/backends/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/storage/backends/registry.js')>();
  // Imported here: vi.mock runs before the file's own imports.
  const memory = await import('../../support/memory-blob-store.js');
  return {
    ...actual,
    BACKEND_TYPES: [...actual.BACKEND_TYPES, { type: 'memory', schema: memory.memoryBackendSchema, secretOptions: [{ option: 'token', optional: false }], open: async (name: string, options: never, context: never) => memory.openMemoryBlobStore(name, options, context) }],
  };
});

/**
 * One contract every blob backend must keep, run against each (unstorage's driver tests are the
 * model): bytes in equal bytes out, keys stay inside the store, errors say which backend.
 */

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function testBlobStore(label: string, factory: () => Promise<BlobStore>, extra: (context: () => BlobStore) => void = () => undefined): void {
  describe(`${label} blob store`, () => {
    let store: BlobStore;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-contract-'));
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('stores and returns the same bytes, under a content-addressed key', async () => {
      const bytes = randomBytes(10_000);
      const put = await store.put(Readable.from([bytes]), sha(bytes));
      expect(put).toMatchObject({ key: blobKey(sha(bytes)), size: 10_000, sha256: sha(bytes), created: true, backend: store.name });
      expect((await readAll(await store.get(put.key))).equals(bytes)).toBe(true);
      expect(await store.head(put.key)).toMatchObject({ key: put.key, size: 10_000 });
    });

    it('uploads a 20 MB file (multipart where the backend has it) and reads it back byte for byte', async () => {
      const bytes = randomBytes(20 * 1024 * 1024);
      const file = path.join(dir, 'big.bin');
      fs.writeFileSync(file, bytes);
      const put = await store.putFile(file, sha(bytes));
      expect(put.size).toBe(bytes.length);
      const back = await readAll(await store.get(put.key));
      expect(back.length).toBe(bytes.length);
      expect(sha(back)).toBe(sha(bytes));
      expect((await store.putFile(file, sha(bytes))).created).toBe(false);
    });

    it('refuses bytes that do not match their sha256 and leaves nothing under the key', async () => {
      const bytes = randomBytes(3000);
      const claimed = sha(Buffer.from('something else'));
      await expect(store.put(Readable.from([bytes]), claimed)).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
      expect(await store.head(blobKey(claimed))).toBeUndefined();
      const file = path.join(dir, 'changed.bin');
      fs.writeFileSync(file, bytes);
      await expect(store.putFile(file, claimed)).rejects.toMatchObject({ code: 'E_FILE_CHANGED' });
    });

    it('reports a missing blob as E_BLOB_MISSING and head as absent', async () => {
      const key = blobKey(sha(Buffer.from('never stored')));
      expect(await store.head(key)).toBeUndefined();
      await expect(store.get(key)).rejects.toMatchObject({ code: 'E_BLOB_MISSING' });
      expect(await store.head('Rechnungen März/Übersicht 2024.pdf')).toBeUndefined();
    });

    it('deletes', async () => {
      const bytes = Buffer.from('to be deleted');
      const { key } = await store.put(Readable.from([bytes]), sha(bytes));
      await store.delete(key);
      expect(await store.head(key)).toBeUndefined();
    });

    it('refuses keys that would leave the store', async () => {
      for (const key of ['../outside', 'sha256/../../outside', '/etc/passwd', 'a//b', 'a/./b', 'with\0nul', 'back\\slash', '']) {
        await expect(store.get(key), key).rejects.toMatchObject({ code: 'E_STORAGE_KEY' });
        await expect(store.head(key), key).rejects.toMatchObject({ code: 'E_STORAGE_KEY' });
        await expect(store.delete(key), key).rejects.toMatchObject({ code: 'E_STORAGE_KEY' });
      }
    });

    it('lists 1,200 blobs across pages', async () => {
      const keys = new Set<string>();
      const items = Array.from({ length: 1200 }, (_, index) => Buffer.from(`listed blob ${index}`));
      for (let start = 0; start < items.length; start += 50) {
        const results = await Promise.all(items.slice(start, start + 50).map((bytes) => store.put(Readable.from([bytes]), sha(bytes))));
        for (const result of results) keys.add(result.key);
      }
      const listed = new Set<string>();
      for await (const blob of store.list('sha256/')) listed.add(blob.key);
      for (const key of keys) expect(listed.has(key), key).toBe(true);
      const one = [...keys][0] as string;
      const narrowed: string[] = [];
      for await (const blob of store.list(one.slice(0, 12))) narrowed.push(blob.key);
      expect(narrowed).toContain(one);
      expect(narrowed.every((key) => key.startsWith(one.slice(0, 12)))).toBe(true);
    });

    it('passes its own write/read/delete probe', async () => {
      const { latencyMs } = await store.check();
      expect(latencyMs).toBeGreaterThanOrEqual(0);
    });

    extra(() => store);
  });
}

const localRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-local-'));
testBlobStore('local', async () => createBlobStore('archive', setup({ archive: { type: 'local', path: path.join(localRoot, 'Blobs für Ämter 2024') } })), (store) => {
  it('locates a blob as a file path inside its folder', async () => {
    const bytes = Buffer.from('located');
    const { key } = await store().put(Readable.from([bytes]), sha(bytes));
    const where = await store().locate(key);
    expect(where.startsWith(path.join(localRoot, 'Blobs für Ämter 2024'))).toBe(true);
    expect(fs.readFileSync(where).equals(bytes)).toBe(true);
  });
});

testBlobStore('memory (a backend type registered by this test)', async () => createBlobStore('scratch', setup({ scratch: { type: 'memory', space: 'contract', token: 'env:MEMORY_TOKEN' } }, { MEMORY_TOKEN: 'memory-token-TESTSECRET' })), (store) => {
  it('was handed the resolved secret, and its options were validated by the config schema', () => {
    expect((store() as MemoryBlobStore).token).toBe('memory-token-TESTSECRET');
    expect(() => setup({ scratch: { type: 'memory', space: 'contract' } })).toThrow(/token/);
    expect(() => setup({ scratch: { type: 'tape' } })).toThrow(/'local' \| 's3' \| 'memory'/);
  });
});

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat', 'other']);
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(localRoot, { recursive: true, force: true });
});

testBlobStore('s3', async () => createBlobStore('cloud', setup({ cloud: s3.backend('doccat', { prefix: 'Archiv Bélanger/', partSizeMb: 5 }) }, s3.env)), (store) => {
  it('hands out a presigned URL that fetch can read', async () => {
    const bytes = randomBytes(4096);
    const { key } = await store().put(Readable.from([bytes]), sha(bytes));
    const url = await store().locate(key, 60);
    expect(url).toMatch(/X-Amz-Signature=/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('stores objects as plain bytes under the prefix, with their sha256 as metadata', async () => {
    const bytes = randomBytes(200_000);
    const { key } = await store().put(Readable.from([bytes]), sha(bytes));
    expect(await store().head(key)).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    // s3rver keeps each object as a file: no aws-chunked framing around the bytes.
    const onDisk = path.join(s3.directory, 'doccat', 'Archiv Bélanger', `${key}._S3rver_object`);
    expect(fs.existsSync(onDisk) ? fs.readFileSync(onDisk).equals(bytes) : 'no file').toBe(true);
  });
});

describe('s3 errors a user can act on', () => {
  it('says that the bucket does not exist', async () => {
    const store = await createBlobStore('cloud', setup({ cloud: s3.backend('missing-bucket') }, s3.env));
    const bytes = Buffer.from('x');
    const error = await store.put(Readable.from([bytes]), sha(bytes)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_STORAGE_UNAVAILABLE', exitCode: 4 });
    expect((error as Error).message).toMatch(/cloud \(bucket missing-bucket at http:\/\/127\.0\.0\.1:\d+\): the bucket does not exist/);
    await expect(store.check()).rejects.toMatchObject({ code: 'E_STORAGE_UNAVAILABLE' });
  });

  it('says that the credentials were refused', async () => {
    const store = await createBlobStore('cloud', setup({ cloud: s3.backend('doccat') }, { DOCCAT_TEST_S3_KEY: 'WRONG', DOCCAT_TEST_S3_SECRET: 'WRONG' }));
    await expect(store.check()).rejects.toMatchObject({ code: 'E_STORAGE_AUTH' });
  });

  it('says that the store cannot be reached', async () => {
    const store = await createBlobStore('cloud', setup({ cloud: { ...s3.backend('doccat'), endpoint: 'http://127.0.0.1:9' } }, s3.env));
    const error = await store.check().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_STORAGE_UNAVAILABLE', exitCode: 4 });
    expect((error as Error).message).toMatch(/^cloud /);
  });

  it('names a missing credential reference', async () => {
    await expect(createBlobStore('cloud', setup({ cloud: s3.backend('doccat') }, {}))).rejects.toMatchObject({ code: 'E_SECRET_MISSING' });
  });
});

function setup(backends: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const { storage } = configSchema.parse({ storage: { backends } });
  return { storage, blobDir: path.join(localRoot, 'default'), catalogDir: localRoot, secret: secretLookup({ env }) };
}
