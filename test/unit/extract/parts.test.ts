import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExtractInput, ExtractOptions } from '../../../src/extract/extractor.js';
import { extractEmail } from '../../../src/extract/extractors/email.js';
import { extractMbox } from '../../../src/extract/extractors/mbox.js';
import { sniffFile } from '../../../src/pipeline/sniff.js';
import { tempDir } from '../../support/cli.js';
import { makeEmail, makeMbox, makePng } from '../../support/mail-writer.js';

/** Parts written by the extractors: private files, bounded before anything is written, bytes as they were. */

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const baseOptions: ExtractOptions = { ocrEnabled: false, renderDpi: 300, maxPagePixels: 18e6, minTextCharsPerPage: 16, pdfPasswords: [], maxPages: 5000, maxImagePixels: 1e8, maxUnpackedBytes: 64e6, maxTextBytes: 16e6 };

function input(file: string, mime: string, parts: Partial<NonNullable<ExtractOptions['parts']>> | undefined): ExtractInput {
  const options: ExtractOptions = parts === undefined ? baseOptions : { ...baseOptions, parts: { maxAttachments: 100, maxAttachmentBytes: 256e6, maxMessages: 1000, skipInlineImagesUnderBytes: 64 * 1024, ...parts } };
  return { path: file, mime, size: fs.statSync(file).size, options, ocr: () => { throw new Error('no OCR here'); }, signal: new AbortController().signal };
}

function folder(): string {
  const directory = path.join(tempDir(), 'parts');
  fs.mkdirSync(directory, { mode: 0o700 });
  return directory;
}

describe('e-mail attachments written as parts', () => {
  const pdf = Buffer.from('%PDF-1.4 not really a pdf but bytes all the same');
  const file = path.join(tempDir(), 'message.eml');
  fs.writeFileSync(file, makeEmail({ subject: 'Parts', body: 'See attached.', attachments: [
    { name: 'a.pdf', mime: 'application/pdf', bytes: pdf },
    { name: 'logo.png', mime: 'image/png', bytes: makePng(8, 8), inline: true },
    { name: 'b.txt', mime: 'text/plain', bytes: Buffer.from('second part') },
  ] }));

  it('writes each kept attachment as a 0600 file in the folder given, with its hash, skipping small inline images', async () => {
    const directory = folder();
    const result = await extractEmail(input(file, 'message/rfc822', { directory }));
    expect(result.parts?.map((part) => [part.name, part.declaredMime, part.kind, part.sha256])).toEqual([
      ['a.pdf', 'application/pdf', 'attachment', sha(pdf)],
      ['b.txt', 'text/plain', 'attachment', sha(Buffer.from('second part'))],
    ]);
    for (const part of result.parts ?? []) {
      expect(path.dirname(part.path)).toBe(directory);
      expect(fs.statSync(part.path).mode & 0o777).toBe(0o600);
      expect(sha(fs.readFileSync(part.path))).toBe(part.sha256);
    }
  });

  it('writes nothing without a folder (a dry run), and nothing at all when a limit is passed', async () => {
    expect((await extractEmail(input(file, 'message/rfc822', undefined))).parts).toBeUndefined();
    const directory = folder();
    await expect(extractEmail(input(file, 'message/rfc822', { directory, maxAttachments: 1 }))).rejects.toMatchObject({ code: 'E_EMAIL_TOO_MANY_ATTACHMENTS' });
    await expect(extractEmail(input(file, 'message/rfc822', { directory, maxAttachmentBytes: 20 }))).rejects.toMatchObject({ code: 'E_EMAIL_ATTACHMENTS_TOO_LARGE' });
    expect(fs.readdirSync(directory)).toEqual([]);
  });
});

describe('mbox files split into messages', () => {
  it('gives back each message as it was: envelope lines dropped, >From unquoted, CRLF and long lines kept', async () => {
    const long = 'x'.repeat(200_000);
    const messages = [
      makeEmail({ subject: 'One', body: 'From here on\r\n>From already quoted\r\n>>From twice' }),
      makeEmail({ subject: 'Two', body: `A very long line: ${long}` }),
      Buffer.from('From: c@example.org\nSubject: =?utf-8?B?w5xiZXIgZHJlaQ==?=\n\nplain LF message\n\n\nwith blank lines\n'),
    ];
    const file = path.join(tempDir(), 'box.mbox');
    fs.writeFileSync(file, makeMbox(messages));
    expect((await sniffFile(file)).mime).toBe('application/mbox');
    const directory = folder();
    const result = await extractMbox(input(file, 'application/mbox', { directory }));
    expect(result.parts?.map((part) => part.sha256)).toEqual(messages.map(sha));
    expect(result.parts?.map((part) => part.name)).toEqual(['message-1.eml', 'message-2.eml', 'message-3.eml']);
    for (const part of result.parts ?? []) expect(fs.statSync(part.path).mode & 0o777).toBe(0o600);
    expect(result.text).toMatch(/Mailbox with 3 messages/);
    expect(result.text).toMatch(/#3\s+c@example\.org\s+Über drei/);
  });

  it('stops at the message limit, and refuses a file that is not an mbox', async () => {
    const file = path.join(tempDir(), 'box.mbox');
    fs.writeFileSync(file, makeMbox([1, 2, 3].map((index) => makeEmail({ subject: `M${index}`, body: 'body' }))));
    await expect(extractMbox(input(file, 'application/mbox', { directory: folder(), maxMessages: 2 }))).rejects.toMatchObject({ code: 'E_MBOX_TOO_MANY_MESSAGES' });
    const other = path.join(tempDir(), 'not.mbox');
    fs.writeFileSync(other, 'Subject: hello\n\nno envelope\n');
    await expect(extractMbox(input(other, 'application/mbox', { directory: folder() }))).rejects.toMatchObject({ code: 'E_EMAIL_MALFORMED' });
  });

  it('tells a single message saved with an envelope line from a mailbox by its name', async () => {
    const single = makeMbox([makeEmail({ subject: 'Alone', body: 'just one' })]);
    const asMbox = path.join(tempDir(), 'one.mbox');
    const asEml = path.join(tempDir(), 'one.eml');
    fs.writeFileSync(asMbox, single);
    fs.writeFileSync(asEml, single);
    expect((await sniffFile(asMbox)).mime).toBe('application/mbox');
    expect((await sniffFile(asEml)).mime).not.toBe('application/mbox');
  });
});
