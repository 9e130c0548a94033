import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.js';

/** Numbered migrations, imported statically so they ship inside dist/ without a folder scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
