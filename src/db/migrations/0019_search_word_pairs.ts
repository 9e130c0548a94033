import { sql, type Kysely } from 'kysely';
import { perDialect } from '../dialect.js';
import { pairsVector } from '../search/word-pairs.js';

/**
 * Postgres only: `documents_fts.pairs`, the words that stand next to each other in each document,
 * with a GIN index, so that a phrase reads the documents where its words stand together instead of
 * every document holding all of them (db/search/word-pairs.ts). Existing documents get theirs from
 * their stored fields, a batch at a time; the column is then NOT NULL, so that nothing
 * can write a search entry without it (a missing vector would hide a document from phrases).
 */
const BATCH = 500;

export async function up(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`ALTER TABLE documents_fts ADD COLUMN pairs tsvector`.execute(db);
      await fillWordPairs(db);
      await sql`ALTER TABLE documents_fts ALTER COLUMN pairs SET NOT NULL`.execute(db);
      await sql`CREATE INDEX documents_fts_pairs ON documents_fts USING gin (pairs)`.execute(db);
    },
  });
}

/**
 * Gives every search entry without pairs (or, with `all`, every search entry) its pairs, from the
 * document's stored fields.
 */
export async function fillWordPairs<DB>(db: Kysely<DB>, which: 'missing' | 'all' = 'missing'): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (
      await sql<{ id: number; title: string; tags: string; correspondent: string | null; text: string }>`
        SELECT d.id, d.title, d.tags, d.correspondent, d.text FROM documents_fts f JOIN documents d ON d.id = f.document_id
        WHERE f.document_id > ${after} AND (f.pairs IS NULL OR ${which === 'all'}) ORDER BY f.document_id LIMIT ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) break;
    const ids = rows.map((row) => Number(row.id));
    const vectors = rows.map((row) => pairsVector({ title: row.title, tags: parseTags(row.tags), correspondent: row.correspondent, body: row.text }));
    await sql`UPDATE documents_fts f SET pairs = v.pairs::tsvector FROM unnest(${ids}::bigint[], ${vectors}::text[]) AS v(id, pairs) WHERE f.document_id = v.id`.execute(db);
    after = ids[ids.length - 1] as number;
  }
}

function parseTags(value: string): string[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await perDialect(db, {
    postgres: async () => {
      await sql`ALTER TABLE documents_fts DROP COLUMN pairs`.execute(db);
    },
  });
}
