import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { makeEmail } from '../support/mail-writer.js';
import { makeTextPdf } from '../support/pdf-writer.mjs';
import { createDatabase } from '../support/postgres.mjs';
import { startS3, type TestS3 } from '../support/s3.mjs';

/** `doccat export` and `doccat import` through the real binary: a restore equals the original. */

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface ExportJson {
  directory: string;
  documents: number;
  copied: number;
  unchanged: number;
  failed: number;
  kept: number;
  pruned: string[];
  prunedKept: string[];
  failures: { id: number; path: string; error?: { code: string; message: string } }[];
}
interface ImportJson {
  documents: number;
  imported: number;
  present: number;
  failed: number;
  partsLinked: number;
  failures: { exportId?: number; line?: number; error?: { code: string; message: string } }[];
}

function json<T>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/**
 * What a restore must keep, read from a SQLite catalogue like `db copy`'s check: documents (every
 * column), tags, hand-set marks (in the rows), classification history, audit (without the
 * import's own entries), sources, parts, and the sha256 of every blob as stored.
 */
function catalogueDump(home: string, options: { database?: string; withBackend?: boolean } = {}) {
  const db = new Database(options.database ?? path.join(home, 'catalog.db'), { readonly: true });
  try {
    const documents = db.prepare('SELECT * FROM documents ORDER BY id').all() as Record<string, unknown>[];
    const ids = new Set(documents.map((row) => row.id));
    return {
      documents: documents.map(({ blob_backend: backend, searchable_backend: searchableBackend, ...row }) => (options.withBackend === false ? row : { ...row, blob_backend: backend, searchable_backend: searchableBackend })),
      tags: db.prepare('SELECT document_id, tag FROM document_tags ORDER BY document_id, tag').all(),
      history: db.prepare('SELECT document_id, classifier, type, title, tags, document_date, correspondent, confidence, rule, created_at FROM classifications ORDER BY document_id, id').all(),
      audit: (db.prepare("SELECT document_id, command, field, old_value, new_value, actor, run_id, at FROM audit WHERE command <> 'import' ORDER BY document_id, id").all() as { document_id: unknown }[]).filter((row) => ids.has(row.document_id)),
      sources: db.prepare("SELECT path, document_id, sha256, size, mtime_ms, file_id, ctime_ms, status, first_seen, last_seen FROM sources WHERE status <> 'failed' ORDER BY path").all(),
      parts: db.prepare('SELECT * FROM document_parts ORDER BY parent_id, position').all(),
    };
  } finally {
    db.close();
  }
}

/** The sha256 of every blob as stored: each original, and each searchable PDF (null where there is none). */
function blobShas(home: string): (string | null)[] {
  const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
  try {
    const read = (key: string | null) => (key === null ? null : sha(fs.readFileSync(path.join(home, 'blobs', key))));
    return (db.prepare('SELECT blob_key, searchable_key FROM documents ORDER BY id').all() as { blob_key: string; searchable_key: string | null }[]).flatMap((row) => [read(row.blob_key), read(row.searchable_key)]);
  } finally {
    db.close();
  }
}

/** Every path under a folder, relative to it. */
function walk(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((entry) => entry.split(path.sep).join('/')).sort();
}

/** A small catalogue with what a restore must carry: tags, corrections, history, an e-mail with an attachment, a duplicate source, a scan with its searchable PDF. */
async function sourceCatalogue(): Promise<{ home: string; scan: number }> {
  const home = tempDir();
  const inputs = tempDir('doccat-export-inputs-');
  for (const name of ['text', 'mail', 'office']) fs.cpSync(path.join(FIXTURES, name), path.join(inputs, name), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'invoice-acme.pdf'), path.join(inputs, 'invoice-acme.pdf'));
  fs.copyFileSync(path.join(FIXTURES, 'invoice-acme.pdf'), path.join(inputs, 'same-invoice.pdf'));
  fs.copyFileSync(path.join(FIXTURES, 'scans', 'letter.png'), path.join(inputs, 'letter.png'));
  fs.writeFileSync(path.join(inputs, 'forward.eml'), makeEmail({ subject: 'Fwd: invoice', body: 'Forwarding the invoice.', attachments: [{ name: 'inv.pdf', mime: 'application/pdf', bytes: makeTextPdf([['Invoice 5', 'Total 10.00 EUR']]) }] }));
  const ingest = parseIngestJson(await runDoccat(['ingest', inputs, '--json'], { home }));
  expect(ingest.summary.failed).toBe(0);
  const invoice = ingest.files.find((file) => file.path.endsWith('invoice-acme.pdf'))?.documentId as number;
  expect((await runDoccat(['tag', String(invoice), '+tax', '+Work'], { home })).code).toBe(0);
  expect((await runDoccat(['set', String(invoice), '--title', 'Büromaterial März', '--field', 'total=12.50'], { home })).code).toBe(0);
  expect((await runDoccat(['reclassify', '--quiet'], { home })).code).toBe(0);
  const scan = ingest.files.find((file) => file.path.endsWith('letter.png'))?.documentId as number;
  expect(scan).toBeGreaterThan(0);
  return { home, scan };
}

/** `doccat get ID --searchable` to stdout. */
async function searchableBytes(home: string, id: number): Promise<Buffer> {
  const out = path.join(tempDir('doccat-get-'), 'searchable.pdf');
  const run = await runDoccat(['get', String(id), '--searchable', '-o', out], { home });
  expect(run.code, run.stderr).toBe(0);
  return fs.readFileSync(out);
}

describe('export, then import into an empty catalogue', () => {
  let source: { home: string; scan: number };
  let exported: string;
  let s3: TestS3;

  beforeAll(async () => {
    source = await sourceCatalogue();
    exported = path.join(tempDir(), 'export');
    // With the scans' searchable PDFs: the comparisons below then cover their columns and blobs too.
    const run = await runDoccat(['export', exported, '--searchable', '--json'], { home: source.home });
    expect(run.code, run.stderr).toBe(0);
    s3 = await startS3(['restore']);
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('restores the same documents, tags, hand-set marks, history, sources, parts and blobs (SQLite)', async () => {
    const home = tempDir();
    const run = await runDoccat(['import', exported, '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    const report = json<ImportJson>(run);
    expect(report).toMatchObject({ failed: 0, present: 0, partsLinked: 2 });
    expect(catalogueDump(home)).toEqual(catalogueDump(source.home));
    expect(blobShas(home)).toEqual(blobShas(source.home));
    const manual = catalogueDump(home).documents.find((row) => row.title === 'Büromaterial März');
    expect(JSON.parse(manual?.manual_fields as string)).toEqual(['field:total', 'tags', 'title']);
    // Searchable as before.
    for (const query of ['buromaterial', 'tag:tax', '"planning meeting"']) {
      const ids = (result: RunResult) => (json<{ results: { id: number }[] }>(result).results.map((hit) => hit.id));
      expect(ids(await runDoccat(['search', query, '--json'], { home })), query).toEqual(ids(await runDoccat(['search', query, '--json'], { home: source.home })));
    }
    // Twice adds nothing.
    const again = json<ImportJson>(await runDoccat(['import', exported, '--json'], { home }));
    expect(again).toMatchObject({ imported: 0, failed: 0, partsLinked: 0, present: report.imported });
    expect(catalogueDump(home)).toEqual(catalogueDump(source.home));
  });

  it('restores into Postgres with blobs on S3, equal as db copy compares them', async () => {
    const home = tempDir();
    const url = await createDatabase(inject('pgUrl'));
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ storage: { backend: 'cloud', backends: { cloud: s3.backend('restore', { prefix: 'r/' }) } } }));
    const env = { ...s3.env, DOCCAT_DATABASE_URL: url };
    const run = await runDoccat(['import', exported, '--json', '--config', config], { home, env });
    expect(run.code, run.stderr).toBe(0);
    expect(json<ImportJson>(run)).toMatchObject({ failed: 0, present: 0 });
    const verify = await runDoccat(['storage', 'verify', '--config', config], { home, env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const back = path.join(tempDir(), 'back.db');
    const copy = await runDoccat(['db', 'copy', '--from', url, '--to', back], { home });
    expect(copy.code, copy.stderr).toBe(0);
    expect(catalogueDump(home, { database: back, withBackend: false })).toEqual(catalogueDump(source.home, { withBackend: false }));
    const restored = new Database(back, { readonly: true });
    expect(new Set((restored.prepare('SELECT blob_backend FROM documents').all() as { blob_backend: string }[]).map((row) => row.blob_backend))).toEqual(new Set(['cloud']));
    restored.close();
    // An id given out after the restore does not collide with a restored one.
    const more = tempDir('doccat-after-restore-');
    fs.writeFileSync(path.join(more, 'new.txt'), 'A note written after the restore.\n');
    const ingest = await runDoccat(['ingest', more, '--json', '--config', config], { home, env });
    expect(ingest.code, ingest.stderr).toBe(0);
    const maxId = Math.max(...catalogueDump(source.home).documents.map((row) => row.id as number));
    expect(parseIngestJson(ingest).files[0]?.documentId).toBeGreaterThan(maxId);
  });

  it("finishes an interrupted restore under the export's ids, whatever the interrupted run left out", async () => {
    const home = tempDir();
    expect((await runDoccat(['import', exported, '--json'], { home })).code).toBe(0);
    const full = catalogueDump(home);
    // What a killed restore leaves: the export's documents at their ids, with one missing in the middle.
    const inParts = new Set((full.parts as { parent_id: number; child_id: number }[]).flatMap((part) => [part.parent_id, part.child_id]));
    const ids = full.documents.map((row) => row.id as number);
    const gap = ids.slice(1, -1).find((id) => !inParts.has(id)) as number;
    expect(gap).toBeDefined();
    expect((await runDoccat(['delete', String(gap), '--yes', '--json'], { home })).code).toBe(0);
    const report = json<ImportJson>(await runDoccat(['import', exported, '--json'], { home }));
    expect(report).toMatchObject({ failed: 0, imported: 1, present: ids.length - 1 });
    expect(catalogueDump(home).documents.map((row) => [row.id, row.sha256])).toEqual(full.documents.map((row) => [row.id, row.sha256]));
  });

  it('adds only what is missing to a catalogue in use, with ids of its own, and links parts by content', async () => {
    const home = tempDir();
    const own = tempDir('doccat-own-');
    fs.writeFileSync(path.join(own, 'mine.txt'), 'A document that only this catalogue has.\n');
    fs.copyFileSync(path.join(FIXTURES, 'invoice-acme.pdf'), path.join(own, 'invoice.pdf'));
    expect((await runDoccat(['ingest', own, '--quiet'], { home })).code).toBe(0);
    const report = json<ImportJson>(await runDoccat(['import', exported, '--json'], { home }));
    const original = catalogueDump(source.home);
    expect(report).toMatchObject({ failed: 0, present: 1, imported: original.documents.length - 1, partsLinked: 2 });
    const dump = catalogueDump(home);
    expect(dump.documents.map((row) => row.sha256).sort()).toEqual([...new Set([...original.documents.map((row) => row.sha256 as string), sha(Buffer.from('A document that only this catalogue has.\n'))])].sort());
    // The invoice already here keeps its own title; the restored ones keep theirs.
    expect(dump.documents.filter((row) => row.title === 'Büromaterial März')).toEqual([]);
    expect(dump.parts).toHaveLength(2);
    const again = json<ImportJson>(await runDoccat(['import', exported, '--json'], { home }));
    expect(again).toMatchObject({ imported: 0, partsLinked: 0 });
    expect(catalogueDump(home)).toEqual(dump);
  });

  it('with --searchable writes each scan\'s searchable PDF beside its original, verified and recorded, and import restores it', async () => {
    const wanted = await searchableBytes(source.home, source.scan);
    const entries = readManifestLines(exported);
    const scan = entries.find((entry) => entry.id === source.scan) as ManifestEntry;
    const file = scan.files.searchable as { path: string; sha256: string; size: number };
    // Beside the original, named as `get --searchable` names it; only the scan has one.
    expect(file.path).toBe(`${scan.files.original.path.replace(/\.png$/, '')}.searchable.pdf`);
    expect(file).toMatchObject({ sha256: sha(wanted), size: wanted.length });
    expect(sha(fs.readFileSync(path.join(exported, file.path)))).toBe(sha(wanted));
    expect(entries.filter((entry) => entry.files.searchable !== undefined).map((entry) => entry.id)).toEqual([source.scan]);
    expect(walk(exported).filter((entry) => entry.endsWith('.searchable.pdf'))).toEqual([file.path]);
    // Recorded as doccat's like the originals (what re-runs, resume after kill -9 and --prune go by).
    const written = fs.readFileSync(path.join(exported, '.doccat', 'written.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { path: string; sha256: string });
    expect(written).toContainEqual(expect.objectContaining({ path: file.path, sha256: sha(wanted) }));

    const home = tempDir();
    const run = await runDoccat(['import', exported, '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(json<ImportJson & { searchablePdfs: number }>(run)).toMatchObject({ failed: 0, searchablePdfs: 1 });
    expect(sha(await searchableBytes(home, source.scan))).toBe(sha(wanted));
    expect(blobShas(home)).toEqual(blobShas(source.home));
    expect(blobShas(home)).toContain(sha(wanted));
  });

  it('without --searchable writes no searchable PDF, and the import has none; re-runs copy nothing again and --prune removes it', async () => {
    const plain = path.join(tempDir(), 'plain');
    expect((await runDoccat(['export', plain, '--quiet'], { home: source.home })).code).toBe(0);
    expect(walk(plain).filter((entry) => entry.endsWith('.searchable.pdf'))).toEqual([]);
    expect(readManifestLines(plain).filter((entry) => entry.files.searchable !== undefined)).toEqual([]);
    const home = tempDir();
    expect((await runDoccat(['import', plain, '--quiet'], { home })).code).toBe(0);
    const restored = catalogueDump(home).documents.find((row) => row.id === source.scan);
    expect(restored).toMatchObject({ searchable_sha256: null, searchable_size: null, searchable_backend: null, searchable_key: null });
    expect((await runDoccat(['get', String(source.scan), '--searchable', '-o', path.join(home, 'x.pdf')], { home })).code).toBe(2);

    // The same folder with --searchable: only the searchable PDF is written; then nothing.
    const added = json<ExportJson & { filesWritten: number }>(await runDoccat(['export', plain, '--searchable', '--json'], { home: source.home }));
    expect(added).toMatchObject({ copied: 0, failed: 0, filesWritten: 1 });
    const again = json<ExportJson & { filesWritten: number }>(await runDoccat(['export', plain, '--searchable', '--json'], { home: source.home }));
    expect(again).toMatchObject({ copied: 0, failed: 0, filesWritten: 0 });
    const searchablePath = readManifestLines(plain).find((entry) => entry.id === source.scan)?.files.searchable?.path as string;
    expect(fs.existsSync(path.join(plain, searchablePath))).toBe(true);
    // Not asked for any more: --prune removes it, as it does a sidecar no longer wanted.
    const pruned = json<ExportJson>(await runDoccat(['export', plain, '--prune', '--json'], { home: source.home }));
    expect(pruned.pruned).toEqual([searchablePath]);
    expect(fs.existsSync(path.join(plain, searchablePath))).toBe(false);
  });

  it('imports a document whose searchable PDF is missing from the folder without one, and refuses one that was changed', async () => {
    const copy = path.join(tempDir(), 'copy');
    fs.cpSync(exported, copy, { recursive: true });
    const file = readManifestLines(copy).find((entry) => entry.id === source.scan)?.files.searchable?.path as string;
    fs.rmSync(path.join(copy, file));
    const home = tempDir();
    const run = await runDoccat(['import', copy, '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(json<ImportJson & { searchablePdfs: number }>(run)).toMatchObject({ failed: 0, searchablePdfs: 0, present: 0 });
    expect(run.stderr).toMatch(/W_NO_SEARCHABLE_PDF/);
    const restored = catalogueDump(home).documents.find((row) => row.id === source.scan);
    expect(restored).toMatchObject({ searchable_sha256: null, searchable_key: null });
    expect(restored?.sha256).toBe(readManifestLines(copy).find((entry) => entry.id === source.scan)?.sha256);

    // A searchable PDF that is there but not the one exported fails its document, like a changed original.
    fs.writeFileSync(path.join(copy, file), Buffer.alloc(readManifestLines(copy).find((entry) => entry.id === source.scan)?.files.searchable?.size as number, 1));
    const other = tempDir();
    const tampered = await runDoccat(['import', copy, '--json'], { home: other });
    expect(tampered.code).toBe(3);
    expect(json<ImportJson>(tampered).failures).toEqual([expect.objectContaining({ exportId: source.scan, error: expect.objectContaining({ code: 'E_IMPORT_CHECKSUM' }) })]);
    expect(fs.readdirSync(path.join(other, '.staging'))).toEqual([]);
  });
});

describe('export names, incremental runs and --prune', () => {
  it('keeps every name inside the folder, visible and unique, whatever the titles hold', async () => {
    const { home } = await catalogueOf(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
    const titles = ['../../escaped', '/etc/passwd', 'bell\u0007 and \u001b[31mred\u001b[0m', '\u202egnp.exe', '.hidden', 'CON', 'x'.repeat(400)];
    for (const [index, title] of titles.entries()) expect((await runDoccat(['set', String(index + 1), '--title', title], { home })).code).toBe(0);
    // Two documents with one title get two names.
    expect((await runDoccat(['set', '8', '9', '--title', 'same', '--type', 'letter'], { home })).code).toBe(0);
    const parent = tempDir('doccat-export-parent-');
    const out = path.join(parent, 'out');
    const run = await runDoccat(['export', out, '--template', '{type}/{title}.{ext}', '--json', '--text'], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(json<ExportJson>(run)).toMatchObject({ documents: 9, copied: 9, failed: 0 });
    expect(fs.readdirSync(parent)).toEqual(['out']);
    const files = walk(out).filter((entry) => !entry.startsWith('.doccat') && fs.statSync(path.join(out, entry)).isFile());
    for (const file of files) {
      expect(fs.realpathSync(path.join(out, file)).startsWith(`${fs.realpathSync(out)}/`)).toBe(true);
      expect(file).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      for (const segment of file.split('/')) expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
    }
    const originals = files.filter((file) => !file.endsWith('.txt.txt') && file !== 'manifest.json');
    expect(originals).toContain('other/-..-escaped.txt');
    expect(originals).toContain('other/gnp.exe.txt');
    expect(originals).toContain(`other/${'x'.repeat(196)}.txt`);
    expect(originals).toContain('other/-etc-passwd.txt');
    expect(originals).toContain('other/bell and [31mred [0m.txt');
    expect(originals).toContain('other/hidden.txt');
    expect(originals).toContain('other/_CON.txt');
    expect(originals).toEqual(expect.arrayContaining(['letter/same.txt', 'letter/same (2).txt']));
    expect(new Set(originals.map((file) => file.toLowerCase())).size).toBe(originals.length);
    // Each original is the document's bytes.
    const manifest = readManifestLines(out);
    for (const entry of manifest) expect(sha(fs.readFileSync(path.join(out, entry.files.original.path)))).toBe(entry.sha256);
  });

  it('copies only what changed, never replaces or removes what it did not write, and prunes only its own unchanged files', async () => {
    const { home } = await catalogueOf(['alpha', 'beta', 'gamma']);
    const out = tempDir('doccat-export-inc-');
    // Someone's own files in the folder, one of them at a name the export wants.
    fs.mkdirSync(path.join(out, 'other'));
    fs.writeFileSync(path.join(out, 'other', 'undated_alpha document.txt'), 'not doccat\'s');
    fs.writeFileSync(path.join(out, 'notes.md'), 'mine');
    const first = json<ExportJson>(await runDoccat(['export', out, '--json'], { home }));
    expect(first).toMatchObject({ documents: 3, copied: 3, failed: 0 });
    expect(fs.readFileSync(path.join(out, 'other', 'undated_alpha document.txt'), 'utf8')).toBe('not doccat\'s');
    expect(fs.existsSync(path.join(out, 'other', 'undated_alpha document (2).txt'))).toBe(true);

    const second = json<ExportJson>(await runDoccat(['export', out, '--json'], { home }));
    expect(second).toMatchObject({ documents: 3, copied: 0, unchanged: 3 });

    // A new title is a new name: the old file stays until --prune.
    expect((await runDoccat(['set', '2', '--title', 'beta renamed'], { home })).code).toBe(0);
    const third = json<ExportJson>(await runDoccat(['export', out, '--json'], { home }));
    expect(third).toMatchObject({ copied: 1, unchanged: 2, pruned: [] });
    expect(fs.existsSync(path.join(out, 'other', 'undated_beta document.txt'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'other', 'undated_beta renamed.txt'))).toBe(true);

    // A file doccat wrote and someone changed since is not doccat's to delete any more.
    fs.appendFileSync(path.join(out, 'other', 'undated_gamma document.txt'), 'edited by hand\n');
    const pruned = json<ExportJson>(await runDoccat(['export', out, 'beta', '--json', '--prune'], { home }));
    expect(pruned.documents).toBe(1);
    const textOf = (word: string) => `.doccat/text/${sha(Buffer.from(`${word} document\n`))}.txt`;
    expect(pruned.pruned.sort()).toEqual([textOf('alpha'), textOf('gamma'), 'other/undated_alpha document (2).txt', 'other/undated_beta document.txt'].sort());
    expect(pruned.prunedKept).toEqual(['other/undated_gamma document.txt']);
    expect(walk(out).filter((entry) => !entry.startsWith('.doccat'))).toEqual(['manifest.json', 'notes.md', 'other', 'other/undated_alpha document.txt', 'other/undated_beta renamed.txt', 'other/undated_gamma document.txt']);
    expect(readManifestLines(out).map((entry) => entry.title)).toEqual(['beta renamed']);
  });

  it('with --since exports only what changed since then and keeps the rest; --metadata writes each record beside its original', async () => {
    const { home } = await catalogueOf(['north', 'south', 'east']);
    const out = tempDir('doccat-export-since-');
    expect(json<ExportJson>(await runDoccat(['export', out, '--json'], { home }))).toMatchObject({ documents: 3, copied: 3 });
    const since = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await runDoccat(['set', '3', '--title', 'east renamed'], { home })).code).toBe(0);
    const run = await runDoccat(['export', out, '--since', since, '--metadata', '--ndjson'], { home });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; id?: number; status?: string; documents?: number; kept?: number });
    // Only the document changed since was looked at; the others stay in the export and its manifest.
    expect(lines.filter((line) => line.event === 'document').map((line) => [line.id, line.status])).toEqual([[3, 'copied']]);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', documents: 3, kept: 2 });
    const manifest = readManifestLines(out);
    expect(manifest.map((entry) => entry.title)).toEqual(['north document', 'south document', 'east renamed']);
    const renamed = manifest[2] as ManifestEntry & { files: { metadataSidecar?: { path: string; sha256: string } } };
    expect(renamed.files.metadataSidecar?.path).toBe(`${renamed.files.original.path}.json`);
    const sidecar = fs.readFileSync(path.join(out, renamed.files.metadataSidecar?.path as string));
    expect(sha(sidecar)).toBe(renamed.files.metadataSidecar?.sha256);
    const { files: _files, ...record } = renamed;
    expect(JSON.parse(sidecar.toString('utf8'))).toEqual(record);
    // Nothing is selected by a date to come.
    expect(json<ExportJson>(await runDoccat(['export', out, '--since', '2999-01-01', '--json'], { home }))).toMatchObject({ documents: 3, copied: 0, unchanged: 0, kept: 3 });
    expect((await runDoccat(['export', out, '--since', 'yesterday'], { home })).code).toBe(2);
  });

  it('refuses to write through a link planted in the folder, and to leave the folder', async () => {
    const { home } = await catalogueOf(['delta']);
    const out = tempDir('doccat-export-link-');
    const elsewhere = tempDir('doccat-elsewhere-');
    fs.symlinkSync(elsewhere, path.join(out, 'other'));
    const run = await runDoccat(['export', out, '--json'], { home });
    expect(run.code).toBe(3);
    expect(json<ExportJson>(run).failures[0]?.error?.code).toBe('E_EXPORT_UNSAFE_PATH');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe('importing an untrusted export folder', () => {
  async function exportOf(words: string[]): Promise<string> {
    const { home } = await catalogueOf(words);
    const out = path.join(tempDir(), 'export');
    expect((await runDoccat(['export', out, '--quiet'], { home })).code).toBe(0);
    return out;
  }

  function rewriteManifest(out: string, change: (entries: ManifestEntry[]) => void): void {
    const lines = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8').split('\n');
    const entries = readManifestLines(out);
    change(entries);
    fs.writeFileSync(path.join(out, 'manifest.json'), [lines[0], entries.map((entry) => JSON.stringify(entry)).join(',\n'), `],"documentCount":${entries.length}}`, ''].join('\n'));
  }

  it('reads nothing outside the folder: paths that leave it, links out of it, absolute paths', async () => {
    const out = await exportOf(['one', 'two', 'three']);
    const secret = path.join(path.dirname(out), 'secret.txt');
    fs.writeFileSync(secret, 'one document\n');
    rewriteManifest(out, (entries) => {
      (entries[0] as ManifestEntry).files.original.path = '../secret.txt';
      (entries[1] as ManifestEntry).files.original.path = secret;
    });
    const third = readManifestLines(out)[2] as ManifestEntry;
    fs.rmSync(path.join(out, third.files.original.path));
    fs.symlinkSync(secret, path.join(out, third.files.original.path));
    const home = tempDir();
    const run = await runDoccat(['import', out, '--json'], { home });
    expect(run.code).toBe(3);
    const report = json<ImportJson>(run);
    expect(report).toMatchObject({ imported: 0, failed: 3 });
    expect(report.failures.map((failure) => failure.error?.code).sort()).toEqual(['E_IMPORT_MANIFEST', 'E_IMPORT_MANIFEST', 'E_IMPORT_UNSAFE_PATH']);
  });

  it('refuses files that do not match the manifest, and sizes over the limits, document by document', async () => {
    const out = await exportOf(['four', 'five', 'six', 'seven']);
    const entries = readManifestLines(out);
    fs.appendFileSync(path.join(out, (entries[0] as ManifestEntry).files.original.path), 'tampered');
    fs.writeFileSync(path.join(out, (entries[1] as ManifestEntry).files.text.path), 'other text, same length?');
    rewriteManifest(out, (list) => {
      const big = list[2] as ManifestEntry;
      big.size = big.files.original.size = 10 * 1024 * 1024 * 1024;
    });
    const home = tempDir();
    const run = await runDoccat(['import', out, '--json'], { home });
    expect(run.code).toBe(3);
    const report = json<ImportJson>(run);
    expect(report).toMatchObject({ imported: 1, failed: 3 });
    expect(report.failures.map((failure) => failure.error?.code).sort()).toEqual(['E_IMPORT_CHECKSUM', 'E_IMPORT_CHECKSUM', 'E_IMPORT_TOO_LARGE']);
    expect(fs.readdirSync(path.join(home, '.staging'))).toEqual([]);
  });

  it('stops on a manifest that is cut off, not JSON, or of another format version', async () => {
    const out = await exportOf(['eight']);
    const manifest = path.join(out, 'manifest.json');
    const whole = fs.readFileSync(manifest, 'utf8');
    const attempts: [string, RegExp][] = [
      [whole.slice(0, whole.lastIndexOf(']')), /ends before its last line/],
      [whole.replace('"sha256"', '"sha256'), /not JSON/],
      [whole.replace('"version":1', '"version":9'), /format version 9/],
      ['{"hello":"world"}\n', /does not start like/],
    ];
    for (const [text, message] of attempts) {
      fs.writeFileSync(manifest, text);
      const run = await runDoccat(['import', out], { home: tempDir() });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/E_IMPORT_MANIFEST/);
      expect(run.stderr).toMatch(message);
    }
  });
});

interface ManifestEntry {
  id: number;
  sha256: string;
  size: number;
  title: string;
  files: { original: { path: string; sha256: string; size: number }; text: { path: string; sha256: string; size: number }; searchable?: { path: string; sha256: string; size: number } };
}

function readManifestLines(out: string): ManifestEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { documents: ManifestEntry[] }).documents;
}

/** A catalogue of one small text document per word ("<word> document"), ids in that order. */
async function catalogueOf(words: string[]): Promise<{ home: string }> {
  const home = tempDir();
  for (const word of words) {
    const folder = tempDir('doccat-words-');
    fs.writeFileSync(path.join(folder, `${word}.txt`), `${word} document\n`);
    expect((await runDoccat(['ingest', folder, '--quiet'], { home })).code).toBe(0);
  }
  return { home };
}
