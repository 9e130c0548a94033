import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * better-sqlite3, loaded the quick way: required (an ES import of a CommonJS package has Node scan
 * its source for export names first) and given its compiled addon by path, where its own loader
 * (the bindings package) builds an error to find the package and then tries several folders.
 * About 7 ms of every command that opens a SQLite catalogue.
 */
export function sqliteDriver(): { Database: typeof BetterSqlite3; options: BetterSqlite3.Options } {
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  let nativeBinding: string | undefined;
  try {
    nativeBinding = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    // Built some other way (a debug build): its own loader finds it.
  }
  return { Database, options: nativeBinding ? { nativeBinding } : {} };
}
