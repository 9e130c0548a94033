import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { DocumentRepository, type NewDocument } from '../../../src/db/documents.js';
import { migrationProvider } from '../../../src/db/migrations/index.js';
import { parseQuery, type QueryNode } from '../../../src/db/search/query-parser.js';
import { searchDocuments } from '../../../src/db/search/search.js';
import { pairsQuery, pairsVector } from '../../../src/db/search/word-pairs.js';

function document(index: number, overrides: Partial<NewDocument>): NewDocument {
  return {
    sha256: createHash('sha256').update(`phrase doc ${index}`).digest('hex'),
    size: 100,
    mime: 'application/pdf',
    originalName: `doc-${index}.pdf`,
    blobBackend: 'local',
    blobKey: `sha256/p/${index}`,
    method: 'text-layer',
    pages: 1,
    words: 10,
    language: 'en',
    ocrConfidence: null,
    type: 'other',
    title: `Document ${index}`,
    tags: [],
    documentDate: null,
    correspondent: null,
    classConfidence: 0.5,
    classRule: 'test',
    classifier: 'local',
    fields: {},
    warnings: [],
    text: '',
    metadata: {},
    ...overrides,
  };
}

// A body whose pairs would not fit in a tsvector: 12,000 distinct long words (within the body
// Postgres indexes, 400,000 characters, and its 16,383 word positions), the phrase at the end.
const longBody = `${Array.from({ length: 12_000 }, (_, index) => `w${index.toString(36).padStart(28, 'q')}x`).join(' ')} the amount due today`;

const DOCS: Partial<NewDocument>[] = [
  { title: 'Invoice 1', text: 'Total due: 500 EUR. Payment terms 30 days.' },
  { title: 'Invoice 2', text: 'The total is due on receipt; the amount due is 20 EUR.' },
  { title: 'Reminder', text: 'Due total unknown. Ask for the e-mail address.' },
  { title: 'Total', tags: ['due'], text: 'nothing here' },
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

    it('does not run a phrase from a title into the tags, and runs it along the tags', async () => {
      expect(await search('"total due"')).toEqual({ total: 1, titles: ['Invoice 1'] });
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
      it('reads a phrase through the pairs index', async () => {
        // As search runs: sequential scans off (a table this small would be read whole).
        const plan = await catalog.db.transaction().execute(async (trx) => {
          await sql`SET LOCAL enable_seqscan = off`.execute(trx);
          return sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT document_id FROM documents_fts f WHERE f.pairs @@ ${pairsQuery(parts('"total due"'))}::tsquery AND f.tsv @@ to_tsquery('simple', 'total <-> due')`.execute(trx);
        });
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('documents_fts_pairs');
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
  it('pairs the words of each field, the head at weight A and the body apart', () => {
    const vector = pairsVector({ title: 'ACME Invoice', tags: ['home', 'work'], correspondent: 'Müller AG', body: 'Total due: 5 EUR' });
    expect(vector.split(' ').length).toBeGreaterThan(0);
    expect(vector).toContain("'acme invoice':1A");
    expect(vector).toContain("'home work':1A");
    expect(vector).toContain("'muller ag':1A");
    expect(vector).toContain("'total due':2");
    expect(vector).toContain("'5 eur':2");
    expect(vector).not.toContain("'invoice home'");
    expect(vector).not.toContain("'ag total'");
  });

  it('stands in one lexeme every query also matches for a document too long to pair', () => {
    expect(pairsVector({ title: 't', tags: [], correspondent: null, body: longBody })).toBe("'!all':2");
  });

  it('asks for the pairs of phrases and folded words, not of a prefix or a lone word', () => {
    expect(pairsQuery(parts('"total amount due" invoice'))).toBe("('total amount' & 'amount due') | '!all'");
    expect(pairsQuery(parts('e-mail "total due"'))).toBe("('e mail' & 'total due') | '!all'");
    expect(pairsQuery(parts('"total due" OR "due date"'))).toBe("(('total due') | ('due date')) | '!all'");
    expect(pairsQuery(parts('e-ma*'))).toBeUndefined();
    expect(pairsQuery(parts('invoice OR "total due"'))).toBeUndefined();
    expect(pairsQuery(parts('invoice -"total due"'))).toBeUndefined();
  });
});
