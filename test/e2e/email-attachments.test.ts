import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { expectConsistentCatalogue } from '../support/catalogue-invariants.js';
import { makeEmail, makeMbox, makePng } from '../support/mail-writer.js';
import { makeTextPdf } from '../support/pdf-writer.mjs';
import { makeDocx } from '../support/docx-writer.mjs';
import { createDatabase } from '../support/postgres.mjs';

/** E-mail attachments and mbox messages as documents of their own, through the real binary. */

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Related {
  id: number;
  name: string;
  type: string;
  mime: string;
}
interface ShownDocument {
  id: number;
  type: string;
  title: string;
  sha256: string;
  parentId: number | null;
  parents: Related[];
  children: Related[];
}

async function show(home: string, id: number): Promise<ShownDocument> {
  const result = await runDoccat(['show', String(id), '--json'], { home });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { document: ShownDocument }).document;
}

function documentIdBySha(home: string): Map<string, number> {
  const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
  try {
    return new Map((db.prepare('SELECT sha256, id FROM documents').all() as { sha256: string; id: number }[]).map((row) => [row.sha256, row.id]));
  } finally {
    db.close();
  }
}

function count(home: string, sql: string): number {
  const db = new Database(path.join(home, 'catalog.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function ingestJson(result: RunResult) {
  const report = parseIngestJson(result) as ReturnType<typeof parseIngestJson> & {
    summary: { parts: number };
    files: { path: string; status: string; documentId?: number; parts?: { documentId: number; name: string; status: string }[]; warnings?: { code: string; message: string }[]; error?: { code: string; message: string; hint?: string } }[];
  };
  return report;
}

const invoicePdf = makeTextPdf([['ACME Office Supplies GmbH', 'Invoice INV-2024-0777', 'Invoice date: 2024-04-02', 'Total due: 88.10 EUR', 'Payment terms: 14 days', 'IBAN DE89370400440532013000']]);
const reportDocx = makeDocx(['Quarterly report', 'Revenue grew by nine percent in the zanzibar region.']);
const logo = makePng(20, 10, 7);
const photo = makePng(400, 300, 9);

describe('e-mail attachments as documents', () => {
  const home = tempDir();
  const inbox = tempDir('doccat-mail-');
  const message = makeEmail({
    subject: 'Your invoice for April',
    body: 'Hello, please find our invoice attached. Kind regards, ACME',
    attachments: [
      { name: 'invoice-777.pdf', mime: 'application/pdf', bytes: invoicePdf },
      { name: 'report.docx', mime: 'application/octet-stream', bytes: reportDocx },
      { name: 'logo.png', mime: 'image/png', bytes: logo, inline: true },
      { name: 'data.bin', mime: 'application/octet-stream', bytes: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 255]) },
      { name: 'smime.p7s', mime: 'application/pkcs7-signature', bytes: Buffer.from('not a document') },
    ],
  });
  let first: ReturnType<typeof ingestJson>;

  beforeAll(async () => {
    fs.writeFileSync(path.join(inbox, 'april.eml'), message);
    first = ingestJson(await runDoccat(['ingest', inbox, '--json'], { home }));
  });

  it('catalogues each attachment of a supported type as its own document, classified on its own', async () => {
    const file = first.files[0];
    expect(file?.status, JSON.stringify(file)).toBe('catalogued');
    expect(first.summary.parts).toBe(2);
    expect(file?.parts?.map((part) => [part.name, part.status])).toEqual([
      ['invoice-777.pdf', 'catalogued'],
      ['report.docx', 'catalogued'],
    ]);
    const ids = documentIdBySha(home);
    // The small inline logo, the unknown binary and the signature are not documents.
    expect(ids.size).toBe(3);
    expect(ids.has(sha(logo))).toBe(false);
    const invoice = await show(home, ids.get(sha(invoicePdf)) as number);
    expect(invoice).toMatchObject({ type: 'invoice', parentId: file?.documentId, parents: [{ id: file?.documentId, name: 'invoice-777.pdf' }] });
    const report = await show(home, ids.get(sha(reportDocx)) as number);
    expect(report.parentId).toBe(file?.documentId);
    expect(file?.warnings?.map((warning) => warning.code)).toEqual(['W_ATTACHMENT_UNSUPPORTED']);
  });

  it('lists the children of the message, in their order, in show and show --json', async () => {
    const email = await show(home, first.files[0]?.documentId as number);
    expect(email).toMatchObject({ type: 'email', parentId: null, parents: [] });
    expect(email.children.map((child) => [child.name, child.mime])).toEqual([
      ['invoice-777.pdf', 'application/pdf'],
      ['report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ]);
    const table = await runDoccat(['show', String(email.id)], { home });
    expect(table.stdout).toMatch(/part\s+D\d+ invoice-777\.pdf \(invoice, application\/pdf\)/);
    const child = await runDoccat(['show', String(email.children[0]?.id)], { home });
    expect(child.stdout).toMatch(new RegExp(`part of\\s+D${email.id} Your invoice for April \\(as invoice-777\\.pdf\\)`));
  });

  it('makes attachments searchable by their own words', async () => {
    const search = await runDoccat(['search', 'zanzibar', '--json'], { home });
    const { results } = JSON.parse(search.stdout) as { results: { id: number }[] };
    expect(results.map((hit) => hit.id)).toEqual([documentIdBySha(home).get(sha(reportDocx))]);
    expect(JSON.parse((await runDoccat(['search', 'INV-2024-0777', '--type', 'invoice', '--json'], { home })).stdout).total).toBe(1);
  });

  it('links an attachment seen again instead of storing it twice, and re-ingesting adds nothing', async () => {
    const again = tempDir('doccat-mail-again-');
    fs.writeFileSync(path.join(again, 'reminder.eml'), makeEmail({ subject: 'Reminder: invoice', body: 'A friendly reminder.', attachments: [{ name: 'copy.pdf', mime: 'application/pdf', bytes: invoicePdf }, { name: 'copy-again.pdf', mime: 'application/pdf', bytes: invoicePdf }] }));
    fs.writeFileSync(path.join(again, 'invoice-standalone.pdf'), invoicePdf);
    const second = ingestJson(await runDoccat(['ingest', again, '--json', '-j', '1'], { home }));
    const reminder = second.files.find((file) => file.path.endsWith('reminder.eml'));
    expect(reminder?.status).toBe('catalogued');
    expect(reminder?.parts?.map((part) => part.status)).toEqual(['linked', 'linked']);
    expect(second.files.find((file) => file.path.endsWith('invoice-standalone.pdf'))?.status).toBe('duplicate');
    expect(second.summary.parts).toBe(0);
    const invoiceId = documentIdBySha(home).get(sha(invoicePdf)) as number;
    const invoice = await show(home, invoiceId);
    expect(invoice.parents.map((parent) => parent.name)).toEqual(['invoice-777.pdf', 'copy.pdf', 'copy-again.pdf']);
    expect(count(home, `SELECT count(*) AS n FROM documents WHERE sha256 = '${sha(invoicePdf)}'`)).toBe(1);

    const third = ingestJson(await runDoccat(['ingest', inbox, again, '--json'], { home }));
    expect(third.summary).toMatchObject({ catalogued: 0, parts: 0, unchanged: 3 });
    expect(count(home, 'SELECT count(*) AS n FROM document_parts')).toBe(4);
    expectConsistentCatalogue(home);
    // Nothing left in the staging area: staged copies and part folders are gone.
    expect(fs.readdirSync(path.join(home, '.staging'))).toEqual([]);
  });

  it('keeps large inline images (a photo pasted into a message) and follows attached messages', async () => {
    const folder = tempDir('doccat-mail-nested-');
    const forwarded = makeEmail({ subject: 'Contract draft', from: 'Legal <legal@example.org>', body: 'The draft is attached.', attachments: [{ name: 'draft.pdf', mime: 'application/pdf', bytes: makeTextPdf([['Service agreement', 'between the parties named below']]) }] });
    fs.writeFileSync(path.join(folder, 'fwd.eml'), makeEmail({ subject: 'Fwd: Contract draft', body: 'See below.', attachments: [{ name: 'photo.png', mime: 'image/png', bytes: photo, inline: true }, { name: 'Contract draft.eml', mime: 'message/rfc822', bytes: forwarded }] }));
    const result = ingestJson(await runDoccat(['ingest', folder, '--json'], { home }));
    const file = result.files[0];
    expect(file?.parts?.map((part) => part.name)).toEqual(['photo.png', 'Contract draft.eml']);
    expect(result.summary.parts).toBe(3);
    const attached = await show(home, file?.parts?.[1]?.documentId as number);
    expect(attached).toMatchObject({ type: 'email', title: 'Contract draft', parentId: file?.documentId });
    expect(attached.children.map((child) => child.name)).toEqual(['draft.pdf']);
  });
});

describe('limits on attachments and mbox messages', () => {
  it('fails a message with more attachments, or more attachment bytes, than allowed, with a clear code', async () => {
    const home = tempDir();
    const folder = tempDir('doccat-mail-limits-');
    const text = (index: number) => ({ name: `note-${index}.txt`, mime: 'text/plain', bytes: Buffer.from(`note number ${index} about the budget\n`) });
    fs.writeFileSync(path.join(folder, 'many.eml'), makeEmail({ subject: 'Many notes', body: 'Notes attached.', attachments: [1, 2, 3].map(text) }));
    fs.writeFileSync(path.join(folder, 'big.eml'), makeEmail({ subject: 'Big', body: 'A big one.', attachments: [{ name: 'big.pdf', mime: 'application/pdf', bytes: Buffer.concat([invoicePdf, Buffer.alloc(1024 * 1024, 32)]) }] }));
    fs.writeFileSync(path.join(folder, 'fine.eml'), makeEmail({ subject: 'Fine', body: 'Two notes.', attachments: [1, 2].map(text) }));
    const env = { DOCCAT_EMAIL_MAX_ATTACHMENTS: '2', DOCCAT_EMAIL_MAX_ATTACHMENTS_MB: '0.5' };
    const run = await runDoccat(['ingest', folder, '--json'], { home, env });
    expect(run.code).toBe(3);
    const report = ingestJson(run);
    const byName = (name: string) => report.files.find((file) => file.path.endsWith(name));
    expect(byName('many.eml')?.error).toMatchObject({ code: 'E_EMAIL_TOO_MANY_ATTACHMENTS', hint: expect.stringMatching(/email\.maxAttachments/) });
    expect(byName('big.eml')?.error).toMatchObject({ code: 'E_EMAIL_ATTACHMENTS_TOO_LARGE', hint: expect.stringMatching(/email\.maxAttachmentsMb/) });
    expect(byName('fine.eml')?.status).toBe('catalogued');
    // Failed messages left nothing behind: no attachment of theirs is a document.
    expect(count(home, 'SELECT count(*) AS n FROM documents')).toBe(3);
    // With the limit raised, the next run catalogues them.
    const raised = ingestJson(await runDoccat(['ingest', folder, '--json'], { home }));
    expect(raised.summary).toMatchObject({ catalogued: 2, failed: 0, parts: 2 });
  });

  it('fails an mbox holding more messages than allowed before cataloguing any of them', async () => {
    const home = tempDir();
    const folder = tempDir('doccat-mbox-limits-');
    fs.writeFileSync(path.join(folder, 'archive.mbox'), makeMbox([1, 2, 3].map((index) => makeEmail({ subject: `Message ${index}`, body: `Body ${index}` }))));
    const run = await runDoccat(['ingest', folder, '--json'], { home, env: { DOCCAT_EMAIL_MAX_MBOX_MESSAGES: '2' } });
    expect(run.code).toBe(3);
    expect(ingestJson(run).files[0]?.error).toMatchObject({ code: 'E_MBOX_TOO_MANY_MESSAGES', hint: expect.stringMatching(/email\.maxMboxMessages/) });
    expect(count(home, 'SELECT count(*) AS n FROM documents')).toBe(0);
  });
});

describe('mbox files', () => {
  it('catalogues each message (with its attachments) as a document linked to the mbox, byte for byte', async () => {
    const home = tempDir();
    const folder = tempDir('doccat-mbox-');
    const messages = [
      makeEmail({ subject: 'First', body: 'From the start: this line begins with From and must survive.\r\n>From quoted already', attachments: [{ name: 'invoice.pdf', mime: 'application/pdf', bytes: invoicePdf }] }),
      makeEmail({ subject: 'Second', from: 'Bob <bob@example.org>', body: 'No attachment here.' }),
      makeEmail({ subject: 'Third', body: 'The report.', attachments: [{ name: 'report.docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: reportDocx }] }),
    ];
    fs.writeFileSync(path.join(folder, 'archive.mbox'), makeMbox(messages));
    const run = await runDoccat(['ingest', folder, '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    const report = ingestJson(run);
    const mbox = report.files[0];
    expect(mbox).toMatchObject({ status: 'catalogued', mime: 'application/mbox' });
    expect(report.summary.parts).toBe(5);
    const ids = documentIdBySha(home);
    // Each message is stored as it was before it went into the mbox (envelope and quoting undone).
    for (const message of messages) expect(ids.has(sha(message)), message.toString().slice(0, 200)).toBe(true);
    const shown = await show(home, mbox?.documentId as number);
    expect(shown.children.map((child) => child.id)).toEqual(messages.map((message) => ids.get(sha(message))));
    expect((await show(home, ids.get(sha(messages[0] as Buffer)) as number)).children.map((child) => child.name)).toEqual(['invoice.pdf']);
    const listing = await runDoccat(['show', String(mbox?.documentId), '--text'], { home });
    expect(listing.stdout).toMatch(/Mailbox with 3 messages/);
    expect(listing.stdout).toMatch(/#2 .*Bob <bob@example\.org>.*Second/);
    const again = ingestJson(await runDoccat(['ingest', folder, '--json'], { home }));
    expect(again.summary).toMatchObject({ unchanged: 1, catalogued: 0, parts: 0 });
  });
});

describe('families on Postgres', () => {
  it('commits a message with its attachments in one transaction and shows them the same way', async () => {
    const home = tempDir();
    const folder = tempDir('doccat-mail-pg-');
    const env = { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) };
    fs.writeFileSync(path.join(folder, 'april.eml'), makeEmail({ subject: 'Your invoice for April', body: 'Attached.', attachments: [{ name: 'invoice-777.pdf', mime: 'application/pdf', bytes: invoicePdf }, { name: 'copy.pdf', mime: 'application/pdf', bytes: invoicePdf }] }));
    fs.writeFileSync(path.join(folder, 'archive.mbox'), makeMbox([makeEmail({ subject: 'Report', body: 'The report.', attachments: [{ name: 'report.docx', mime: 'application/octet-stream', bytes: reportDocx }] })]));
    const run = await runDoccat(['ingest', folder, '--json', '-j', '1'], { home, env });
    expect(run.code, run.stderr).toBe(0);
    const report = ingestJson(run);
    expect(report.summary).toMatchObject({ catalogued: 2, parts: 3 });
    const email = report.files.find((file) => file.path.endsWith('april.eml'));
    const shown = JSON.parse((await runDoccat(['show', String(email?.documentId), '--json'], { home, env })).stdout) as { document: ShownDocument };
    expect(shown.document.children.map((child) => [child.name, child.type])).toEqual([
      ['invoice-777.pdf', 'invoice'],
      ['copy.pdf', 'invoice'],
    ]);
    const invoice = JSON.parse((await runDoccat(['show', String(shown.document.children[0]?.id), '--json'], { home, env })).stdout) as { document: ShownDocument };
    expect(invoice.document.parentId).toBe(email?.documentId);
    expect(JSON.parse((await runDoccat(['search', 'zanzibar', '--json'], { home, env })).stdout).total).toBe(1);
    const again = ingestJson(await runDoccat(['ingest', folder, '--json'], { home, env }));
    expect(again.summary).toMatchObject({ unchanged: 2, parts: 0 });
  });
});
