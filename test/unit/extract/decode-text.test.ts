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
  it.each([
    ['windows-1251', 'd3e2e0e6e0e5ecfbe920eaebe8e5edf22c20ede0eff0e0e2ebffe5ec20e2e0ec20f1f7b8f220e7e020f3f1ebf3e3e820f1e2ffe7e820e7e020ece0f0f22e20ceefebe0f2e8f2fc20ede5eee1f5eee4e8ecee20e220f2e5f7e5ede8e520f2f0e8e4f6e0f2e820e4ede5e92e', 'Уважаемый клиент, направляем вам счёт за услуги связи за март. Оплатить необходимо в течение тридцати дней.'],
    ['KOI8-R', 'f5d7c1d6c1c5cdd9ca20cbccc9c5ced42c20cec1d0d2c1d7ccd1c5cd20d7c1cd20d3dea3d420dac120d5d3ccd5c7c920d3d7d1dac920dac120cdc1d2d42e20efd0ccc1d4c9d4d820cec5cfc2c8cfc4c9cdcf20d720d4c5dec5cec9c520d4d2c9c4c3c1d4c920c4cec5ca2e', 'Уважаемый клиент, направляем вам счёт за услуги связи за март. Оплатить необходимо в течение тридцати дней.'],
    ['Shift_JIS', '8e4f8c8e95aa82cc82b290bf8b818f9182f082a8919782e882b582dc82b7814282a88e7895a582a282cd8e4f8f5c93fa88c893e082c982a88ae882a282a282bd82b582dc82b78142', '三月分のご請求書をお送りします。お支払いは三十日以内にお願いいたします。'],
    ['ISO-8859-2', '537a616e6f776e69205061f17374776f2c2077207a61b3b1637a656e69752070727a657379b3616d792066616b747572ea207a61207573b3756769207a61206d61727a65632e2050b361746e6fb6e62077206369b167752074727a79647a696573747520646e692e205a20706f7761bf616e69656d2c206b7369ea676f776fb6e62e', 'Szanowni Państwo, w załączeniu przesyłamy fakturę za usługi za marzec. Płatność w ciągu trzydziestu dni. Z poważaniem, księgowość.'],
  ])('detects legacy %s text when strict UTF-8 fails', (_encoding, hex, text) => {
    expect(decodeText(Buffer.from(hex, 'hex'))).toBe(text);
  });
  it('keeps windows-1252 for Western text, with its quotes and dashes', () => {
    const bytes = Buffer.from('Sehr geehrte Damen und Herren, anbei die Rechnung f\xfcr M\xe4rz \x96 mit freundlichen Gr\xfc\xdfen, \x93M\xfcller & S\xf6hne\x94.', 'latin1');
    expect(decodeText(bytes)).toBe('Sehr geehrte Damen und Herren, anbei die Rechnung für März – mit freundlichen Grüßen, “Müller & Söhne”.');
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
