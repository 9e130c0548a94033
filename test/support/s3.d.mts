export interface TestS3 {
  readonly endpoint: string;
  directory: string;
  backend(bucket?: string, extra?: Record<string, unknown>): Record<string, unknown> & { type: 's3'; bucket: string };
  env: { DOCCAT_TEST_S3_KEY: string; DOCCAT_TEST_S3_SECRET: string };
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}
export function startS3(buckets?: string[]): Promise<TestS3>;
