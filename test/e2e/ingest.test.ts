import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import Database from 'better-sqlite3';
import { FIXTURES, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';

/** The fixture documents and the type a person would give each. */
const EXPECTED_TYPES: Record<string, string> = {
  'invoice-acme.pdf': 'invoice',
  'mail/meeting.eml': 'email',
  'office/quarterly-report.docx': 'report',
  'scans/contract.tiff': 'contract',
  'scans/letter.png': 'letter',
  'scans/receipt-scan.pdf': 'receipt',
  'text/expenses.csv': 'spreadsheet',
  'text/page.html': 'manual',
};

/** Each fixture's bytes (as a sha256), size and modification time, to compare after ingesting. */
function snapshot(folder: string): Record<string, { sha256: string; size: number; mtimeMs: number }> {
  const files = fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(
    files.map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = fs.statSync(file);
      return [path.relative(folder, file), { sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), size: stat.size, mtimeMs: stat.mtimeMs }];
    }),
  );
}

describe('doccat ingest on the bundled fixtures', () => {
  const home = tempDir();
  let first: ReturnType<typeof parseIngestJson>;
  const before = snapshot(FIXTURES);

  beforeAll(async () => {
    const result = await runDoccat(['ingest', FIXTURES, '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    first = parseIngestJson(result);
  });

  it('catalogues every fixture', () => {
    const files = fs.readdirSync(FIXTURES, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(first.summary.total).toBe(files.length);
    expect(first.summary.catalogued).toBe(files.length);
    expect(first.summary.failed).toBe(0);
  });

  it('gives the obvious documents the right type', () => {
    for (const [relative, type] of Object.entries(EXPECTED_TYPES)) {
      const file = first.files.find((item) => item.path === path.join(FIXTURES, relative));
      expect(file, relative).toBeDefined();
      expect(`${relative}: ${file?.type}`).toBe(`${relative}: ${type}`);
    }
  });

  it('records the extraction method and pages: text layer, OCR, multi-page TIFF', () => {
    const byName = (relative: string) => first.files.find((item) => item.path === path.join(FIXTURES, relative));
    expect(byName('invoice-acme.pdf')).toMatchObject({ method: 'text-layer', pages: 1 });
    expect(byName('scans/receipt-scan.pdf')).toMatchObject({ method: 'ocr', pages: 1 });
    expect(byName('scans/contract.tiff')).toMatchObject({ method: 'ocr', pages: 2 });
    expect(byName('scans/letter.png')).toMatchObject({ method: 'ocr', pages: 1 });
  });

  it('extracts the text of scans with OCR and shows it', async () => {
    const letter = first.files.find((item) => item.path.endsWith('letter.png'));
    const shown = await runDoccat(['show', String(letter?.documentId), '--json', '--text'], { home });
    expect(shown.code, shown.stderr).toBe(0);
    const { document } = JSON.parse(shown.stdout) as { document: { text: string; date: string; correspondent: string; ocrConfidence: number; sources: { path: string }[] } };
    expect(document.text).toContain('Dear Ms Jane Smith');
    expect(document.text).toContain('Yours sincerely');
    expect(document.date).toBe('2024-02-14');
    expect(document.correspondent).toBe('Northwind Traders Ltd.');
    expect(document.ocrConfidence).toBeGreaterThan(80);
    expect(document.sources.map((source) => source.path)).toEqual([letter?.path]);
  });

  it('reads invoice fields and the document date from a born-digital PDF', async () => {
    const shown = await runDoccat(['show', path.join(FIXTURES, 'invoice-acme.pdf'), '--json'], { home });
    const { document } = JSON.parse(shown.stdout) as { document: { title: string; date: string; correspondent: string; fields: Record<string, unknown> } };
    expect(document).toMatchObject({ title: 'Invoice INV-2024-0042', date: '2024-03-15', correspondent: 'ACME Office Supplies GmbH' });
    expect(document.fields).toMatchObject({ invoiceNumber: 'INV-2024-0042', total: { amount: 196.35, currency: 'EUR' }, iban: 'DE89370400440532013000' });
  });

  it('stores each original byte-for-byte in the content-addressed blob store', () => {
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    const rows = db.prepare('SELECT sha256, blob_key, size FROM documents').all() as { sha256: string; blob_key: string; size: number }[];
    db.close();
    // The e-mail's attachment (agenda.txt) is a document of its own.
    expect(rows.length).toBe(first.summary.catalogued + first.summary.parts);
    for (const row of rows) {
      const blob = fs.readFileSync(path.join(home, 'blobs', row.blob_key));
      expect(blob.length).toBe(row.size);
      expect(row.blob_key).toContain(row.sha256);
    }
  });

  it('adds nothing and runs no OCR when the same folder is ingested again', async () => {
    const again = parseIngestJson(await runDoccat(['ingest', FIXTURES, '--json'], { home }));
    expect(again.summary).toMatchObject({ catalogued: 0, failed: 0, ocrPages: 0, unchanged: first.summary.total });
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(first.summary.catalogued + first.summary.parts);
    db.close();
  });

  it('records a copy at another path as a duplicate source of the same document, without OCR', async () => {
    const elsewhere = tempDir();
    fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(elsewhere, 'copy-of-letter.png'));
    const result = parseIngestJson(await runDoccat(['ingest', elsewhere, '--json'], { home }));
    const original = first.files.find((item) => item.path.endsWith('letter.png'));
    expect(result.files).toEqual([expect.objectContaining({ status: 'duplicate', documentId: original?.documentId })]);
    expect(result.summary.ocrPages).toBe(0);
    const shown = JSON.parse((await runDoccat(['show', String(original?.documentId), '--json'], { home })).stdout) as { document: { sources: { path: string; status: string }[] } };
    expect(shown.document.sources.map((source) => source.status).sort()).toEqual(['catalogued', 'duplicate']);
  });

  it('leaves the source files untouched', () => {
    // After ingesting them twice and once more as a copy: same files, same bytes, same mtimes.
    expect(Object.keys(before)).toHaveLength(first.summary.total);
    expect(snapshot(FIXTURES)).toEqual(before);
  });
});

describe('doccat ingest options and output', () => {
  it('writes nothing with --dry-run and reports what is new', async () => {
    const home = tempDir();
    const result = parseIngestJson(await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--dry-run', '--json'], { home }));
    expect(result.summary.new).toBe(3);
    expect(result.files.every((file) => file.status === 'new')).toBe(true);
    expect(fs.readdirSync(home)).toEqual([]);
    // Against an existing catalogue, it reports duplicates and still changes nothing.
    await runDoccat(['ingest', path.join(FIXTURES, 'text', 'notes.md')], { home });
    const before = fs.statSync(path.join(home, 'catalog.db')).mtimeMs;
    const again = parseIngestJson(await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--dry-run', '--json'], { home }));
    expect(again.summary).toMatchObject({ new: 2, unchanged: 1 });
    expect(fs.statSync(path.join(home, 'catalog.db')).mtimeMs).toBe(before);
    const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM sources').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('honours --include, --exclude and --no-recursive', async () => {
    const home = tempDir();
    const included = parseIngestJson(await runDoccat(['ingest', FIXTURES, '--include', '*.pdf', '--dry-run', '--json'], { home }));
    expect(included.files.map((file) => path.basename(file.path)).sort()).toEqual(['invoice-acme.pdf', 'receipt-scan.pdf']);
    const excluded = parseIngestJson(await runDoccat(['ingest', FIXTURES, '--exclude', 'scans', '--exclude', '*.eml', '--dry-run', '--json'], { home }));
    expect(excluded.files.some((file) => file.path.includes('/scans/') || file.path.endsWith('.eml'))).toBe(false);
    const flat = parseIngestJson(await runDoccat(['ingest', FIXTURES, '--no-recursive', '--dry-run', '--json'], { home }));
    expect(flat.files.map((file) => path.basename(file.path))).toEqual(['invoice-acme.pdf']);
  });

  it('streams one JSON object per file with --ndjson, then a summary', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', path.join(FIXTURES, 'text'), '--ndjson'], { home });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; status?: string; catalogued?: number });
    expect(lines.filter((line) => line.event === 'file')).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', catalogued: 3 });
  });

  it('prints a table and totals for people, with no colour codes when NO_COLOR is set', async () => {
    const home = tempDir();
    const result = await runDoccat(['ingest', path.join(FIXTURES, 'text')], { home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/file\s+\|\s+status\s+\|\s+type/);
    expect(result.stdout).toContain('3 files · 3 catalogued');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('exits 2 with a usage error for bad arguments', async () => {
    const home = tempDir();
    expect((await runDoccat(['ingest'], { home })).code).toBe(2);
    expect((await runDoccat(['ingest', '.', '--jobs', '0'], { home })).code).toBe(2);
    expect((await runDoccat(['frobnicate'], { home })).code).toBe(2);
  });

  it('documents exit codes and examples in --help', async () => {
    const help = await runDoccat(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain('130');
    const ingestHelp = await runDoccat(['ingest', '--help']);
    expect(ingestHelp.stdout).toContain('Examples:');
    const showHelp = await runDoccat(['show', '--help']);
    expect(showHelp.stdout).toContain('Examples:');
  });

  it('prints its version', async () => {
    const result = await runDoccat(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
