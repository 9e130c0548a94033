import type { Selectable } from 'kysely';
import type { AuditTable, ClassificationsTable, DocumentsTable, SourcesTable } from './schema.js';

/** The shapes DocumentRepository (db/documents.ts) takes and returns. */

export type DocumentRow = Selectable<DocumentsTable>;
export type SourceRow = Selectable<SourcesTable>;
export type ClassificationRow = Selectable<ClassificationsTable>;
export type AuditRow = Selectable<AuditTable>;

/** A document field: text, or money as {amount, currency} (classify/classifier.ts says the same). */
export type FieldValue = string | { amount: number; currency: string | null };


/** The fields a person can correct; once corrected by hand they are "manual". */
export type EditableField = 'type' | 'title' | 'date' | 'correspondent' | 'tags' | `field:${string}`;

export interface DocumentChanges {
  type?: string;
  title?: string;
  date?: string | null;
  correspondent?: string | null;
  addTags?: string[];
  removeTags?: string[];
  /** key -> value; null removes the field. */
  fields?: Record<string, FieldValue | null>;
}

export interface AutomaticClassification {
  classifier: string;
  type: string;
  title: string;
  tags: string[];
  date: string | null;
  correspondent: string | null;
  confidence: number;
  rule: string;
  fields: Record<string, FieldValue>;
}

export interface NewDocument {
  sha256: string;
  size: number;
  mime: string;
  originalName: string;
  blobBackend: string;
  blobKey: string;
  method: string;
  pages: number;
  words: number;
  language: string | null;
  ocrConfidence: number | null;
  type: string;
  title: string;
  tags: string[];
  documentDate: string | null;
  correspondent: string | null;
  classConfidence: number;
  classRule: string;
  classifier: string;
  fields: Record<string, FieldValue>;
  warnings: { code: string; message: string }[];
  text: string;
  /** What the source said about itself (e-mail sender, PDF title), kept for reclassification. */
  metadata: Record<string, string>;
  /** The OCR engine that read its scanned pages ("tesseract 5.3.0"), when any were. */
  ocrEngine?: string | null;
  /** The searchable PDF made from the OCR, already stored. */
  searchable?: StoredBlob;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  backend: string;
  key: string;
}

/** Which of a document's blobs: the original bytes, or the searchable PDF made from them. */
export type BlobRole = 'original' | 'searchable';

/** One blob of a document (its original, or its searchable PDF) and where it is. */
export interface BlobLocation {
  id: number;
  role: BlobRole;
  sha256: string;
  size: number;
  blob_backend: string;
  blob_key: string;
}

export interface BlobPage {
  blobs: BlobLocation[];
  /** Documents read for this page. */
  documents: number;
  lastId: number;
}

export interface SourceSighting {
  path: string;
  sha256: string | null;
  size: number | null;
  mtimeMs: number | null;
  /** `<dev>:<ino>` of the file read, and its ctime: with size and mtime, what "unchanged" compares. */
  fileId?: string | null;
  ctimeMs?: number | null;
  runId: string;
}

/**
 * What recording a path with content already catalogued amounted to: `unchanged` when the path
 * already pointed at that document (it keeps its status), `duplicate` when it is another path.
 */
export type SightingStatus = 'duplicate' | 'unchanged';

export interface CommitResult {
  documentId: number;
  /** True when another path (or another process) had already catalogued the same content. */
  duplicate: boolean;
  /** True when that other process had catalogued it from this very path. */
  unchanged?: boolean;
}
