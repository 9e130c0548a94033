import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../../src/pipeline/sniff.js';
import { FIXTURES, tempDir } from '../../support/cli.js';

describe('sniffing files by content', () => {
  const dir = tempDir();
  const write = (name: string, content: string | Buffer) => {
    const filePath = path.join(dir, name);
    fs.writeFileSync(filePath, content);
    return filePath;
  };

  it('ignores misleading extensions', async () => {
    expect((await sniffFile(write('really-a-pdf.txt', fs.readFileSync(path.join(FIXTURES, 'invoice-acme.pdf'))))).mime).toBe('application/pdf');
    expect((await sniffFile(write('really-a-docx.doc', fs.readFileSync(path.join(FIXTURES, 'office', 'quarterly-report.docx'))))).mime).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect((await sniffFile(write('scan.pdf', fs.readFileSync(path.join(FIXTURES, 'scans', 'letter.png'))))).mime).toBe('image/png');
  });

  it('recognises e-mail and HTML without extensions', async () => {
    expect((await sniffFile(write('message', fs.readFileSync(path.join(FIXTURES, 'mail', 'meeting.eml'))))).mime).toBe('message/rfc822');
    expect((await sniffFile(write('page', '<!DOCTYPE html><html><body>x</body></html>'))).mime).toBe('text/html');
  });

  it('does not mistake UTF-16 text for audio', async () => {
    expect((await sniffFile(write('u16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('plain words here', 'utf16le')])))).mime).toBe('text/plain');
  });

  it('refines text by extension only for text', async () => {
    expect((await sniffFile(write('t.csv', 'a,b\n1,2\n'))).mime).toBe('text/csv');
    expect((await sniffFile(write('t.md', '# Title\n'))).mime).toBe('text/markdown');
    expect((await sniffFile(write('fake.eml', 'just a note, not a message'))).mime).toBe('text/plain');
  });

  it('calls unknown bytes binary', async () => {
    expect((await sniffFile(write('blob', Buffer.from([0, 1, 2, 3, 254, 255, 0, 9])))).mime).toBe('application/octet-stream');
  });
});
