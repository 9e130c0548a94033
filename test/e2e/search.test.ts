import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir, type RunOptions } from '../support/cli.js';
import { DIALECTS } from '../support/catalogs.js';
import { createDatabase } from '../support/postgres.mjs';

interface Result {
  id: number;
  ref: string;
  title: string;
  type: string;
  snippet: string | null;
  highlights: [number, number][];
  tags: string[];
  paths: string[];
}

for (const dialect of DIALECTS) describe(`searching and browsing a catalogue (${dialect})`, () => {
  const home = tempDir();
  const inputs = tempDir('doccat-search-');
  const ids: Record<string, number> = {};
  /** A Postgres catalogue is named by DOCCAT_DATABASE_URL; blobs stay in the home folder. */
  const catalogueEnv = async (): Promise<NodeJS.ProcessEnv> => (dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {});
  let env: NodeJS.ProcessEnv = {};
  const run = (args: string[], options: RunOptions = {}) => runDoccat(args, { home, ...options, env: { ...env, ...options.env } });
  const search = async (...args: string[]) => run(['search', ...args]);
  const searchJson = async (...args: string[]) => {
    const result = await search(...args, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { total: number; results: Result[] };
  };

  beforeAll(async () => {
    env = await catalogueEnv();
    fs.cpSync(FIXTURES, inputs, { recursive: true });
    fs.writeFileSync(path.join(inputs, 'broken.pdf'), '%PDF-1.7\nnot really');
    const report = parseIngestJson(await run(['ingest', inputs, '--json']));
    for (const file of report.files) if (file.documentId !== undefined) ids[path.relative(inputs, file.path)] = file.documentId;
  });

  it('prints a table with highlighted snippets for people', async () => {
    const result = await search('agreement');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\| id\s+\| date\s+\| type\s+\| title\s+\| correspondent\s+\| snippet/);
    expect(result.stdout).toContain(`D${ids['scans/contract.tiff']}`);
    expect(result.stdout).toMatch(/\[AGREEMENT\]/);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('colours matches on a terminal instead of bracketing them', async () => {
    const result = await run(['search', 'agreement'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(result.stdout).toContain('\u001b[');
    expect(result.stdout).not.toMatch(/\[AGREEMENT\]/);
  });

  it('gives JSON with offsets instead of markers', async () => {
    const { total, results } = await searchJson('"payment terms"');
    expect(total).toBe(1);
    const [hit] = results;
    expect(hit?.id).toBe(ids['invoice-acme.pdf']);
    expect(hit?.snippet).not.toMatch(/[[\]\u0002\u0003]/);
    const [start, end] = hit?.highlights[0] ?? [0, 0];
    expect(hit?.snippet?.slice(start, end)).toBe('Payment terms');
  });

  it('streams NDJSON and prints stored paths for xargs', async () => {
    const ndjson = await search('invoice OR receipt', '--ndjson');
    const lines = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as Result);
    expect(lines.map((line) => line.id).sort()).toEqual([ids['invoice-acme.pdf'], ids['scans/receipt-scan.pdf']].sort());
    const paths = (await search('receipt', '--paths')).stdout.trim().split('\n');
    expect(paths).toHaveLength(1);
    expect(fs.readFileSync(paths[0] as string)).toEqual(fs.readFileSync(path.join(FIXTURES, 'scans', 'receipt-scan.pdf')));
  });

  it('folds accents and case', async () => {
    expect((await searchJson('MULLER')).results.map((hit) => hit.id)).toEqual([ids['text/notes.md']]);
  });

  it('takes filters in the query and as flags', async () => {
    expect((await searchJson('type:letter')).results.map((hit) => hit.id)).toEqual([ids['scans/letter.png']]);
    expect((await searchJson('--type', 'letter', 'thank')).results.map((hit) => hit.id)).toEqual([ids['scans/letter.png']]);
    expect((await searchJson('method:ocr', '--sort', 'date')).results.map((hit) => hit.type)).toEqual(['contract', 'receipt', 'letter']);
    expect((await searchJson('--mime', 'tiff')).results.map((hit) => hit.id)).toEqual([ids['scans/contract.tiff']]);
    expect((await searchJson('--date', '2024-02')).results.map((hit) => hit.id)).toEqual([ids['scans/letter.png']]);
    expect((await searchJson('--path', '*.eml')).results.map((hit) => hit.id)).toEqual([ids['mail/meeting.eml']]);
  });

  it('prints nothing and exits 0 when nothing matches', async () => {
    const result = await search('xylophone');
    expect(result).toMatchObject({ code: 0, stdout: '' });
  });

  it('reports a malformed query as E_QUERY_SYNTAX with its position, exit 2, never an SQL error', async () => {
    for (const query of ['(invoice', '"open', 'invoice OR', "'; DROP TABLE documents; --"]) {
      const result = await search(query);
      expect(result.code, query).toBe(2);
      expect(result.stderr).toMatch(/E_QUERY_SYNTAX .* at position \d+/);
      expect(result.stderr).not.toMatch(/sqlite|SQL|fts5/i);
    }
    expect((await searchJson('invoice')).total).toBeGreaterThan(0);
  });

  it('answers a query of 3,000 minus signs and refuses 3,000 parentheses with E_QUERY_TOO_COMPLEX, exit 2', async () => {
    const expected = (await searchJson('agreement')).results.map((hit) => hit.id);
    // A run of minus signs crashed SQLite's parser (E_INTERNAL "Recursion limit"); pairs cancel.
    const minus = await search('--json', '--', `${'-'.repeat(3000)}agreement`);
    expect(minus.code, minus.stderr).toBe(0);
    expect((JSON.parse(minus.stdout) as { results: Result[] }).results.map((hit) => hit.id)).toEqual(expected);
    const deep = await search(`${'('.repeat(3000)}agreement`);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/E_QUERY_TOO_COMPLEX parentheses nested more than 32 deep at position 33\n  hint: search with at most 32 words/);
    const many = await search('--json', '--', Array.from({ length: 40 }, (_, index) => `-word${index}`).join(' '));
    expect(many.code).toBe(2);
    expect(JSON.parse(many.stdout)).toMatchObject({ error: { code: 'E_QUERY_TOO_COMPLEX' } });
    for (const result of [deep, many]) expect(result.stderr).not.toMatch(/E_INTERNAL|sqlite|SQL|fts5/i);
  });

  it('lists by filters only, and lists failed files with their reason', async () => {
    const list = await run(['list', '--type', 'invoice', '--json']);
    expect((JSON.parse(list.stdout) as { results: Result[] }).results.map((hit) => hit.id)).toEqual([ids['invoice-acme.pdf']]);
    expect((await run(['list', 'invoice'])).code).toBe(2);
    const failed = await run(['list', '--status', 'failed', '--json']);
    expect(JSON.parse(failed.stdout)).toMatchObject({ total: 1, failures: [{ path: path.join(inputs, 'broken.pdf'), code: 'E_PDF_CORRUPT' }] });
  });

  it('writes the original bytes with get, verified', async () => {
    const out = path.join(tempDir(), 'copy.pdf');
    const result = await run(['get', `D${ids['invoice-acme.pdf']}`, '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(path.join(FIXTURES, 'invoice-acme.pdf')));
    const piped = await run(['get', String(ids['text/notes.md']), '-o', '-']);
    expect(piped.stdout).toBe(fs.readFileSync(path.join(FIXTURES, 'text', 'notes.md'), 'utf8'));
    expect((await run(['get', '#999'])).code).toBe(2);
  });

  it('refuses to hand out a blob whose bytes no longer match their checksum', async () => {
    const other = tempDir();
    const otherEnv = await catalogueEnv();
    const report = parseIngestJson(await run(['ingest', path.join(FIXTURES, 'text', 'expenses.csv'), '--json'], { home: other, env: otherEnv }));
    const id = report.files[0]?.documentId as number;
    const blob = (await run(['get', String(id), '--url'], { home: other, env: otherEnv })).stdout.trim();
    fs.chmodSync(blob, 0o644);
    fs.appendFileSync(blob, 'tampered');
    const out = path.join(tempDir(), 'bad.csv');
    const result = await run(['get', String(id), '-o', out], { home: other, env: otherEnv });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('E_BLOB_CORRUPT');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  it('records tags and corrections as manual, audits them, and keeps them on re-ingest', async () => {
    const id = ids['scans/receipt-scan.pdf'] as number;
    expect((await run(['tag', String(id), '+food', '+2024', '-nothing'])).code).toBe(0);
    const set = await run(['set', `D${id}`, '--type', 'invoice', '--correspondent', 'Corner Bakery', '--field', 'total=11.50 USD']);
    expect(set.stdout).toContain(`D${id}: changed type, correspondent, field:total`);
    expect((await searchJson('tag:food type:invoice')).results.map((hit) => hit.id)).toEqual([id]);
    expect((await searchJson('correspondent:bakery')).results.map((hit) => hit.id)).toEqual([id]);

    const shown = await run(['show', String(id)]);
    expect(shown.stdout).toMatch(/^type\s+invoice \(manual\)$/m);
    expect(shown.stdout).toMatch(/^tags\s+2024, food \(manual\)$/m);
    expect(shown.stdout).toMatch(/changed .* set type: receipt -> invoice by /);

    const json = JSON.parse((await run(['show', String(id), '--json'])).stdout) as { document: { manualFields: string[]; audit: { command: string; field: string }[] } };
    expect(json.document.manualFields).toEqual(['correspondent', 'field:total', 'tags', 'type']);
    expect(json.document.audit.map((entry) => `${entry.command}:${entry.field}`)).toEqual(['ingest:document', 'tag:tags', 'set:type', 'set:correspondent', 'set:field:total']);

    // A newer modification time makes doccat read the file again (an unchanged one is skipped
    // unread); it hashes to the document the path already holds, so it stays `unchanged`, and
    // what it read must not overwrite what was set by hand.
    const receipt = path.join(inputs, 'scans', 'receipt-scan.pdf');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(receipt, later, later);
    const again = parseIngestJson(await run(['ingest', inputs, '--json']));
    expect(again.files.find((file) => file.path === receipt)).toMatchObject({ status: 'unchanged', documentId: id });
    expect((await searchJson('id:' + id)).results[0]).toMatchObject({ type: 'invoice', tags: ['2024', 'food'] });
    const after = JSON.parse((await run(['show', String(id), '--json'])).stdout) as { document: { manualFields: string[]; correspondent: string; fields: Record<string, unknown> } };
    expect(after.document).toMatchObject({ manualFields: ['correspondent', 'field:total', 'tags', 'type'], correspondent: 'Corner Bakery', fields: { total: { amount: 11.5, currency: 'USD' } } });
    // A total typed by hand is money like one read from the text: the typed filters find it.
    expect((await searchJson('total>10 currency:usd')).results.map((hit) => hit.id)).toContain(id);
    expect((await searchJson('total<=11')).results.map((hit) => hit.id)).not.toContain(id);
  });

  it('rejects bad edits without changing anything', async () => {
    const id = String(ids['text/page.html']);
    expect((await run(['set', id, '999', '--type', 'receipt'])).code).toBe(2);
    expect((await run(['set', id, '--date', '2024-13-45'])).code).toBe(2);
    expect((await run(['tag', id, '+bad tag!'])).code).toBe(2);
    expect((await searchJson('id:' + id)).results[0]).toMatchObject({ type: 'manual', tags: [] });
  });
});
