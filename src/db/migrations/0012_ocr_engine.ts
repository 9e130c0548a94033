import type { Kysely } from 'kysely';

/**
 * The OCR engine that read a document's scanned pages ("tesseract 5.3.0", "tesseract.js 7.0.0"),
 * on the document and on each ingest event, so that `show` says which one read it and `stats`
 * can set the engines' speeds side by side. Null where nothing was OCRed, and on older rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('ocr_engine', 'text').execute();
  await db.schema.alterTable('ingest_events').addColumn('ocr_engine', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ingest_events').dropColumn('ocr_engine').execute();
  await db.schema.alterTable('documents').dropColumn('ocr_engine').execute();
}
