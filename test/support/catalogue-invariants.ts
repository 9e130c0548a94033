import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** What a crash, an interrupt or a hostile file must never break in a SQLite catalogue. */

export function openCatalogDb(home: string): Database.Database {
  return new Database(path.join(home, 'catalog.db'), { readonly: true });
}

/** Integrity, one row per content, every blob present with its size, the index complete, no half rows. */
export function expectConsistentCatalogue(home: string): void {
  const db = openCatalogDb(home);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Killed before its first migration committed: an empty file, which the next run migrates.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'").get()) return;
    const documents = db.prepare('SELECT id, sha256, blob_key, size, searchable_key, searchable_size FROM documents').all() as { id: number; sha256: string; blob_key: string; size: number; searchable_key: string | null; searchable_size: number | null }[];
    expect(new Set(documents.map((document) => document.sha256)).size).toBe(documents.length);
    for (const document of documents) expect(fs.statSync(path.join(home, 'blobs', document.blob_key)).size).toBe(document.size);
    // A scan's searchable PDF, stored before the row was committed, like the original.
    for (const document of documents) if (document.searchable_key !== null) expect(fs.statSync(path.join(home, 'blobs', document.searchable_key)).size).toBe(document.searchable_size);
    const indexed = (db.prepare('SELECT count(*) AS n FROM documents_fts').get() as { n: number }).n;
    expect(indexed).toBe(documents.length);
    // The head index (title, tags, correspondent) holds the same documents.
    const heads = (db.prepare('SELECT count(*) AS n FROM documents_fts_head').get() as { n: number }).n;
    expect(heads).toBe(documents.length);
    const dangling = db.prepare('SELECT count(*) AS n FROM sources WHERE status != ? AND document_id IS NULL').get('failed') as { n: number };
    expect(dangling.n).toBe(0);
  } finally {
    db.close();
  }
}

/** Every blob key the catalogue refers to: originals and searchable PDFs (which several documents may share). */
export function referencedBlobKeys(home: string): string[] {
  const db = openCatalogDb(home);
  try {
    const rows = db.prepare('SELECT blob_key, searchable_key FROM documents').all() as { blob_key: string; searchable_key: string | null }[];
    return [...new Set(rows.flatMap((row) => (row.searchable_key === null ? [row.blob_key] : [row.blob_key, row.searchable_key])))].sort();
  } finally {
    db.close();
  }
}

/** Keys of the blobs in a local store, relative to its folder (sha256/ab/cd/<sha256>). */
export function blobKeysOnDisk(home: string): string[] {
  const root = path.join(home, 'blobs', 'sha256');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(path.join(home, 'blobs'), path.join(entry.parentPath, entry.name)));
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function documentShas(home: string): Set<string> {
  const db = openCatalogDb(home);
  try {
    return new Set((db.prepare('SELECT sha256 FROM documents').all() as { sha256: string }[]).map((row) => row.sha256));
  } finally {
    db.close();
  }
}
