import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, parseIngestJson, runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { blobKeysOnDisk, expectConsistentCatalogue, referencedBlobKeys } from '../support/catalogue-invariants.js';
import { pdfImages, pdftotext, readWithPdfJs, recall } from '../support/searchable-pdf.js';
import { startS3, type TestS3 } from '../support/s3.mjs';

/**
 * Searchable PDFs through the real binary: made at ingest for scans only, written by
 * `get --searchable`, and kept, checked, repaired, moved and deleted like the originals, on a
 * local store and on S3 (s3rver).
 */

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const letter = path.join(FIXTURES, 'scans', 'letter.png');
const receipt = path.join(FIXTURES, 'scans', 'receipt-scan.pdf');
const bornDigital = path.join(FIXTURES, 'invoice-acme.pdf');

interface Outcome {
  path: string;
  status: string;
  documentId: number;
  sha256: string;
  method: string;
  searchablePdf?: { sha256: string; size: number; textPages: number; pdfa: boolean };
}

interface Shown {
  document: { text: string; blob: { backend: string; key: string }; searchablePdf: { sha256: string; size: number; backend: string; key: string } | null };
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat']);
});
afterAll(async () => {
  await s3.close();
});

/** A catalogue with an S3 backend "cloud" beside the local store, and a folder of inputs. */
function catalogue(files: string[], storage: Record<string, unknown> = {}, ocr: Record<string, unknown> = {}) {
  const home = tempDir();
  const inputs = tempDir('doccat-searchable-inputs-');
  for (const file of files) fs.copyFileSync(file, path.join(inputs, path.basename(file)));
  const config = path.join(home, 'doccat.config.json');
  fs.writeFileSync(config, JSON.stringify({ storage: { backends: { cloud: s3.backend('doccat', { prefix: `${path.basename(home)}/` }) }, orphanGraceHours: 0, ...storage }, ocr }));
  const run = (args: string[]) => runDoccat([...args, '--config', config], { home, env: s3.env });
  const ingest = async (extra: string[] = []) => {
    const result = await run(['ingest', inputs, '--json', ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return (parseIngestJson(result).files as unknown as Outcome[]).sort((a, b) => a.path.localeCompare(b.path));
  };
  const show = async (id: number) => JSON.parse((await run(['show', String(id), '--text', '--json'])).stdout) as Shown;
  const s3Object = (key: string) => path.join(s3.directory, 'doccat', path.basename(home), `${key}._S3rver_object`);
  return { home, inputs, run, ingest, show, s3Object };
}

function jsonOf(result: RunResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout.slice(0, 500)}\n${result.stderr.slice(0, 2000)}`);
  }
}

describe('searchable PDFs at ingest', () => {
  it('keeps one for each scan and none for a born-digital PDF; get writes it, and the original byte for byte', async () => {
    const setup = catalogue([letter, receipt, bornDigital]);
    const [invoice, png, pdf] = await setup.ingest();
    expect(invoice?.method).toBe('text-layer');
    expect(invoice?.searchablePdf).toBeUndefined();
    expect(png?.searchablePdf).toMatchObject({ textPages: 1, pdfa: true });
    expect(pdf?.searchablePdf).toMatchObject({ textPages: 1, pdfa: false });

    for (const scan of [png, pdf] as Outcome[]) {
      const out = path.join(setup.home, `${scan.documentId}.searchable.pdf`);
      const written = await setup.run(['get', String(scan.documentId), '--searchable', '-o', out]);
      expect(written.code, written.stderr).toBe(0);
      const bytes = fs.readFileSync(out);
      expect(sha256(bytes)).toBe(scan.searchablePdf?.sha256);
      const shown = await setup.show(scan.documentId);
      expect(shown.document.searchablePdf).toMatchObject({ sha256: scan.searchablePdf?.sha256, size: bytes.length, backend: 'local' });
      expect(recall(shown.document.text, pdftotext(out))).toBeGreaterThanOrEqual(0.97);
      expect((await readWithPdfJs(out)).warnings).toEqual([]);
      // The original comes back as it was read.
      const original = path.join(setup.home, `${scan.documentId}.original`);
      expect((await setup.run(['get', String(scan.documentId), '-o', original])).code).toBe(0);
      expect(fs.readFileSync(original).equals(fs.readFileSync(scan.path))).toBe(true);
    }
    expect(pdfImages(path.join(setup.home, `${pdf?.documentId}.searchable.pdf`))).toEqual(pdfImages(receipt));

    const none = await setup.run(['get', String(invoice?.documentId), '--searchable', '-o', path.join(setup.home, 'none.pdf')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/E_NO_SEARCHABLE_PDF .*has no searchable PDF: it needed no OCR/);
    expect(fs.existsSync(path.join(setup.home, 'none.pdf'))).toBe(false);
    expect(blobKeysOnDisk(setup.home).sort()).toEqual(referencedBlobKeys(setup.home));
    expectConsistentCatalogue(setup.home);
  });

  it('makes none with --no-searchable-pdf, nor with ocr.searchablePdf off', async () => {
    const flagged = catalogue([letter]);
    const [withFlag] = await flagged.ingest(['--no-searchable-pdf']);
    expect(withFlag?.method).toBe('ocr');
    expect(withFlag?.searchablePdf).toBeUndefined();
    const none = await flagged.run(['get', String(withFlag?.documentId), '--searchable', '--url']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/E_NO_SEARCHABLE_PDF[\s\S]*hint: searchable PDFs are made at ingest/);
    expect(blobKeysOnDisk(flagged.home)).toHaveLength(1);

    const configured = catalogue([letter], {}, { searchablePdf: false });
    const [withConfig] = await configured.ingest();
    expect(withConfig?.searchablePdf).toBeUndefined();
    expect(blobKeysOnDisk(configured.home)).toHaveLength(1);
  });
});

describe('the searchable PDF is a blob like the original', () => {
  it('storage verify finds it damaged, --repair restores it from another backend, migrate moves it, get --url finds it on S3, delete removes it', async () => {
    const setup = catalogue([letter, bornDigital]);
    const [, scan] = await setup.ingest();
    const id = scan?.documentId as number;
    const before = await setup.show(id);
    const searchable = before.document.searchablePdf;
    if (!searchable) throw new Error('the scan has no searchable PDF');
    expect(jsonOf(await setup.run(['storage', 'verify', '--json']))).toMatchObject({ checked: 3, ok: 3, problems: [], orphans: [] });

    // Copied to S3 with the originals, all verified there.
    const migrated = await setup.run(['storage', 'migrate', '--to', 'cloud', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const moves = (jsonOf(migrated) as { blobs: { id: number; role: string; key: string; status: string }[] }).blobs;
    expect(moves).toHaveLength(3);
    expect(moves).toContainEqual(expect.objectContaining({ id, role: 'searchable', key: searchable.key, status: 'copied' }));
    expect(fs.readFileSync(setup.s3Object(searchable.key)).length).toBe(searchable.size);

    // Damaged on S3 (now the copy the row points at): found, and repaired from the local copy left behind.
    fs.writeFileSync(setup.s3Object(searchable.key), Buffer.alloc(searchable.size, 0x41));
    const damaged = await setup.run(['storage', 'verify', '--json']);
    expect(damaged.code).toBe(3);
    expect((jsonOf(damaged) as { problems: unknown[] }).problems).toEqual([expect.objectContaining({ id, role: 'searchable', backend: 'cloud', problem: 'corrupt', key: searchable.key })]);
    const repaired = await setup.run(['storage', 'verify', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(jsonOf(repaired)).toMatchObject({ repaired: 1 });
    expect(sha256(fs.readFileSync(setup.s3Object(searchable.key)))).toBe(searchable.sha256);

    // A signed URL that serves the searchable PDF, not the original.
    const url = (await setup.run(['get', String(id), '--searchable', '--url'])).stdout.trim();
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/doccat/.*${searchable.sha256}`));
    expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(searchable.sha256);

    // Moving again with --delete-source leaves only the S3 copies; delete then removes both blobs there.
    const local = path.join(setup.home, 'blobs', searchable.key);
    expect(fs.existsSync(local)).toBe(true);
    expect((await setup.run(['storage', 'migrate', '--to', 'local', '--quiet'])).code).toBe(0);
    expect((await setup.run(['storage', 'migrate', '--to', 'cloud', '--delete-source', '--quiet'])).code).toBe(0);
    expect(fs.existsSync(local)).toBe(false);
    expect((await setup.show(id)).document.searchablePdf).toMatchObject({ backend: 'cloud' });
    const deleted = await setup.run(['delete', String(id), '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((jsonOf(deleted) as { documents: unknown[] }).documents).toEqual([expect.objectContaining({ id, blob: 'deleted', searchablePdf: { blob: 'deleted' } })]);
    expect(fs.existsSync(setup.s3Object(searchable.key))).toBe(false);
    expect(fs.existsSync(setup.s3Object(before.document.blob.key))).toBe(false);
    expect(jsonOf(await setup.run(['storage', 'verify', '--json']))).toMatchObject({ checked: 1, ok: 1, problems: [], orphans: [] });
  });

  it('a missing local searchable PDF is restored from S3, and one nobody refers to is removed as an orphan', async () => {
    const setup = catalogue([letter]);
    const [scan] = await setup.ingest();
    const searchable = (await setup.show(scan?.documentId as number)).document.searchablePdf;
    if (!searchable) throw new Error('the scan has no searchable PDF');
    expect((await setup.run(['storage', 'migrate', '--to', 'cloud', '--quiet'])).code).toBe(0);
    expect((await setup.run(['storage', 'migrate', '--to', 'local', '--quiet'])).code).toBe(0);
    fs.rmSync(path.join(setup.home, 'blobs', searchable.key));
    const orphan = path.join(setup.home, 'blobs', 'sha256', 'ab', 'cd', `abcd${'0'.repeat(60)}`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.writeFileSync(orphan, '%PDF-1.7 a searchable PDF whose document is gone');
    const found = await setup.run(['storage', 'verify', '--json']);
    expect(found.code).toBe(3);
    expect(jsonOf(found)).toMatchObject({ problems: [expect.objectContaining({ role: 'searchable', problem: 'missing', backend: 'local' })], orphans: [expect.objectContaining({ key: `sha256/ab/cd/abcd${'0'.repeat(60)}` })] });
    const repaired = await setup.run(['storage', 'verify', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(jsonOf(repaired)).toMatchObject({ repaired: 1 });
    expect(sha256(fs.readFileSync(path.join(setup.home, 'blobs', searchable.key)))).toBe(searchable.sha256);
    expect(fs.existsSync(orphan)).toBe(false);
  });

  it('storage sync moves a searchable PDF stored on the fallback while S3 was down back to S3', async () => {
    const setup = catalogue([letter], { backend: 'cloud', fallback: 'local' });
    await s3.stop();
    let scan: Outcome | undefined;
    try {
      [scan] = await setup.ingest();
    } finally {
      await s3.start();
    }
    const during = (await setup.show(scan?.documentId as number)).document;
    expect(during.blob.backend).toBe('local');
    expect(during.searchablePdf).toMatchObject({ backend: 'local' });
    const sync = await setup.run(['storage', 'sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(jsonOf(sync)).toMatchObject({ summary: { copied: 2, deleted: 2 } });
    const after = (await setup.show(scan?.documentId as number)).document;
    expect(after.searchablePdf).toMatchObject({ backend: 'cloud' });
    expect(blobKeysOnDisk(setup.home)).toEqual([]);
    expect(jsonOf(await setup.run(['storage', 'verify', '--json']))).toMatchObject({ checked: 2, ok: 2 });
  });

  it('delete keeps a searchable PDF whose bytes are another document\'s original', async () => {
    const setup = catalogue([letter]);
    const [scan] = await setup.ingest();
    const exported = path.join(setup.inputs, 'letter.searchable.pdf');
    expect((await setup.run(['get', String(scan?.documentId), '--searchable', '-o', exported])).code).toBe(0);
    const outcomes = await setup.ingest();
    const again = outcomes.find((outcome) => outcome.path === exported);
    // It has a text layer now: catalogued from it, with no OCR and no searchable PDF of its own.
    expect(again).toMatchObject({ status: 'catalogued', method: 'text-layer', sha256: scan?.searchablePdf?.sha256 });
    const deleted = await setup.run(['delete', String(scan?.documentId), '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((jsonOf(deleted) as { documents: unknown[] }).documents).toEqual([expect.objectContaining({ blob: 'deleted', searchablePdf: { blob: 'kept', reason: 'referenced' } })]);
    const out = path.join(setup.home, 'back.pdf');
    expect((await setup.run(['get', String(again?.documentId), '-o', out])).code).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(exported))).toBe(true);
    expect(jsonOf(await setup.run(['storage', 'verify', '--json']))).toMatchObject({ checked: 1, ok: 1, orphans: [] });
  });
});
