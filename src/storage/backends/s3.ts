import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, paginateListObjectsV2, PutObjectCommand, S3Client, type S3ServiceException, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { S3BackendConfig } from '../../config/schema.js';
import { DoccatError, ExitCode } from '../../errors.js';
import type { BackendContext } from './registry.js';
import { assertSafeKey, blobKey, blobMissing, checksumMismatch, hashingStream, putFileInto, type BlobHead, type BlobStore, type HealthResult, type PutResult } from '../blob-store.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const HEALTH_PREFIX = '.doccat-health/';

/**
 * AWS S3 and S3-compatible stores through @aws-sdk/client-s3. Large blobs go up in parts
 * (lib-storage); the sha256 is computed while uploading, stored as object metadata, and a blob
 * whose bytes did not match is deleted again, so a key never holds other content for long.
 */
/**
 * The store for a configured S3 backend, its credential references resolved: both keys set, or
 * neither (the standard AWS credential chain), never one of them.
 */
export function openS3BlobStore(name: string, config: S3BackendConfig, context: BackendContext): S3BlobStore {
  const secret = (reference: string | undefined) => (reference ? context.secret(reference) : undefined);
  const accessKeyId = secret(config.accessKeyId);
  const secretAccessKey = secret(config.secretAccessKey);
  const sessionToken = secret(config.sessionToken);
  if ((config.accessKeyId || config.secretAccessKey) && (!accessKeyId || !secretAccessKey)) {
    const missing = !accessKeyId ? config.accessKeyId ?? 'accessKeyId' : config.secretAccessKey ?? 'secretAccessKey';
    throw new DoccatError('E_SECRET_MISSING', `${name}: the S3 credentials are not set (${missing} is empty or missing)`, { hint: 'set the variable or file, or remove both keys to use the AWS credential chain', exitCode: ExitCode.usage });
  }
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId: accessKeyId.value, secretAccessKey: secretAccessKey.value, ...(sessionToken ? { sessionToken: sessionToken.value } : {}) } : undefined;
  return new S3BlobStore(name, config, credentials);
}

export class S3BlobStore implements BlobStore {
  readonly type = 's3';
  readonly capabilities = { presign: true };
  private readonly client: S3Client;
  /** The SDK retries each request; this covers an operation that failed through all of those. */
  private readonly transient = retry(
    handleWhen((error) => error instanceof DoccatError && error.code === 'E_STORAGE_UNAVAILABLE' && error.cause !== undefined && isNetworkError(error.cause)),
    { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 500, maxDelay: 5000 }) },
  );

  constructor(
    readonly name: string,
    private readonly config: S3BackendConfig,
    credentials: S3Credentials | undefined,
  ) {
    // The SDK warns on every start under Node 20 that releases after January 2027 will need
    // Node 22; the versions doccat installs run on 20, so the warning would only be noise on stderr.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      maxAttempts: config.maxAttempts,
      ...(credentials ? { credentials } : {}),
      // Checksums only when an operation requires them: S3-compatible stores that do not know the
      // newer flexible checksums otherwise store streamed uploads with aws-chunked framing inside.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(body: Readable, expectedSha256: string): Promise<PutResult> {
    const key = blobKey(expectedSha256);
    const hashing = hashingStream();
    const params: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: this.objectKey(key),
      Body: hashing.stream,
      ContentType: 'application/octet-stream',
      Metadata: { sha256: expectedSha256 },
      ...(this.config.serverSideEncryption ? { ServerSideEncryption: this.config.serverSideEncryption } : {}),
      ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
      ...(this.config.storageClass ? { StorageClass: this.config.storageClass } : {}),
    };
    const upload = new Upload({ client: this.client, params, partSize: this.config.partSizeMb * 1024 * 1024, queueSize: this.config.uploadConcurrency, leavePartsOnError: false });
    try {
      await Promise.all([pipeline(body, hashing.stream), upload.done()]);
    } catch (error) {
      body.destroy();
      throw this.translate(error, `upload ${key}`);
    }
    const { sha256, size } = hashing.result();
    if (sha256 !== expectedSha256) {
      await this.delete(key);
      throw checksumMismatch(this.name, key, expectedSha256, sha256);
    }
    return { key, size, sha256, created: true, backend: this.name };
  }

  /** Uploads from the file; `take` changes nothing here: the caller removes the file afterwards. */
  putFile(filePath: string, expectedSha256: string): Promise<PutResult> {
    return this.transient.execute(() => putFileInto(this, filePath, expectedSha256));
  }

  async putSmall(key: string, bytes: Buffer): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key), Body: bytes, ContentType: 'application/json', ...(this.config.serverSideEncryption ? { ServerSideEncryption: this.config.serverSideEncryption } : {}), ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}) }));
    } catch (error) {
      throw this.translate(error, `write ${key}`);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw blobMissing(this.name, key, error);
      throw this.translate(error, `read ${key}`);
    }
  }

  async head(key: string): Promise<BlobHead | undefined> {
    const lookup = async () => {
      try {
        return await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      } catch (error) {
        // HEAD has no body, so a missing bucket also reads as 404: put() names that case.
        if (isNotFound(error)) return undefined;
        throw this.translate(error, `look up ${key}`);
      }
    };
    const response = await this.transient.execute(lookup);
    if (!response) return undefined;
    return { key, size: response.ContentLength ?? 0, ...(response.LastModified ? { modified: response.LastModified } : {}), ...(response.Metadata?.sha256 ? { sha256: response.Metadata.sha256 } : {}) };
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw this.translate(error, `delete ${key}`);
    }
  }

  async *list(prefix = ''): AsyncIterable<BlobHead> {
    try {
      for await (const page of paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket: this.config.bucket, Prefix: `${this.config.prefix}${prefix}` })) {
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          const key = object.Key.slice(this.config.prefix.length);
          if (key.startsWith(HEALTH_PREFIX)) continue;
          yield { key, size: object.Size ?? 0, ...(object.LastModified ? { modified: object.LastModified } : {}) };
        }
      }
    } catch (error) {
      throw this.translate(error, 'list blobs');
    }
  }

  async locate(key: string, expiresInSeconds = this.config.presignExpirySeconds): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }), { expiresIn: expiresInSeconds });
  }

  async check(): Promise<HealthResult> {
    const started = performance.now();
    const probeKey = `${this.config.prefix}${HEALTH_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
    const bytes = randomBytes(64);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: probeKey, Body: bytes }));
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: probeKey }));
      const back = Buffer.from((await response.Body?.transformToByteArray()) ?? []);
      if (!back.equals(bytes)) throw new DoccatError('E_STORAGE_CORRUPT', `${this.name}: a probe object read back with different bytes`, { hint: 'the store or a proxy alters objects; check its checksum settings', exitCode: ExitCode.backendUnavailable });
    } catch (error) {
      throw this.translate(error, 'write/read probe');
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: probeKey })).catch(() => undefined);
    }
    return { latencyMs: performance.now() - started };
  }

  private objectKey(key: string): string {
    assertSafeKey(this.name, key);
    return `${this.config.prefix}${key}`;
  }

  /** SDK failures as errors a user can act on: which backend, which bucket, what to check. */
  private translate(error: unknown, action: string): unknown {
    if (error instanceof DoccatError) return error;
    const where = `${this.name} (bucket ${this.config.bucket}${this.config.endpoint ? ` at ${this.config.endpoint}` : ''})`;
    if (isNoSuchBucket(error)) {
      return new DoccatError('E_STORAGE_UNAVAILABLE', `${where}: the bucket does not exist`, { hint: `create it, or fix storage.backends.${this.name}.bucket`, exitCode: ExitCode.backendUnavailable, cause: error });
    }
    const name = (error as { name?: string }).name ?? '';
    const status = (error as S3ServiceException).$metadata?.httpStatusCode;
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError'].includes(name) || status === 403) {
      return new DoccatError('E_STORAGE_AUTH', `${where}: credentials refused to ${action} (${name || `HTTP ${status}`})`, {
        hint: `check storage.backends.${this.name}.accessKeyId/secretAccessKey or the AWS credential chain (AWS_ACCESS_KEY_ID, ~/.aws)`,
        exitCode: ExitCode.backendUnavailable,
        cause: error,
      });
    }
    if (isNetworkError(error) || (status !== undefined && status >= 500)) {
      return new DoccatError('E_STORAGE_UNAVAILABLE', `${where}: cannot ${action}: ${(error as Error).message || name}`, { hint: 'check that the store is running and reachable; the command can be run again', exitCode: ExitCode.backendUnavailable, cause: error });
    }
    return new DoccatError('E_STORAGE_ERROR', `${where}: cannot ${action}: ${(error as Error).message || name}`, { exitCode: ExitCode.backendUnavailable, cause: error });
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey' || (error as S3ServiceException).$metadata?.httpStatusCode === 404;
}

function isNoSuchBucket(error: unknown): boolean {
  return (error as { name?: string }).name === 'NoSuchBucket' || (error as { Code?: string }).Code === 'NoSuchBucket';
}

function isNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  const name = (error as { name?: string }).name;
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code ?? '') || name === 'TimeoutError' || name === 'RequestTimeout';
}
