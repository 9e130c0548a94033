import type { Selectable } from 'kysely';
import type { Classification, FieldValue } from '../classification.js';
import type { AuditTable, ClassificationsTable, DocumentsTable, SourcesTable } from './schema.js';

/** The shapes DocumentRepository (db/documents.ts) takes and returns. */

export type DocumentRow = Selectable<DocumentsTable>;
export type SourceRow = Selectable<SourcesTable>;
export type ClassificationRow = Selectable<ClassificationsTable>;
export type AuditRow = Selectable<AuditTable>;

export type { FieldValue };

/** A classification as reclassify applies it: the language stays what extraction found. */
export type AutomaticClassification = Omit<Classification, 'language'>;


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

/**
 * A classification as a document row names it: the classifier's shape (src/classification.ts),
 * with the three parts whose columns say whose they are (`document_date`, `class_confidence`,
 * `class_rule`). db/document-classification.ts converts both ways.
 */
export type DocumentClassification = Omit<Classification, 'date' | 'confidence' | 'rule'> & {
  documentDate: Classification['date'];
  classConfidence: Classification['confidence'];
  classRule: Classification['rule'];
};

/** What extraction found and the classifier decided about a new document, and where its blob is. */
export interface NewDocument extends DocumentClassification {
  sha256: string;
  size: number;
  mime: string;
  originalName: string;
  blobBackend: string;
  blobKey: string;
  method: string;
  pages: number;
  words: number;
  ocrConfidence: number | null;
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
