import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as z from 'zod';
import { secretReference } from '../../src/config/schema/secret.js';
import { DoccatError } from '../../src/errors.js';
import { assertSafeKey, blobKey, blobMissing, checksumMismatch, hashingStream, putFileInto, type BlobHead, type BlobStore, type HealthResult, type PutResult } from '../../src/storage/blob-store.js';
import type { BackendContext, BackendInit } from '../../src/storage/backends/registry.js';

/**
 * A backend type as a new one would be added (see the blob-store contract suite, which registers
 * it with one registry entry): its options schema, with a secret reference, and a store keeping
 * blobs in memory, shared by stores of the same `space` within the process.
 */
export const memoryBackendSchema = z
  .object({
    type: z.literal('memory'),
    space: z.string().min(1),
    token: secretReference.describe('must resolve: shows the registry hands the backend its secrets'),
  })
  .strict();

/**
 * What `doccat init` asks for it (the init test registers it with this): the space, which --yes
 * needs, and where the token is, a secret reference with a default.
 */
export const memoryBackendInit: BackendInit<typeof memoryBackendSchema> = {
  label: 'Memory (test)',
  hint: 'blobs kept by this process only',
  fields: [
    { name: 'space', flag: '--memory-space <name>', help: 'space for --storage memory', prompt: 'Space name', required: { hint: 'name the space, e.g. --memory-space scans' }, validate: (value) => (/^[a-z]+$/.test(value) ? undefined : 'lower-case letters') },
    { name: 'token', flag: '--memory-token <reference>', help: 'where the token is', prompt: 'Where is the token?', default: 'env:MEMORY_TOKEN', secret: true },
  ],
  options: ({ space = '', token = '' }) => ({ type: 'memory', space, token }),
};

const spaces = new Map<string, Map<string, { bytes: Buffer; modified: Date }>>();

export function openMemoryBlobStore(name: string, options: z.output<typeof memoryBackendSchema>, context: BackendContext): MemoryBlobStore {
  const token = context.secret(options.token);
  if (!token) throw new DoccatError('E_SECRET_MISSING', `${name}: the token is not set (${options.token} is empty or missing)`);
  let space = spaces.get(options.space);
  if (!space) spaces.set(options.space, (space = new Map()));
  return new MemoryBlobStore(name, space, token.value);
}

export class MemoryBlobStore implements BlobStore {
  readonly type = 'memory';
  readonly capabilities = { presign: false };

  constructor(
    readonly name: string,
    private readonly blobs: Map<string, { bytes: Buffer; modified: Date }>,
    /** What the test checks arrived: the secret's value, not its reference. */
    readonly token: string,
  ) {}

  async put(body: Readable, expectedSha256: string): Promise<PutResult> {
    const key = blobKey(expectedSha256);
    const hashing = hashingStream();
    const chunks: Buffer[] = [];
    await pipeline(
      body,
      hashing.stream,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    const { sha256, size } = hashing.result();
    if (sha256 !== expectedSha256) throw checksumMismatch(this.name, key, expectedSha256, sha256);
    const created = !this.blobs.has(key);
    this.blobs.set(key, { bytes: Buffer.concat(chunks), modified: new Date() });
    return { key, size, sha256, created, backend: this.name };
  }

  putFile(filePath: string, expectedSha256: string): Promise<PutResult> {
    return putFileInto(this, filePath, expectedSha256);
  }

  async putSmall(key: string, bytes: Buffer): Promise<void> {
    assertSafeKey(this.name, key);
    this.blobs.set(key, { bytes: Buffer.from(bytes), modified: new Date() });
  }

  async get(key: string): Promise<Readable> {
    assertSafeKey(this.name, key);
    const blob = this.blobs.get(key);
    if (!blob) throw blobMissing(this.name, key);
    return Readable.from([blob.bytes]);
  }

  async head(key: string): Promise<BlobHead | undefined> {
    assertSafeKey(this.name, key);
    const blob = this.blobs.get(key);
    // The key is the sha256 of the bytes put under it: putFile may trust it, as S3's metadata.
    const sha256 = /^sha256\/..\/..\/([0-9a-f]{64})$/.exec(key)?.[1];
    return blob ? { key, size: blob.bytes.length, modified: blob.modified, ...(sha256 ? { sha256 } : {}) } : undefined;
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(this.name, key);
    this.blobs.delete(key);
  }

  async *list(prefix = ''): AsyncIterable<BlobHead> {
    for (const [key, blob] of [...this.blobs]) if (key.startsWith(prefix)) yield { key, size: blob.bytes.length, modified: blob.modified };
  }

  async locate(key: string): Promise<string> {
    assertSafeKey(this.name, key);
    return `memory://${this.name}/${key}`;
  }

  async check(): Promise<HealthResult> {
    const started = performance.now();
    const key = `health/${randomBytes(6).toString('hex')}`;
    await this.putSmall(key, randomBytes(64));
    await this.delete(key);
    return { latencyMs: performance.now() - started };
  }
}
