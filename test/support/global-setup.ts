import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.mjs';

/** One Postgres server for the whole run; each test file makes its own databases on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('pgUrl', server.url);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
