import { describe, expect, it } from 'vitest';
import { extractJson, nearest } from '../../../src/classify/parse-answer.js';
import { cutToBudget, redact } from '../../../src/classify/prepare-text.js';

describe('what is sent to providers', () => {
  it('masks e-mail addresses, phone numbers, IBANs and valid card numbers', () => {
    const { text, masked } = redact('Mail max.muster@firma.de or call +49 (0)30 123 4567 / 030-1234567.\nIBAN GB33BUKB20201555555555\nCard 4111-1111-1111-1111', []);
    expect(text).toBe('Mail [EMAIL] or call [PHONE] / [PHONE].\nIBAN [IBAN]\nCard [CARD]');
    expect(masked).toBe(5);
  });

  it('leaves dates, amounts, short numbers and non-card digit runs alone', () => {
    // 1234 5678 9012 3456 fails the card checksum, and at 16 digits it is no phone number either.
    const text = 'Date 2024-03-15 and 15.03.2024, total 1,234.56 EUR, invoice 2024-17, order 1234 5678 9012 3456';
    expect(redact(text, [])).toEqual({ text, masked: 0 });
  });

  it('applies configured patterns', () => {
    expect(redact('Customer K-1234, policy P/99-1', ['K-\\d+', 'P/\\d+-\\d+']).text).toBe('Customer [REDACTED], policy [REDACTED]');
  });

  it('keeps short text whole and long text by its first and last pages', () => {
    expect(cutToBudget('short', 100)).toEqual({ text: 'short', truncated: false });
    const pages = ['first page', ...Array.from({ length: 50 }, (_, index) => `middle ${index} ${'x'.repeat(100)}`), 'last page'].join('\n\f\n');
    const { text, truncated } = cutToBudget(pages, 200);
    expect(truncated).toBe(true);
    expect(text.startsWith('first page')).toBe(true);
    expect(text.endsWith('last page')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(700);
    const oneLongPage = cutToBudget('a'.repeat(5000) + 'END', 200);
    expect(oneLongPage.text.endsWith('END')).toBe(true);
    expect(oneLongPage.text.length).toBeLessThanOrEqual(700);
  });
});

describe('reading answers', () => {
  it('finds the JSON object in fences, prose and nested braces', () => {
    expect(extractJson('```json\n{"a": {"b": "}"}}\n```')).toEqual({ a: { b: '}' } });
    expect(extractJson('Sure! {"type": "x"} hope that helps')).toEqual({ type: 'x' });
    expect(extractJson('{broken {"ok": 1}')).toEqual({ ok: 1 });
    expect(extractJson('no json here')).toBeUndefined();
  });

  it('maps near misses to allowed values and refuses far ones', () => {
    const allowed = ['invoice', 'bank-statement', 'tax'];
    expect(nearest('Invoices', allowed)).toBe('invoice');
    expect(nearest('Bank Statement', allowed)).toBe('bank-statement');
    expect(nearest('invoce', allowed)).toBe('invoice');
    expect(nearest('taxi', allowed)).toBeUndefined();
    expect(nearest('recipe', allowed)).toBeUndefined();
  });
});
