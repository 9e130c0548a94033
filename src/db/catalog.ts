import type { Kysely } from 'kysely';
import { AiRecordRepository } from './ai-records.js';
import { ClaimRepository } from './claims.js';
import type { CatalogDatabase } from './database.js';
import { dialectFor, type SqlDialect } from './dialect.js';
import { DocumentRepository } from './documents.js';
import { LearnedModelRepository } from './learned-models.js';
import { ProvenanceRepository } from './provenance.js';
import type { Database } from './schema.js';
import type { SearchOptions, SearchResult } from './search/search.js';
import type { CatalogueStats } from './stats.js';

/**
 * Where the documents' blobs are, for the storage jobs and `get`: reads only. The document
 * repository already answers these (db/document-blobs.ts); this is the part of it that reads blobs.
 */
export type BlobIndex = Pick<DocumentRepository, 'blobLocation' | 'blobPage' | 'countByBackend' | 'countBlobs' | 'referencedKeys' | 'isBlobKeyReferenced' | 'isBlobKeyReferencedOn'>;

/**
 * One opened catalogue: its dialect, chosen once from the connection, and its repositories over
 * one handle, so that callers ask the catalogue (`catalog.documents`, `catalog.search(...)`)
 * instead of passing the Kysely handle around and telling the databases apart themselves.
 */
export class Catalog {
  readonly dialect: SqlDialect;
  readonly documents: DocumentRepository;
  readonly aiRecords: AiRecordRepository;
  readonly provenance: ProvenanceRepository;
  readonly learnedModels: LearnedModelRepository;

  constructor(
    /** The connection as opened (db/database.ts): handle, location, migrations applied. */
    readonly database: CatalogDatabase,
    /** The Postgres connection string, for pg-boss's own connection; absent on SQLite. */
    readonly url?: string,
  ) {
    const { db } = database;
    this.dialect = dialectFor(db);
    this.documents = new DocumentRepository(db);
    this.aiRecords = new AiRecordRepository(db);
    this.provenance = new ProvenanceRepository(db);
    this.learnedModels = new LearnedModelRepository(db);
  }

  get blobs(): BlobIndex {
    return this.documents;
  }

  /** The Kysely handle, for queries no repository has yet. */
  get db(): Kysely<Database> {
    return this.database.db;
  }

  /** Where it is, for messages: a file path, or a URL without its password. */
  get location(): string {
    return this.database.location;
  }

  /** The documents repository under the name cli/ has used; new code says `documents`. */
  get repository(): DocumentRepository {
    return this.documents;
  }

  /** Leases on content being extracted, held as this run. */
  claims(runId: string, leaseMs: number): ClaimRepository {
    return new ClaimRepository(this.database.db, runId, leaseMs);
  }

  // Search and stats are loaded when asked for: every command opens a catalogue, few search it or
  // count it, and start-up is paid by each. (The job queue is not here: queue/ uses db/, never the
  // reverse; app/queue.ts opens it with this catalogue's handle and URL.)
  async search(options: SearchOptions): Promise<SearchResult> {
    return (await import('./search/search.js')).searchDocuments(this.database.db, options);
  }

  async stats(options: { since?: string; budgets?: Record<string, number>; now?: Date } = {}): Promise<CatalogueStats> {
    return (await import('./stats.js')).catalogueStats(this.database.db, options);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
