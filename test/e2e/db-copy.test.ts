import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { createDatabase } from '../support/postgres.mjs';

/** `doccat db status|migrate|copy` between SQLite and Postgres, through the real binary. */

const TABLES = ['runs', 'documents', 'sources', 'classifications', 'audit', 'document_tags', 'ai_cache', 'ai_calls', 'ingest_events', 'document_parts'];

function dump(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

describe('copying a catalogue between SQLite and Postgres', () => {
  it('round-trips every row, tag, source and history entry, and searches the same', async () => {
    const home = tempDir();
    const inputs = tempDir('doccat-copy-');
    for (const name of ['text', 'mail']) fs.cpSync(path.join(FIXTURES, name), path.join(inputs, name), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'invoice-acme.pdf'), path.join(inputs, 'invoice-acme.pdf'));
    fs.copyFileSync(path.join(inputs, 'invoice-acme.pdf'), path.join(inputs, 'same-invoice.pdf'));
    fs.writeFileSync(path.join(inputs, 'empty.txt'), '');
    const ingest = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
    expect(ingest.summary.catalogued).toBeGreaterThan(3);
    const invoice = ingest.files.find((file) => file.path.endsWith('invoice-acme.pdf'))?.documentId as number;
    expect((await runDoccat(['tag', String(invoice), '+tax', '+Work'], { home })).code).toBe(0);
    expect((await runDoccat(['set', String(invoice), '--title', 'Büromaterial März', '--field', 'total=12.50'], { home })).code).toBe(0);
    expect((await runDoccat(['reclassify', '--quiet'], { home })).code).toBe(0);

    const original = path.join(home, 'catalog.db');
    const url = await createDatabase(inject('pgUrl'));
    const toPostgres = await runDoccat(['db', 'copy', '--from', original, '--to', 'env:TARGET_DB', '--json'], { home, env: { TARGET_DB: url } });
    expect(toPostgres.code, toPostgres.stderr).toBe(0);
    const status = JSON.parse((await runDoccat(['db', 'status', '--json'], { home, env: { DOCCAT_DATABASE_URL: url } })).stdout) as { dialect: string; schema: { pending: string[] }; counts: Record<string, number> };
    expect(status).toMatchObject({ dialect: 'postgres', schema: { pending: [] } });
    // The e-mail's attachment is a document of its own.
    expect(status.counts.documents).toBe(ingest.summary.catalogued + ingest.summary.parts);
    expect(status.counts.failedFiles).toBe(1);

    // The same searches give the same documents on both.
    for (const query of ['buromaterial', 'tag:tax', 'tag:work invoice', '"planning meeting"', 'status:duplicate']) {
      const onSqlite = JSON.parse((await runDoccat(['search', query, '--json', '--sort', 'date'], { home })).stdout) as { results: { id: number }[] };
      const onPostgres = JSON.parse((await runDoccat(['search', query, '--json', '--sort', 'date'], { home, env: { DOCCAT_DATABASE_URL: url } })).stdout) as { results: { id: number }[] };
      expect(onPostgres.results.map((hit) => hit.id), query).toEqual(onSqlite.results.map((hit) => hit.id));
      expect(onSqlite.results.length, query).toBeGreaterThan(0);
    }

    const back = path.join(tempDir(), 'back.db');
    const toSqlite = await runDoccat(['db', 'copy', '--from', url, '--to', back], { home });
    expect(toSqlite.code, toSqlite.stderr).toBe(0);
    expect(toSqlite.stderr).toMatch(/copied and verified/);
    expect(dump(back)).toEqual(dump(original));

    const again = await runDoccat(['db', 'copy', '--from', original, '--to', url], { home });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/E_DB_NOT_EMPTY/);
  });

  it('reports migrations and refuses an unreachable server clearly', async () => {
    const home = tempDir();
    const url = await createDatabase(inject('pgUrl'));
    const migrate = await runDoccat(['db', 'migrate', '--json'], { home, env: { DOCCAT_DATABASE_URL: url } });
    expect(migrate.code, migrate.stderr).toBe(0);
    expect((JSON.parse(migrate.stdout) as { applied: string[] }).applied).toContain('0001_initial');
    expect(JSON.parse((await runDoccat(['db', 'migrate', '--json'], { home, env: { DOCCAT_DATABASE_URL: url } })).stdout)).toMatchObject({ applied: [] });
    const down = await runDoccat(['db', 'status'], { home, env: { DOCCAT_DATABASE_URL: 'postgres://doccat:hunter2@127.0.0.1:9/none' } });
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/E_DATABASE_UNAVAILABLE cannot connect to the catalogue database postgres:\/\/doccat:\*\*\*@127\.0\.0\.1:9\/none/);
    expect(down.stderr).not.toContain('hunter2');
  });
});
