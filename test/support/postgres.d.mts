export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}
export function startPostgres(options?: { durable?: boolean; settings?: Record<string, string> }): Promise<TestPostgres>;
export function createDatabase(serverUrl: string, prefix?: string): Promise<string>;
