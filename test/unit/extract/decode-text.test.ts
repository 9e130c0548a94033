import { describe, expect, it } from 'vitest';
import { decodeText, looksLikeText } from '../../../src/extract/decode-text.js';

describe('decoding text of unknown encoding', () => {
  const sample = 'Grüße, Straße – “quotes” €';
  it('reads UTF-8, with or without a BOM', () => {
    expect(decodeText(Buffer.from(sample, 'utf8'))).toBe(sample);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample, 'utf8')]))).toBe(sample);
  });
  it('reads UTF-16 LE/BE and UTF-32 with BOMs', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]))).toBe(sample);
    const be = Buffer.from(sample, 'utf16le').swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(sample);
    const utf32 = Buffer.alloc(4 + [...sample].length * 4);
    utf32.writeUInt32LE(0xfeff, 0);
    [...sample].forEach((char, index) => utf32.writeUInt32LE(char.codePointAt(0) as number, 4 + index * 4));
    expect(decodeText(utf32)).toBe(sample);
  });
  it('falls back to windows-1252 for legacy 8-bit text', () => {
    expect(decodeText(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0x80]))).toBe('Grüße €');
  });
  it('honours a declared charset', () => {
    expect(decodeText(Buffer.from([0xe9]), 'iso-8859-1')).toBe('é');
  });
  it('tells text from binary', () => {
    expect(looksLikeText(Buffer.from('hello\tworld\r\n'))).toBe(true);
    expect(looksLikeText(Buffer.from([0x00, 0x01, 0x02, 0x03]))).toBe(false);
    expect(looksLikeText(Buffer.alloc(100, 7))).toBe(false);
  });
});
