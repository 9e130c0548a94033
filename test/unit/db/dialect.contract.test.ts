import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/db/catalog.js';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { bookkeepingWrite, dialectFor, writeTransaction } from '../../../src/db/dialect.js';
import type { NewDocument } from '../../../src/db/documents.js';
import { parseQuery } from '../../../src/db/search/query-parser.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { newDocument } from '../../support/new-document.js';

/**
 * The roles of the dialect object (db/dialect/types.ts), each run on both catalogue databases:
 * what one answers, the other answers the same, and the catalogue opened over either carries
 * the dialect it speaks and repositories that work on it.
 */

function document(index: number, tags: string[]): NewDocument {
  return newDocument('dialect contract', index, {
    size: 100 + index,
    mime: 'text/plain',
    originalName: `doc-${index}.txt`,
    blobKey: `sha256/d/${index}`,
    method: 'text',
    words: 3,
    type: 'invoice',
    title: `Invoice ${index}`,
    tags,
    correspondent: 'Acme Ltd',
    classConfidence: 0.9,
    fields: { total: { amount: 10 * index, currency: 'EUR' }, dueDate: `2024-0${index}-15` },
    text: `invoice number ${index} for widgets`,
  });
}

/** GLOB semantics, case-sensitive: * any run (slashes too), ? one character, [...] a class. */
const GLOBS: [glob: string, text: string, matches: boolean][] = [
  ['*.pdf', '/a/b/c.pdf', true],
  ['*.pdf', '/a/b/c.PDF', false],
  ['/a/?.txt', '/a/x.txt', true],
  ['/a/?.txt', '/a/xy.txt', false],
  ['*[0-9].log', '/var/app7.log', true],
  ['*[0-9].log', '/var/app.log', false],
  ['*100%_done*', '/x/100%_done.txt', true],
  ['*100%_done*', '/x/100a-done.txt', false],
];

for (const name of DIALECTS) describe(`the ${name} dialect`, () => {
  let database: CatalogDatabase;
  let catalog: Catalog;

  beforeAll(async () => {
    database = await openTestCatalog(name);
    catalog = new Catalog(database);
    for (const [index, tags] of [[1, ['Paid']], [2, ['open']]] as const) {
      await catalog.documents.commitDocument(document(index, [...tags]), { path: `/inbox/${index}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' });
    }
  });
  afterAll(async () => catalog.close());

  it('is the one the catalogue was opened on, chosen once', () => {
    expect(catalog.dialect.name).toBe(name);
    expect(catalog.dialect).toBe(dialectFor(database.db));
  });

  it('reads the clock as ISO text, and so many seconds ago', async () => {
    const { rows } = await sql<{ now: string; before: string }>`SELECT ${catalog.dialect.isoNow()} AS now, ${catalog.dialect.isoNow(3600)} AS before`.execute(catalog.db);
    const [row] = rows;
    expect(row?.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(row?.now ?? '') - Date.parse(row?.before ?? '')).toBeGreaterThanOrEqual(3_599_000);
    expect(Date.parse(row?.now ?? '') - Date.parse(row?.before ?? '')).toBeLessThanOrEqual(3_601_000);
  });

  it('matches globs and path globs the same way', async () => {
    for (const [glob, text, matches] of GLOBS) {
      const column = sql`CAST(${text} AS text)`;
      const { rows } = await sql<{ glob: unknown; path: unknown }>`SELECT CASE WHEN ${catalog.dialect.search.globMatches(column, glob)} THEN 1 ELSE 0 END AS glob, CASE WHEN ${catalog.dialect.search.pathMatches(column, glob)} THEN 1 ELSE 0 END AS path`.execute(catalog.db);
      expect({ glob, text, matched: Number(rows[0]?.glob) === 1, asPath: Number(rows[0]?.path) === 1 }).toEqual({ glob, text, matched: matches, asPath: matches });
    }
  });

  it('locks rows where it can, inside a write transaction, without breaking the query where it cannot', async () => {
    const ids = await writeTransaction(catalog.db, async (trx) => {
      const shared = await catalog.dialect.lockForShare(trx.selectFrom('documents').select('id').orderBy('id')).execute();
      const updated = await catalog.dialect.lockForUpdate(trx.selectFrom('documents').select('id').orderBy('id')).execute();
      return [shared.map((row) => row.id), updated.map((row) => row.id)];
    });
    expect(ids[0]).toHaveLength(2);
    expect(ids[1]).toEqual(ids[0]);
  });

  it('compares tags ignoring case, and reads typed fields from the JSON', async () => {
    const count = async (where: ReturnType<typeof sql>) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM documents d WHERE ${where}`.execute(catalog.db)).rows[0]?.n);
    expect(await count(sql`d.id IN (SELECT x.document_id FROM document_tags x WHERE ${catalog.dialect.search.tagEquals('PAID')})`)).toBe(1);
    const { fieldNumber, fieldText } = catalog.dialect.search;
    expect(await count(sql`${fieldNumber(['total', 'amount'])} > 15`)).toBe(1);
    expect(await count(sql`${fieldText(['total', 'currency'])} = 'EUR'`)).toBe(2);
    expect(await count(sql`${fieldText(['dueDate'])} < '2024-02-01'`)).toBe(1);
    // Text is not a number, and a path nothing has is NULL.
    expect(await count(sql`${fieldNumber(['total', 'currency'])} IS NOT NULL`)).toBe(0);
    expect(await count(sql`${fieldText(['total', 'net'])} IS NOT NULL`)).toBe(0);
    expect(await count(sql`d.correspondent ${catalog.dialect.search.caseInsensitiveLike} '%acme%'`)).toBe(2);
  });

  it('finds words through its own text index, and forgets a deleted entry', async () => {
    const search = (query: string) => catalog.search({ tree: parseQuery(query), limit: 10, offset: 0, sort: 'relevance' });
    expect((await search('widgets')).total).toBe(2);
    expect((await search('number 2')).hits.map((hit) => hit.title)).toEqual(['Invoice 2']);
    const id = (await catalog.documents.findIdBySha256(document(2, []).sha256)) as number;
    await catalog.dialect.deleteSearchEntry(catalog.db, id);
    expect((await search('widgets')).hits.map((hit) => hit.title)).toEqual(['Invoice 1']);
    await catalog.dialect.writeSearchEntry(catalog.db, id, { title: 'Invoice 2', tags: ['open'], correspondent: 'Acme Ltd', body: 'invoice number 2 for widgets' });
    expect((await search('widgets')).total).toBe(2);
  });

  it('has an empty job backlog before anything was queued', async () => {
    expect(await catalog.dialect.queueBacklog(catalog.db)).toEqual({ depth: 0, oldest: null });
  });

  it('commits bookkeeping writes for every connection to see, and leaves later commits waiting for the disk', async () => {
    const claims = catalog.claims('run-2', 60_000);
    const other = catalog.claims('run-3', 60_000);
    const content = 'e'.repeat(64);
    expect(await claims.claim(content)).toBe(true);
    // A second owner sees the lease at once and does not get it.
    expect(await other.claim(content)).toBe(false);
    const seen = sql<{ owner: string }>`SELECT owner FROM claims WHERE sha256 = ${content}`;
    expect((await seen.execute(catalog.db)).rows[0]?.owner).toBe(claims.owner);
    await claims.release(content);
    expect(await other.claim(content)).toBe(true);
    await other.release(content);
    // Inside a transaction, a bookkeeping write joins it (and is rolled back with it).
    await expect(
      writeTransaction(catalog.db, async (trx) => {
        await bookkeepingWrite(trx, (db) => db.insertInto('claims').values({ sha256: content, owner: 'x', expires_at: new Date().toISOString() }).execute());
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await seen.execute(catalog.db)).rows).toEqual([]);
    if (name === 'sqlite') {
      // Every commit after the bookkeeping is synced again (2 = FULL), also after one that failed.
      await expect(bookkeepingWrite(catalog.db, () => Promise.reject(new Error('failed write')))).rejects.toThrow('failed write');
      expect((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(catalog.db)).rows[0]?.synchronous).toBe(2);
    } else {
      // Only the bookkeeping transaction skips the flush; the session keeps the server's setting.
      expect((await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(catalog.db)).rows[0]?.synchronous_commit).toBe('on');
    }
  });

  it('gives the catalogue its repositories over the one connection', async () => {
    expect(await catalog.blobs.countBlobs()).toBe(2);
    expect(await catalog.blobs.countByBackend()).toEqual(new Map([['local', 2]]));
    expect((await catalog.stats()).documents).toMatchObject({ total: 2 });
    const claims = catalog.claims('run-1', 60_000);
    expect(await claims.claim('f'.repeat(64))).toBe(true);
    await claims.release('f'.repeat(64));
    expect(catalog.repository).toBe(catalog.documents);
  });
});
