import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { localBlobPath } from '../storage/registry.js';

/**
 * Where doccat keeps its own files: the catalogue folder, the SQLite database and its journal
 * files, the staging folder and every local blob store. A walk or a watch that finds them inside
 * a folder it was given leaves them alone (`doccat --catalog ./cat ingest .` from cron, or the
 * catalogue kept in ~/Documents/.doccat beside the documents).
 */
export function ownPaths(loaded: Pick<LoadedConfig, 'catalogDir' | 'databasePath' | 'blobDir' | 'config'>): string[] {
  const { catalogDir, databasePath, blobDir, config } = loaded;
  const paths = [catalogDir, path.join(catalogDir, '.staging'), blobDir];
  if (!config.database.url) paths.push(databasePath, `${databasePath}-wal`, `${databasePath}-shm`, `${databasePath}-journal`);
  for (const name of Object.keys(config.storage.backends)) {
    const root = localBlobPath(name, '', { storage: config.storage, blobDir, catalogDir });
    if (root !== undefined) paths.push(root);
  }
  return paths;
}
