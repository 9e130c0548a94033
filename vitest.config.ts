import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real Postgres server for the database tests (test/support/postgres.mjs).
    globalSetup: ['test/support/global-setup.ts'],
    // End-to-end tests spawn the built CLI and run real OCR on two cores: give them room.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
