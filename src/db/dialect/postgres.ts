import { Migrator, sql, type Kysely } from 'kysely';
import { searchTokens } from '../../text/fold.js';
import type { Database } from '../schema.js';
import { globToLike, globToRegex } from '../search/glob.js';
import { TSQUERY, textMatchesPostgres, tsqueryMatches } from '../search/tsquery.js';
import { MAX_INDEXED_BODY, pairsVector } from '../search/word-pairs.js';
import type { IndexedFields, SqlDialect } from './types.js';

/**
 * Postgres: shared by several machines. Rows that concurrent writers must agree on are locked;
 * the full-text index is one weighted tsvector per document; JSON is read as jsonb; its clock is
 * the one every machine agrees on.
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  columnTypes: { id: 'bigserial', bigint: 'bigint', float: 'double precision', bytes: 'bytea' },
  primaryKey: (column) => column.primaryKey(),
  lockForUpdate: (query) => query.forUpdate(),
  lockForShare: (query) => query.forShare(),
  isoNow: (secondsAgo) =>
    secondsAgo === undefined
      ? sql<string>`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : sql<string>`to_char((now() - make_interval(secs => ${secondsAgo})) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  // Postgres transactions need nothing special.
  writeTransaction: (db, work) => db.transaction().execute(work),
  // Committed without waiting for the WAL flush (the WAL writer flushes it within 200 ms): a
  // server crash could lose such a commit, never corrupt anything.
  bookkeepingWrite: (db, work) =>
    db.transaction().execute(async (trx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      return work(trx);
    }),
  insideTransaction: () => false,
  // kysely's Migrator takes an advisory lock on Postgres.
  migrateToLatest: (db, provider) => new Migrator({ db, provider }).migrateToLatest(),
  writeSearchEntry,
  deleteSearchEntry: async (db, documentId) => {
    await sql`DELETE FROM documents_fts WHERE document_id = ${documentId}`.execute(db);
  },
  continueIdsAfterCopy: async (db, tables) => {
    for (const table of tables) await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), coalesce((SELECT max(id) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
  },
  reserveDocumentId: async (trx, id) => {
    await sql`SELECT setval(pg_get_serial_sequence('documents', 'id'), greatest(nextval(pg_get_serial_sequence('documents', 'id')), ${id}))`.execute(trx);
  },
  queueBacklog,
  runSearch: async (db, options) => (await import('../search/postgres.js')).searchPostgres(db, options, postgresDialect),
  search: {
    text: TSQUERY,
    textMatches: (text, prefix) => textMatchesPostgres({ text, prefix }),
    expressionMatches: tsqueryMatches,
    caseInsensitiveLike: sql`ILIKE`,
    tagEquals: (value) => sql`lower(x.tag) = lower(${value})`,
    globMatches: (column, glob) => sql`${column} ~ ${globToRegex(glob)}`,
    // Postgres has no GLOB: the same pattern as LIKE when it has no [class] (3x faster than the
    // regular expression on 100k paths: a leading .* makes the regex engine backtrack), else as a
    // regular expression. Both are case-sensitive.
    pathMatches: (column, glob) => {
      const like = globToLike(glob);
      return like === undefined ? sql`${column} ~ ${globToRegex(glob)}` : sql`${column} LIKE ${like}`;
    },
    fieldNumber: (path) => {
      const at = sql.lit(`{${path.join(',')}}`);
      return sql<number | null>`(CASE WHEN jsonb_typeof(d.fields::jsonb #> ${at}) = 'number' THEN (d.fields::jsonb #>> ${at})::numeric END)`;
    },
    fieldText: (path) => sql<string | null>`(d.fields::jsonb #>> ${sql.lit(`{${path.join(',')}}`)})`,
  },
};

function tokens(text: string): string {
  return searchTokens(text).join(' ');
}

/**
 * One tsvector with title, tags, correspondent and body weighted A to D, built from
 * searchTokens() so that folding and splitting match what search/tsquery.ts does to a query.
 */
async function writeSearchEntry(db: Kysely<Database>, documentId: number, fields: IndexedFields): Promise<void> {
  const tags = fields.tags.join(' ');
  const correspondent = fields.correspondent ?? '';
  const head = sql`setweight(to_tsvector('simple', ${tokens(fields.title)}), 'A') || setweight(to_tsvector('simple', ${tokens(tags)}), 'B') || setweight(to_tsvector('simple', ${tokens(correspondent)}), 'C')`;
  if (fields.body !== undefined) {
    const pairs = pairsVector({ ...fields, body: fields.body });
    await sql`INSERT INTO documents_fts (document_id, tsv, pairs) VALUES (${documentId}, ${head} || setweight(to_tsvector('simple', ${tokens(fields.body.slice(0, MAX_INDEXED_BODY))}), 'D'), ${pairs}::tsvector)`.execute(db);
  } else {
    // Keep the body's lexemes (weight D) and replace the rest. The pairs keep no fields apart, so
    // they are made again, with the stored text.
    const stored = await sql<{ text: string }>`SELECT text FROM documents WHERE id = ${documentId}`.execute(db);
    const pairs = pairsVector({ ...fields, body: stored.rows[0]?.text ?? '' });
    await sql`UPDATE documents_fts SET tsv = ${head} || ts_filter(tsv, '{d}'), pairs = ${pairs}::tsvector WHERE document_id = ${documentId}`.execute(db);
  }
}

/** pg-boss's job table and doccat's queue in it (queue/pg-boss.ts). */
const PG_BOSS_JOBS = 'doccat_queue.job';
const PG_BOSS_QUEUE = 'doccat-ingest';

/** The queue is pg-boss's, made when a queue is first opened. */
async function queueBacklog(db: Kysely<Database>): Promise<{ depth: number; oldest: number | null }> {
  const exists = await sql<{ found: string | null }>`SELECT to_regclass(${PG_BOSS_JOBS})::text AS found`.execute(db);
  if (!exists.rows[0]?.found) return { depth: 0, oldest: null };
  const result = await sql<{ n: number; oldest: Date | null }>`SELECT count(*)::int AS n, min(created_on) AS oldest FROM doccat_queue.job WHERE name = ${PG_BOSS_QUEUE} AND state IN ('created', 'retry')`.execute(db);
  const row = result.rows[0];
  return { depth: Number(row?.n ?? 0), oldest: row?.oldest ? new Date(row.oldest).getTime() : null };
}
