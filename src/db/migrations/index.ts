import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.js';
import * as auditAndHistory from './0002_audit_and_history.js';
import * as searchIndexes from './0003_search_indexes.js';
import * as prefixIndexAndTags from './0004_prefix_index_and_tags.js';
import * as aiCallsAndCache from './0005_ai_calls_and_cache.js';
import * as claims from './0006_claims.js';
import * as jobs from './0007_jobs.js';
import * as ingestEvents from './0008_ingest_events.js';
import * as postgresDateOrder from './0009_postgres_date_order.js';
import * as fileIdentityAndCatalogId from './0010_file_identity_and_catalog_id.js';
import * as learnedModels from './0011_learned_models.js';
import * as ocrEngine from './0012_ocr_engine.js';
import * as searchablePdfs from './0013_searchable_pdfs.js';
import * as provenance from './0014_provenance.js';
import * as workersAndSearchHead from './0015_workers_and_search_head.js';
import * as hooksAlertsTracing from './0016_hooks_alerts_tracing.js';
import * as documentParts from './0017_document_parts.js';
import * as searchWordStatistics from './0018_search_word_statistics.js';
import * as searchWordPairs from './0019_search_word_pairs.js';
import * as postgresSourcesIndex from './0020_postgres_sources_index.js';
import * as sqliteSearchHead from './0021_sqlite_search_head.js';
import * as postgresDateOrderCovering from './0022_postgres_date_order_covering.js';

/** Numbered migrations, imported statically so they ship inside dist/ without a folder scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_audit_and_history': auditAndHistory,
  '0003_search_indexes': searchIndexes,
  '0004_prefix_index_and_tags': prefixIndexAndTags,
  '0005_ai_calls_and_cache': aiCallsAndCache,
  '0006_claims': claims,
  '0007_jobs': jobs,
  '0008_ingest_events': ingestEvents,
  '0009_postgres_date_order': postgresDateOrder,
  '0010_file_identity_and_catalog_id': fileIdentityAndCatalogId,
  '0011_learned_models': learnedModels,
  '0012_ocr_engine': ocrEngine,
  '0013_searchable_pdfs': searchablePdfs,
  '0014_provenance': provenance,
  '0015_workers_and_search_head': workersAndSearchHead,
  '0016_hooks_alerts_tracing': hooksAlertsTracing,
  '0017_document_parts': documentParts,
  '0018_search_word_statistics': searchWordStatistics,
  '0019_search_word_pairs': searchWordPairs,
  '0020_postgres_sources_index': postgresSourcesIndex,
  '0021_sqlite_search_head': sqliteSearchHead,
  '0022_postgres_date_order_covering': postgresDateOrderCovering,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
