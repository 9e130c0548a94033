import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { newDocument } from '../../support/new-document.js';
import { DocumentRepository, type NewDocument } from '../../../src/db/documents.js';
import { migrationProvider } from '../../../src/db/migrations/index.js';
import { fillWordPairs } from '../../../src/db/migrations/0019_search_word_pairs.js';
import { parseQuery, type QueryNode } from '../../../src/db/search/query-parser.js';
import { searchDocuments } from '../../../src/db/search/search.js';
import { pairsQuery, pairsVector } from '../../../src/db/search/word-pairs.js';

const document = (index: number, overrides: Partial<NewDocument>) => newDocument('phrase doc', index, overrides);

// A text whose pairs would not fit in a tsvector: 85,000 different words (within the 400,000
// characters Postgres indexes), the phrase first (a tsvector keeps word positions up to 16,383).
const longBody = `the amount due today ${Array.from({ length: 85_000 }, (_, index) => index.toString(36)).join(' ')}`;

const DOCS: Partial<NewDocument>[] = [
  { title: 'Invoice 1', text: 'Total due: 500 EUR. Payment terms 30 days.' },
  { title: 'Invoice 2', text: 'The total is due on receipt; the amount due is 20 EUR.' },
  { title: 'Reminder', text: 'Due total unknown. Ask for the e-mail address.' },
  { title: 'Total', tags: ['due'], text: 'due later' },
  { title: 'Amount', text: 'amount' },
  { title: 'Long report', text: longBody },
  { title: 'Tagged', tags: ['home', 'work'], text: 'send by email' },
];

/** The AND-ed parts of a query, as search plans see them. */
function parts(query: string): QueryNode[] {
  const tree = parseQuery(query);
  return tree === undefined ? [] : tree.kind === 'and' ? tree.children : [tree];
}

const titles = (hits: { title: string }[]) => hits.map((hit) => hit.title).sort();

for (const dialect of DIALECTS)
  describe(`phrases on a real ${dialect} catalogue`, () => {
    let catalog: CatalogDatabase;
    let repository: DocumentRepository;
    const search = async (query: string, sort: 'relevance' | 'date' = 'relevance') => {
      const result = await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 50, offset: 0, sort });
      return { total: result.total, titles: titles(result.hits) };
    };

    beforeAll(async () => {
      catalog = await openTestCatalog(dialect);
      repository = new DocumentRepository(catalog.db, 'tester');
      for (const [index, overrides] of DOCS.entries()) await repository.commitDocument(document(index, overrides), { path: `/docs/phrase-${index}.pdf`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
    });
    afterAll(async () => catalog.close());

    it('finds a phrase only where its words stand together, in either order of search', async () => {
      for (const sort of ['relevance', 'date'] as const) {
        expect(await search('"total due"', sort)).toEqual({ total: 1, titles: ['Invoice 1'] });
        expect(await search('"amount due"', sort)).toEqual({ total: 2, titles: ['Invoice 2', 'Long report'] });
        expect(await search('"the amount due"', sort)).toEqual({ total: 2, titles: ['Invoice 2', 'Long report'] });
        expect(await search('"due total"', sort)).toEqual({ total: 1, titles: ['Reminder'] });
        expect(await search('e-mail', sort)).toEqual({ total: 1, titles: ['Reminder'] });
        expect(await search('"total due" payment', sort)).toEqual({ total: 1, titles: ['Invoice 1'] });
        expect(await search('"total due" OR "due total"', sort)).toEqual({ total: 2, titles: ['Invoice 1', 'Reminder'] });
        expect(await search('amount -"amount due"', sort)).toEqual({ total: 1, titles: ['Amount'] });
      }
    });

    it('does not run a phrase from one field into the next, and finds it in the title and along the tags', async () => {
      expect(await search('"total due"')).toEqual({ total: 1, titles: ['Invoice 1'] });
      expect(await search('"amount amount"')).toEqual({ total: 0, titles: [] });
      expect(await search('"long report"')).toEqual({ total: 1, titles: ['Long report'] });
      expect(await search('"home work"')).toEqual({ total: 1, titles: ['Tagged'] });
    });

    it('keeps finding the body after the title or tags change, and finds the new title', async () => {
      const id = (await searchDocuments(catalog.db, { tree: parseQuery('"terms 30 days"'), limit: 5, offset: 0, sort: 'relevance' })).hits[0]?.id as number;
      await repository.applyManualChanges(id, { title: 'Final notice overdue', addTags: ['late payment'] }, 'set', 'r2');
      expect(await search('"terms 30 days"')).toEqual({ total: 1, titles: ['Final notice overdue'] });
      expect(await search('"final notice"')).toEqual({ total: 1, titles: ['Final notice overdue'] });
      expect(await search('"late payment"')).toEqual({ total: 1, titles: ['Final notice overdue'] });
      expect(await search('"invoice 1"')).toEqual({ total: 0, titles: [] });
    });

    if (dialect === 'postgres') {
      it('narrows a phrase to the documents where its words stand together, not every document holding them', async () => {
        // 3,000 more documents with both words, never together.
        await sql`
          INSERT INTO documents (sha256, size, mime, original_name, blob_backend, blob_key, method, pages, words, type, title, tags, class_confidence, class_rule, classifier, text, added_at, updated_at)
          SELECT md5(i::text) || md5((i + 1)::text), 1, 'text/plain', 'n' || i, 'local', 'k' || i, 'text', 1, 6, 'other', 'note ' || i, '[]', 0.5, 'r', 'local', 'due soon, the total later ' || i, '2030-01-01', '2030-01-01'
          FROM generate_series(1, 3000) AS i`.execute(catalog.db);
        await sql`INSERT INTO documents_fts (document_id, tsv, pairs) SELECT id, setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', text), 'D'), '' FROM documents WHERE title LIKE 'note %'`.execute(catalog.db);
        await fillWordPairs(catalog.db, 'all');
        // The pairs alone name the document where the words stand together (and the one too long
        // to pair), of the 3,000 and more holding both words.
        const count = async (test: ReturnType<typeof sql>) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM documents_fts f WHERE ${test}`.execute(catalog.db)).rows[0]?.n;
        expect(await count(sql`f.tsv @@ to_tsquery('simple', 'total & due')`)).toBeGreaterThan(3000);
        expect(await count(sql`f.pairs @@ ${pairsQuery(parts('"total due"'))}::tsquery`)).toBe(2);
        expect(await search('"total due"')).toEqual({ total: 1, titles: ['Final notice overdue'] });
      });

      it('gives the pairs to the documents of a catalogue made before them', async () => {
        const migrator = new Migrator({ db: catalog.db, provider: migrationProvider });
        const down = await migrator.migrateTo('0018_search_word_statistics');
        expect(down.error).toBeUndefined();
        expect(down.results?.map((result) => result.migrationName)).toContain('0019_search_word_pairs');
        const up = await migrator.migrateToLatest();
        expect(up.error).toBeUndefined();
        const missing = await sql<{ n: number }>`SELECT count(*)::int AS n FROM documents_fts WHERE pairs IS NULL`.execute(catalog.db);
        expect(missing.rows[0]?.n).toBe(0);
        expect(await search('"amount due"')).toEqual({ total: 2, titles: ['Invoice 2', 'Long report'] });
        expect(await search('"terms 30 days"')).toEqual({ total: 1, titles: ['Final notice overdue'] });
      });
    }
  });

describe('word pairs', () => {
  const fields = (body: string, title = 'x') => ({ title, tags: [], correspondent: null, body });

  it('holds each two words of a field that stand together, once, as short hashes without positions', () => {
    const lexemes = pairsVector(fields('Total due: 5 EUR. Total due again.')).split(' ');
    // total due, due 5, 5 eur, eur total, due again ("total due" once).
    expect(lexemes).toHaveLength(5);
    for (const lexeme of lexemes) expect(lexeme).toMatch(/^'[0-9a-z]{1,7}'$/);
    expect(pairsVector(fields('one'))).toBe('');
    // Title, tags (as one field) and correspondent are paired each on its own.
    expect(pairsVector({ title: 'ACME Invoice', tags: ['home', 'work'], correspondent: 'Müller AG', body: '' }).split(' ')).toHaveLength(3);
    expect(pairsVector(fields('b c', 'a'))).toBe(pairsVector(fields('b c', 'z')));
  });

  it('stands in one lexeme every query also matches for a text too long to pair', () => {
    expect(pairsVector(fields(longBody))).toBe("'!all'");
  });

  it('asks for the pairs of phrases and folded words, not of a prefix or a lone word', () => {
    expect(pairsQuery(parts('"total amount due" invoice'))).toMatch(/^\('[0-9a-z]+' & '[0-9a-z]+'\) \| '!all'$/);
    expect(pairsQuery(parts('"total due" OR "due date"'))).toMatch(/^\(\('[0-9a-z]+'\) \| \('[0-9a-z]+'\)\) \| '!all'$/);
    expect(pairsQuery(parts('e-mail'))).toBe(pairsQuery(parts('"e mail"')));
    expect(pairsQuery(parts('e-ma*'))).toBeUndefined();
    expect(pairsQuery(parts('invoice OR "total due"'))).toBeUndefined();
    expect(pairsQuery(parts('invoice -"total due"'))).toBeUndefined();
  });
});
