import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { newDocument } from '../../support/new-document.js';
import { DocumentRepository, type NewDocument } from '../../../src/db/documents.js';
import { MAX_DEPTH, MAX_TERMS, parseQuery, type QueryNode } from '../../../src/db/search/query-parser.js';
import { globToLike } from '../../../src/db/search/compile.js';
import { matchingDocumentIds, searchDocuments } from '../../../src/db/search/search.js';
import { DoccatError } from '../../../src/errors.js';

const document = (index: number, overrides: Partial<NewDocument>) => newDocument('doc', index, overrides);

for (const dialect of DIALECTS) describe(`search on a real ${dialect} catalogue`, () => {
  let catalog: CatalogDatabase;
  let repository: DocumentRepository;
  const search = async (query: string, sort: 'relevance' | 'date' | 'added' = 'relevance') =>
    (await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 50, offset: 0, sort, now: new Date('2030-01-01T00:00:00Z') })).hits.map((hit) => hit.title);

  beforeAll(async () => {
    catalog = await openTestCatalog(dialect);
    repository = new DocumentRepository(catalog.db, 'tester');
    const docs: Partial<NewDocument>[] = [
      { title: 'Rechnung Müller GmbH', type: 'invoice', correspondent: 'Müller GmbH', tags: ['tax'], documentDate: '2024-03-15', text: 'Rechnung für Büromaterial. Zahlungsbedingungen 14 Tage.' },
      { title: 'Insurance policy', type: 'insurance', correspondent: 'Safe Insurance Ltd', tags: ['home'], documentDate: '2023-11-02', text: 'Your insurance premium for the home policy is due.' },
      { title: 'Meeting notes', type: 'other', tags: [], documentDate: null, text: 'We discussed the insurance renewal and the invoice from ACME.' },
      { title: 'ACME invoice March', type: 'invoice', correspondent: 'ACME Corp.', tags: ['tax', 'work'], documentDate: '2024-03-01', text: 'Invoice for consulting. Payment terms: 30 days. Total due 500 USD.' },
      { title: 'Draft invoice', type: 'invoice', correspondent: 'ACME Corp.', tags: ['draft'], documentDate: '2024-04-01', method: 'ocr', mime: 'image/png', text: 'Draft of an invoice, not sent.' },
      { title: '日本語の文書', type: 'letter', documentDate: '2022-01-01', text: '東京 の 会議 について' },
    ];
    for (const [index, overrides] of docs.entries()) await repository.commitDocument(document(index, overrides), { path: `/docs/2024/file-${index}.pdf`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
  });
  afterAll(async () => catalog.close());

  it('finds words, folding case and accents', async () => {
    expect(await search('muller')).toEqual(['Rechnung Müller GmbH']);
    expect(await search('BÜROMATERIAL')).toEqual(['Rechnung Müller GmbH']);
  });

  it('ranks title and tag matches above body matches', async () => {
    const hits = await search('insurance');
    expect(hits[0]).toBe('Insurance policy');
    expect(hits).toContain('Meeting notes');
  });

  it('supports phrases, prefixes, OR, NOT and groups', async () => {
    expect(await search('"payment terms"')).toEqual(['ACME invoice March']);
    expect(await search('"terms payment"')).toEqual([]);
    expect(await search('insur*')).toHaveLength(2);
    expect((await search('premium OR consulting')).sort()).toEqual(['ACME invoice March', 'Insurance policy']);
    expect((await search('invoice -draft')).sort()).toEqual(['ACME invoice March', 'Meeting notes']);
    expect(await search('(premium OR consulting) -acme')).toEqual(['Insurance policy']);
  });

  it('applies every field filter', async () => {
    expect((await search('type:invoice', 'date'))).toEqual(['Draft invoice', 'Rechnung Müller GmbH', 'ACME invoice March']);
    expect((await search('tag:tax')).sort()).toEqual(['ACME invoice March', 'Rechnung Müller GmbH']);
    expect((await search('correspondent:"acme corp"')).sort()).toEqual(['ACME invoice March', 'Draft invoice']);
    expect(await search('date:2023')).toEqual(['Insurance policy']);
    expect((await search('date:2024-03')).sort()).toEqual(['ACME invoice March', 'Rechnung Müller GmbH']);
    expect((await search('after:2024-03-10 before:2024-04'))).toEqual(['Rechnung Müller GmbH']);
    expect(await search('method:ocr')).toEqual(['Draft invoice']);
    expect(await search('mime:png')).toEqual(['Draft invoice']);
    expect(await search('added:7d')).toEqual([]);
    expect(await search('added:100y')).toHaveLength(6);
    expect(await search('status:catalogued path:*/file-3.pdf')).toEqual(['ACME invoice March']);
    // ? is one character, [class] a set, and LIKE's own % and _ are plain characters in a glob.
    expect(await search('path:*/file-?.pdf')).toHaveLength(6);
    expect((await search('path:*/file-[34].pdf')).sort()).toEqual(['ACME invoice March', 'Draft invoice']);
    expect(await search('path:*/file_3.pdf')).toEqual([]);
    expect(await search('path:*/file-3%')).toEqual([]);
    expect(await search('title:policy')).toEqual(['Insurance policy']);
    expect(await search('id:2')).toEqual(['Insurance policy']);
  });

  it('searches non-Latin text', async () => {
    expect(await search('東京')).toEqual(['日本語の文書']);
  });

  it('rejects bad filter values with E_QUERY_SYNTAX', async () => {
    for (const query of ['date:yesterday', 'after:2024-13', 'status:lost', 'id:abc', 'status:failed invoice']) {
      const error = await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 5, offset: 0, sort: 'relevance' }).catch((caught: unknown) => caught);
      expect(error, query).toBeInstanceOf(DoccatError);
      expect((error as DoccatError).code).toBe('E_QUERY_SYNTAX');
    }
  });

  it('survives thousands of random and hostile queries: results or E_QUERY_SYNTAX, data unchanged', async () => {
    // In WAL mode a write may sit in the -wal file, so compare what the tables hold, and the
    // connection's own count of changed rows.
    const digest = async () => {
      const tables = ['documents', 'sources', 'audit', 'classifications', 'runs', 'documents_fts', 'document_tags'];
      const hash = createHash('sha256');
      for (const table of tables) hash.update(JSON.stringify((await sql.raw(`SELECT * FROM ${table} ORDER BY 1, 2`).execute(catalog.db)).rows));
      return hash.digest('hex');
    };
    // Postgres publishes its row counters late and per backend, so there the content digest of
    // every table is the proof.
    const changes = async () => (dialect === 'sqlite' ? Number(((await sql<{ n: number }>`SELECT total_changes() AS n`.execute(catalog.db)).rows[0] as { n: number }).n) : 0);
    const before = await digest();
    const changesBefore = await changes();
    const pieces = ['"', "'", '(', ')', '-', '*', ':', 'OR', 'AND', 'NOT', 'NEAR', '^', '{', '}', '\\', ';', "'; DROP TABLE documents; --", '\0', 'type:', 'tag:"', 'date:2024', 'after:', 'path:[', 'invoice', 'müller', '東京', '%', '_', 'x'.repeat(300), '" OR 1=1 --', 'col:val', '\u0002', '\u0003', 'title:*', ' ', '  ', 'id:1', 'correspondent:"ACME'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let answered = 0;
    let rejected = 0;
    for (let round = 0; round < 3000; round += 1) {
      const length = 1 + Math.floor(random() * 8);
      let query = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(random() < 0.5 ? ' ' : '');
      if (round % 100 === 0) query = 'a'.repeat(5000);
      if (round % 97 === 0) query = String.fromCharCode(...Array.from({ length: 50 }, () => Math.floor(random() * 0xffff)));
      try {
        const result = await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 5, offset: 0, sort: 'relevance' });
        expect(Array.isArray(result.hits)).toBe(true);
        answered += 1;
      } catch (error) {
        expect(error, `query ${JSON.stringify(query)}`).toBeInstanceOf(DoccatError);
        expect((error as DoccatError).code, `query ${JSON.stringify(query)}: ${(error as Error).message}`).toBe('E_QUERY_SYNTAX');
        rejected += 1;
      }
    }
    expect(answered).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
    expect(await repository.countDocuments()).toBe(6);
    expect(await digest()).toBe(before);
    expect(await changes()).toBe(changesBefore);
  });

  it('answers the most complex queries the bounds allow, collapsing redundant negation, and refuses more with E_QUERY_TOO_COMPLEX', async () => {
    const sorted = async (query: string) => (await search(query)).sort();
    // 3,000 minus signs crashed SQLite's parser ("Recursion limit", E_INTERNAL).
    expect(await sorted(`${'-'.repeat(3000)}insurance`)).toEqual(await sorted('insurance'));
    const withoutInsurance = await sorted('-insurance');
    expect(withoutInsurance).toHaveLength(4);
    expect(await sorted(`${'-'.repeat(2999)}insurance`)).toEqual(withoutInsurance);
    const words = (count: number) => Array.from({ length: count }, (_, index) => `nowhere${index}`);
    expect(await sorted([...words(MAX_TERMS - 1), 'insurance'].join(' OR '))).toEqual(await sorted('insurance'));
    expect(await sorted(['insurance', ...words(MAX_TERMS - 1).map((word) => `-${word}`)].join(' '))).toEqual(await sorted('insurance'));
    expect(await sorted(words(MAX_TERMS).map((word) => `-${word}`).join(' '))).toHaveLength(6);
    expect(await sorted(Array.from({ length: MAX_TERMS }, () => 'tag:tax').join(' '))).toEqual(['ACME invoice March', 'Rechnung Müller GmbH']);
    // type:none OR NOT (type:none OR NOT (... insurance)): 31 negations, so NOT insurance.
    expect(await sorted(`${'(type:none OR -'.repeat(MAX_DEPTH - 1)}(insurance)${')'.repeat(MAX_DEPTH - 1)}`)).toEqual(withoutInsurance);
    expect(await search(`${'(type:none OR -'.repeat(MAX_DEPTH - 1)}(insurance)${')'.repeat(MAX_DEPTH - 1)}`, 'date')).toHaveLength(4);

    // A tree made outside the parser (the query ANDed with filter flags) has the same bounds.
    const tooMany: QueryNode = { kind: 'and', children: Array.from({ length: MAX_TERMS + 1 }, (): QueryNode => ({ kind: 'field', field: 'tag', value: 'tax', position: 0 })) };
    for (const attempt of [searchDocuments(catalog.db, { tree: tooMany, limit: 5, offset: 0, sort: 'relevance' }), matchingDocumentIds(catalog.db, tooMany, 5)]) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DoccatError);
      expect((error as DoccatError).code).toBe('E_QUERY_TOO_COMPLEX');
    }
  });

  it('keeps manual corrections when a document is classified again automatically', async () => {
    const id = 4;
    await repository.applyManualChanges(id, { type: 'receipt', addTags: ['checked'] }, 'set', 'run-1');
    await repository.applyAutomaticClassification(id, { classifier: 'local', type: 'invoice', title: 'New title', tags: ['auto'], date: '2024-03-02', correspondent: 'ACME', confidence: 0.9, rule: 'r', fields: {} }, 'run-2');
    const row = await repository.getDocument(id);
    expect(row).toMatchObject({ type: 'receipt', title: 'New title', document_date: '2024-03-02' });
    expect(JSON.parse(row?.tags ?? '[]')).toEqual(['checked', 'tax', 'work']);
    expect(JSON.parse(row?.manual_fields ?? '[]')).toEqual(['tags', 'type']);
    const history = await repository.getClassificationHistory(id);
    expect(history.map((item) => item.type)).toEqual(['invoice', 'invoice']);
    const audit = await repository.getAudit(id);
    expect(audit.filter((item) => item.command === 'set').map((item) => item.field).sort()).toEqual(['tags', 'type']);
    expect(audit.every((item) => item.actor === 'tester')).toBe(true);
    expect(await search('title:"New title" checked')).toEqual(['New title']);
    if (dialect === 'sqlite') {
      // The head index (relevance's first tier, migration 0021) follows the title and tags too.
      const head = async (words: string) => (await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts_head WHERE documents_fts_head MATCH ${words}`.execute(catalog.db)).rows.map((found) => found.id);
      expect([await head('"new title"'), await head('checked'), await head('march'), await head('consulting')]).toEqual([[id], [id], [], []]);
    }
  });
});

for (const dialect of DIALECTS) describe(`ordering many matches by date or by when added (${dialect})`, () => {
  it('gives the same pages as a plain sort, also past the first page', async () => {
    const catalog = await openTestCatalog(dialect);
    const repository = new DocumentRepository(catalog.db, 'tester');
    // Enough matches to take the walking path; every third document lacks the word.
    for (let index = 0; index < 3300; index += 1) {
      const day = String(1 + (index * 7) % 28).padStart(2, '0');
      const month = String(1 + (index * 5) % 12).padStart(2, '0');
      await repository.commitDocument(
        document(10_000 + index, { title: `Doc ${index}`, documentDate: index % 11 === 0 ? null : `20${10 + (index % 9)}-${month}-${day}`, text: index % 3 === 0 ? 'unrelated words' : `common word number ${index}` }),
        { path: `/d/${index}`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' },
      );
    }
    const expected = (await catalog.db.selectFrom('documents').select(['id', 'document_date']).where('text', 'like', 'common%').execute())
      .sort((a, b) => (a.document_date === b.document_date ? b.id - a.id : a.document_date === null ? 1 : b.document_date === null ? -1 : b.document_date.localeCompare(a.document_date)))
      .map((row) => row.id);
    expect(expected.length).toBe(2200);
    for (const offset of [0, 20, 2150]) {
      const result = await searchDocuments(catalog.db, { tree: parseQuery('common'), limit: 20, offset, sort: 'date' });
      expect(result.total).toBe(2200);
      expect(result.hits.map((hit) => hit.id)).toEqual(expected.slice(offset, offset + 20));
      expect(result.hits[0]?.snippet).toContain('common');
    }
    const added = await searchDocuments(catalog.db, { tree: parseQuery('common'), limit: 5, offset: 0, sort: 'added' });
    expect(added.hits.map((hit) => hit.id)).toEqual([...expected].sort((a, b) => b - a).slice(0, 5));

    // Text and a filter on another table: one pass gives the count and the page, in the same order.
    const inFolder = new Set((await catalog.db.selectFrom('sources').select('document_id').where('path', 'like', '/d/1%').execute()).map((row) => row.document_id));
    const filtered = expected.filter((id) => inFolder.has(id));
    expect(filtered.length).toBeGreaterThan(40);
    for (const offset of [0, 20, filtered.length - 5]) {
      const result = await searchDocuments(catalog.db, { tree: parseQuery('common path:/d/1*'), limit: 20, offset, sort: 'date' });
      expect(result.total).toBe(filtered.length);
      expect(result.hits.map((hit) => hit.id)).toEqual(filtered.slice(offset, offset + 20));
    }
    // Filters alone are counted as sets, paged by probing: both must agree with the plain answer.
    const listed = await searchDocuments(catalog.db, { tree: parseQuery('path:/d/1*'), limit: 10, offset: 0, sort: 'added' });
    expect(listed.total).toBe(inFolder.size);
    expect(listed.hits.map((hit) => hit.id)).toEqual([...inFolder].sort((a, b) => b! - a!).slice(0, 10));
    const combined = await searchDocuments(catalog.db, { tree: parseQuery('path:/d/1* -path:/d/10*'), limit: 10, offset: 0, sort: 'added' });
    const notTen = new Set((await catalog.db.selectFrom('sources').select('document_id').where('path', 'like', '/d/10%').execute()).map((row) => row.document_id));
    expect(combined.total).toBe([...inFolder].filter((id) => !notTen.has(id)).length);
    await catalog.close();
  });
});

for (const dialect of DIALECTS) describe(`a word bunched at the far end of the date order (${dialect})`, () => {
  it('pages by date correctly, also when walking the newest documents first finds too few', async () => {
    const catalog = await openTestCatalog(dialect);
    const repository = new DocumentRepository(catalog.db, 'tester');
    // 3000 documents; the word is in the 100 oldest only (3%): a walk from the newest comes back short.
    for (let index = 0; index < 3000; index += 1) {
      const day = new Date(Date.UTC(2000, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
      await repository.commitDocument(document(10_000 + index, { title: `Note ${index}`, documentDate: day, text: index < 100 ? 'farendword appears here' : 'ordinary words' }), { path: `/far/${index}`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
    }
    const expected = Array.from({ length: 100 }, (_, index) => `Note ${99 - index}`);
    for (const offset of [0, 20, 90]) {
      const result = await searchDocuments(catalog.db, { tree: parseQuery('farendword'), limit: 20, offset, sort: 'date' });
      expect(result.total).toBe(100);
      expect(result.hits.map((hit) => hit.title)).toEqual(expected.slice(offset, offset + 20));
    }
    const common = await searchDocuments(catalog.db, { tree: parseQuery('ordinary'), limit: 5, offset: 0, sort: 'date' });
    expect(common.total).toBe(2900);
    expect(common.hits.map((hit) => hit.title)).toEqual(['Note 2999', 'Note 2998', 'Note 2997', 'Note 2996', 'Note 2995']);
    expect((await searchDocuments(catalog.db, { tree: parseQuery('ordinary'), limit: 5, offset: 2900, sort: 'date' })).hits).toEqual([]);
    await catalog.close();
  });
});

describe('globs on Postgres', () => {
  it('become LIKE patterns unless they hold a [class]', () => {
    expect(globToLike('*/2019/*')).toBe('%/2019/%');
    expect(globToLike('/in/a_b?100%*')).toBe('/in/a\\_b_100\\%%');
    expect(globToLike('C:\\scans\\*')).toBe('C:\\\\scans\\\\%');
    expect(globToLike('*/[0-9]*')).toBeUndefined();
  });
});

for (const dialect of DIALECTS) describe(`deleting a document (${dialect})`, () => {
  it('removes it from search, tags, history and sources in one go, and keeps its audit trail', async () => {
    const catalog = await openTestCatalog(dialect);
    const repository = new DocumentRepository(catalog.db, 'tester');
    const sighting = (index: number) => ({ path: `/in/file-${index}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
    const gone = await repository.commitDocument(document(1, { title: 'Zeppelin tickets', tags: ['travel'], text: 'two tickets for the zeppelin' }), sighting(1));
    const kept = await repository.commitDocument(document(2, { title: 'Zeppelin museum', tags: ['travel'], text: 'museum guide' }), sighting(2));
    const hits = async () => (await searchDocuments(catalog.db, { tree: parseQuery('zeppelin'), limit: 10, offset: 0, sort: 'relevance' })).hits.map((hit) => hit.id);
    expect((await hits()).sort()).toEqual([gone.documentId, kept.documentId].sort());

    expect(await repository.deleteDocument(gone.documentId, 'run-2')).toEqual({ sha256: document(1, {}).sha256, blobBackend: 'local', blobKey: 'sha256/x/1' });
    expect(await hits()).toEqual([kept.documentId]);
    if (dialect === 'sqlite') expect((await sql<{ id: number }>`SELECT rowid AS id FROM documents_fts_head WHERE documents_fts_head MATCH 'zeppelin'`.execute(catalog.db)).rows.map((row) => row.id)).toEqual([kept.documentId]);
    expect(await repository.getDocument(gone.documentId)).toBeUndefined();
    for (const table of ['document_tags', 'classifications', 'sources'] as const) {
      expect(await catalog.db.selectFrom(table).select('document_id').where('document_id', '=', gone.documentId).execute(), table).toEqual([]);
    }
    expect(await repository.knownTags(10)).toEqual(['travel']);
    expect((await repository.getAudit(gone.documentId)).map((entry) => [entry.command, entry.run_id])).toEqual([['ingest', 'r'], ['delete', 'run-2']]);
    expect(await repository.deleteDocument(gone.documentId, 'run-3')).toBeUndefined();
    await catalog.close();
  });
});
