import type { Generated } from 'kysely';

/** Table types for kysely. Columns are snake_case in SQL, as stored. */
export interface DocumentsTable {
  id: Generated<number>;
  sha256: string;
  size: number;
  mime: string;
  original_name: string;
  blob_backend: string;
  blob_key: string;
  method: string;
  pages: number;
  words: number;
  language: string | null;
  ocr_confidence: number | null;
  type: string;
  title: string;
  tags: string; // JSON array of strings
  document_date: string | null;
  correspondent: string | null;
  class_confidence: number;
  class_rule: string;
  classifier: string;
  fields: string; // JSON object
  warnings: string; // JSON array of { code, message }
  text: string;
  added_at: string;
  updated_at: string;
  /** JSON array of the fields a person set by hand; automatic classification leaves them alone. */
  manual_fields: Generated<string>;
  /** JSON object: title, author, from, subject, date as read from the source (migration 0005). */
  metadata: Generated<string>;
  /** The OCR engine and version that read its scanned pages (migration 0012); null when none did. */
  ocr_engine: Generated<string | null>;
}

export interface ClassificationsTable {
  id: Generated<number>;
  document_id: number;
  classifier: string;
  type: string;
  title: string;
  tags: string;
  document_date: string | null;
  correspondent: string | null;
  confidence: number;
  rule: string;
  created_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  document_id: number | null;
  command: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  actor: string;
  run_id: string;
  at: string;
}

export interface SourcesTable {
  id: Generated<number>;
  path: string;
  document_id: number | null;
  sha256: string | null;
  size: number | null;
  mtime_ms: number | null;
  /** `<dev>:<ino>` of the file read (migration 0010); null for rows from before. */
  file_id: Generated<string | null>;
  ctime_ms: Generated<number | null>;
  status: 'catalogued' | 'duplicate' | 'failed';
  error_code: string | null;
  error_message: string | null;
  error_hint: string | null;
  run_id: string;
  first_seen: string;
  last_seen: string;
}

export interface AiCacheTable {
  key: string;
  provider: string;
  model: string;
  prompt_version: string;
  result: string; // JSON Classification
  created_at: string;
}

export interface AiCallsTable {
  id: Generated<number>;
  at: string;
  provider: string;
  model: string;
  key_id: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  outcome: string;
  error_code: string | null;
  correlation_id: string | null;
}

export interface ClaimsTable {
  sha256: string;
  /** host:pid:run of the process extracting this content. */
  owner: string;
  expires_at: string;
}

export interface JobsTable {
  id: Generated<number>;
  path: string;
  /** created (waiting), active (leased), completed, failed (no attempts left) */
  state: 'created' | 'active' | 'completed' | 'failed';
  attempts: Generated<number>;
  run_after: string;
  owner: string | null;
  lease_until: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface IngestEventsTable {
  id: Generated<number>;
  at: string;
  started_at: string;
  run_id: string;
  correlation_id: string;
  status: 'catalogued' | 'duplicate' | 'unchanged' | 'failed';
  document_id: number | null;
  error_code: string | null;
  mime: string | null;
  method: string | null;
  bytes: number;
  pages: number;
  ocr_pages: number;
  total_ms: number;
  sniff_ms: number | null;
  hash_ms: number | null;
  extract_ms: number | null;
  ocr_ms: number | null;
  /** Migration 0012; null when the file had no OCR. */
  ocr_engine?: string | null;
  classify_ms: number | null;
  store_ms: number | null;
  commit_ms: number | null;
}

export interface RunsTable {
  id: string;
  command: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  totals: string; // JSON
}

export interface DocumentTagsTable {
  document_id: number;
  tag: string;
}

/** Facts about the catalogue itself (migration 0010): catalog_id. */
export interface CatalogMetaTable {
  key: string;
  value: string;
}

export interface Database {
  documents: DocumentsTable;
  sources: SourcesTable;
  runs: RunsTable;
  classifications: ClassificationsTable;
  audit: AuditTable;
  document_tags: DocumentTagsTable;
  ai_cache: AiCacheTable;
  ai_calls: AiCallsTable;
  claims: ClaimsTable;
  jobs: JobsTable;
  ingest_events: IngestEventsTable;
  catalog_meta: CatalogMetaTable;
}
