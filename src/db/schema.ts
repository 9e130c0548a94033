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
  /** The searchable PDF's blob (migration 0013), all null when the document has none. */
  searchable_sha256: Generated<string | null>;
  searchable_size: Generated<number | null>;
  searchable_backend: Generated<string | null>;
  searchable_key: Generated<string | null>;
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
  /** W3C traceparent of the `ingest --enqueue` that queued it (migration 0016). */
  trace_parent: Generated<string | null>;
}

/** A `doccat worker` or `watch` process taking jobs (migration 0015); times from the database's clock. */
export interface WorkersTable {
  /** host:pid:run, also the owner of its jobs and content claims. */
  id: string;
  host: string;
  pid: number;
  command: string;
  started_at: string;
  beat_at: string;
  /** JSON: [{ job, path, since }] */
  jobs: Generated<string>;
  stopped_at: string | null;
  dead_at: string | null;
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

/** One build context files were seen in (migration 0014): a CI run's facts, git facts, labels. */
export interface ProvenanceTable {
  id: Generated<number>;
  /** sha256 of every fact below and the labels: one row per distinct context. */
  key: string;
  provider: string;
  repository: string | null;
  commit_sha: string | null;
  branch: string | null;
  tag: string | null;
  pull_request: string | null;
  workflow: string | null;
  job: string | null;
  run_id: string | null;
  run_attempt: string | null;
  run_url: string | null;
  git_head: string | null;
  git_branch: string | null;
  git_dirty: number | null;
  /** JSON: everything read, labels included, for show and manifest. */
  facts: string;
  created_at: string;
}

export interface ProvenanceLabelsTable {
  provenance_id: number;
  key: string;
  value: string;
}

/** A document seen at a path in a build context (migration 0014). */
export interface SourceProvenanceTable {
  id: Generated<number>;
  document_id: number;
  provenance_id: number;
  path: string;
  name: string;
  doccat_run_id: string;
  first_seen: string;
  last_seen: string;
}

/** A document found inside an archive document (ingest --unpack, migration 0014). */
export interface DocumentMembersTable {
  parent_id: number;
  child_id: number;
  member: string;
}

/** The learned classifier (migration 0011): one row per model name ('default'). */
export interface LearnedModelsTable {
  name: string;
  format: number;
  /** Hash of the labels it was trained on; another hash means the model is stale. */
  fingerprint: string;
  trained_at: string;
  documents: number;
  train_ms: number;
  summary: string; // JSON
  model: Uint8Array;
}

/** One event delivered to one hook, or given up on (migration 0016). */
export interface HookDeliveriesTable {
  id: Generated<number>;
  at: string;
  run_id: string;
  /** The hook as it may be shown: a URL without query, a secret reference's name, a command's start. */
  hook: string;
  kind: 'command' | 'webhook';
  event: string;
  document_id: number | null;
  correlation_id: string | null;
  status: 'delivered' | 'failed';
  attempts: number;
  duration_ms: number;
  error_code: string | null;
  error_message: string | null;
  /** The event JSON, for failed deliveries only. */
  payload: string | null;
}

/** Each alert rule's last state (migration 0016). */
export interface AlertStatesTable {
  name: string;
  state: 'ok' | 'firing';
  value: number | null;
  /** When the current state began. */
  since: string;
  fired_at: string | null;
  resolved_at: string | null;
  updated_at: string;
  message: string | null;
}

/** A document that came out of another: an attachment of an e-mail, a message of an mbox (migration 0017). */
export interface DocumentPartsTable {
  parent_id: number;
  position: number;
  child_id: number;
  /** The part's name in its parent (an attachment's file name); '' when it had none. */
  name: string;
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
  provenance: ProvenanceTable;
  provenance_labels: ProvenanceLabelsTable;
  source_provenance: SourceProvenanceTable;
  document_members: DocumentMembersTable;
  learned_models: LearnedModelsTable;
  hook_deliveries: HookDeliveriesTable;
  alert_states: AlertStatesTable;
  document_parts: DocumentPartsTable;
  workers: WorkersTable;
}
