import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { newDocument } from '../../support/new-document.js';
import { DocumentRepository, type NewDocument } from '../../../src/db/documents.js';
import { parseQuery } from '../../../src/db/search/query-parser.js';
import { searchDocuments } from '../../../src/db/search/search.js';
import { DoccatError } from '../../../src/errors.js';

const document = (index: number, overrides: Partial<NewDocument>) => newDocument('typed', index, { type: 'invoice', documentDate: '2024-03-01', text: 'invoice', ...overrides });

describe('typed field filters in the query language', () => {
  it('reads comparisons with and without a colon', () => {
    expect(parseQuery('total>100')).toEqual({ kind: 'field', field: 'total', value: '>100', position: 0 });
    expect(parseQuery('total:<=50')).toEqual({ kind: 'field', field: 'total', value: '<=50', position: 0 });
    expect(parseQuery('due<2024-05-01 currency:eur')).toEqual({
      kind: 'and',
      children: [
        { kind: 'field', field: 'due', value: '<2024-05-01', position: 0 },
        { kind: 'field', field: 'currency', value: 'eur', position: 15 },
      ],
    });
    // Only comparable fields take an operator: "type>x" stays a word.
    expect(parseQuery('type>x')).toEqual({ kind: 'term', text: 'type>x', prefix: false });
  });
});

for (const dialect of DIALECTS) describe(`typed field filters on a real ${dialect} catalogue`, () => {
  let catalog: CatalogDatabase;
  const search = async (query: string) =>
    (await searchDocuments(catalog.db, { tree: parseQuery(query), limit: 50, offset: 0, sort: 'date', now: new Date('2030-01-01T00:00:00Z') })).hits.map((hit) => hit.title).sort();

  beforeAll(async () => {
    catalog = await openTestCatalog(dialect);
    const repository = new DocumentRepository(catalog.db, 'tester');
    const docs: Partial<NewDocument>[] = [
      { title: 'big euro', fields: { total: { amount: 1190, currency: 'EUR' }, dueDate: '2024-04-15' } },
      { title: 'small euro', fields: { total: { amount: 49.9, currency: 'EUR' }, dueDate: '2024-05-02' } },
      { title: 'fifty dollars', fields: { total: { amount: 50, currency: 'USD' }, dueDate: '2024-05-31' } },
      { title: 'no currency', fields: { total: { amount: 250, currency: null } } },
      { title: 'typed by hand', fields: { total: '300 EUR' } },
      { title: 'no fields', type: 'letter' },
    ];
    for (const [index, overrides] of docs.entries()) await repository.commitDocument(document(index, overrides), { path: `/typed/${index}.pdf`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
  });
  afterAll(async () => catalog.close());

  it('compares totals as numbers', async () => {
    expect(await search('total>100')).toEqual(['big euro', 'no currency']);
    expect(await search('total<=50')).toEqual(['fifty dollars', 'small euro']);
    expect(await search('total:50')).toEqual(['fifty dollars']);
    expect(await search('total>=49.9 total<1000')).toEqual(['fifty dollars', 'no currency', 'small euro']);
  });

  it('reads the amount as extraction does: grouped thousands and decimal commas in any locale', async () => {
    // 1,000 is a thousand, as "Total 1,000" on an invoice is, not 1.0.
    expect(await search('total>1,000')).toEqual(['big euro']);
    expect(await search('total>1.000')).toEqual(['big euro']);
    expect(await search('total>=1.190,00')).toEqual(['big euro']);
    expect(await search('total<=49,90')).toEqual(['small euro']);
    expect(await search('total>49,9 total<1000')).toEqual(['fifty dollars', 'no currency']);
    // A plain number is as written: three decimals after a lone 0 are no thousands.
    expect(await search('total>0.125 total<49.95')).toEqual(['small euro']);
  });

  it('filters by currency, in any case', async () => {
    expect(await search('currency:EUR')).toEqual(['big euro', 'small euro']);
    expect(await search('currency:usd total>10')).toEqual(['fifty dollars']);
    expect(await search('-currency:EUR total>0')).toEqual(['fifty dollars']);
  });

  it('filters by due date, by period or before and after', async () => {
    expect(await search('due:2024-05')).toEqual(['fifty dollars', 'small euro']);
    expect(await search('due<2024-05-01')).toEqual(['big euro']);
    expect(await search('due:<=2024-05-02')).toEqual(['big euro', 'small euro']);
    expect(await search('due>2024-05')).toEqual([]);
    expect(await search('due>=2024-05-03')).toEqual(['fifty dollars']);
  });

  it('says what a malformed filter wants', async () => {
    await expect(search('total>lots')).rejects.toThrow(DoccatError);
    await expect(search('total>lots')).rejects.toThrow(/total: wants an amount/);
    for (const typo of ['total>5.', 'total>1,00,0', 'total>1.2.3']) await expect(search(typo), typo).rejects.toThrow(/total: wants an amount/);
    await expect(search('currency:euro')).rejects.toThrow(/ISO 4217/);
    await expect(search('due<soon')).rejects.toThrow(/due: wants a date/);
  });
});
