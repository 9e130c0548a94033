import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, parseIngestJson, runDoccat, tempDir } from '../support/cli.js';

/**
 * invoice2data's test invoices that have text (a text layer or plain text; the PNGs are scans of
 * the same PDFs), catalogued through the binary with the local rules and no vendor templates, and
 * compared with the fields invoice2data's own templates expect (the JSON beside each file).
 */
const FOLDER = path.join(CORPUS, 'invoice2data');
const available = fs.existsSync(FOLDER);
if (!available) console.warn(`skipping the invoice2data table: no corpus at ${FOLDER}`);

interface Expected {
  amount?: number;
  currency?: string;
  date?: string;
  invoice_number?: string;
  date_due?: string;
}

interface Shown {
  document: { date: string | null; type: string; fields: Record<string, string | { amount: number; currency: string | null }> };
}

/** References compare without spaces, a leading '#' and case: "# BLR_1" is "#BLR_1". */
const reference = (value: string | undefined) => (value ?? '').replace(/^#/, '').replace(/\s+/g, '').toLowerCase();

describe.skipIf(!available)('invoice fields on invoice2data\'s test invoices', () => {
  const home = tempDir();
  const rows: { file: string; number: [boolean, string]; date: [boolean, string]; total: [boolean, string]; due: string }[] = [];

  beforeAll(async () => {
    const files = fs.readdirSync(FOLDER).filter((name) => /\.(pdf|txt)$/.test(name) && fs.existsSync(path.join(FOLDER, name.replace(/\.\w+$/, '.json'))));
    const ingest = parseIngestJson(await runDoccat(['ingest', FOLDER, '--no-ocr', '--include', '*.pdf', '--include', '*.txt', '--json'], { home }));
    for (const file of files.sort()) {
      const expected = (JSON.parse(fs.readFileSync(path.join(FOLDER, file.replace(/\.\w+$/, '.json')), 'utf8')) as Expected[])[0] as Expected;
      const id = ingest.files.find((entry) => entry.path === path.join(FOLDER, file))?.documentId;
      const shown = JSON.parse((await runDoccat(['show', String(id), '--json'], { home })).stdout) as Shown;
      const fields = shown.document.fields;
      const total = typeof fields.total === 'object' ? fields.total : undefined;
      const number = typeof fields.invoiceNumber === 'string' ? fields.invoiceNumber : undefined;
      // An expected file without an amount (a line-items test) is judged by its currency alone.
      const totalRight = total !== undefined && total.currency === expected.currency && (expected.amount === undefined || Math.abs(total.amount - expected.amount) < 0.005);
      rows.push({
        file,
        number: [reference(number) === reference(expected.invoice_number), `${number ?? '—'} (${expected.invoice_number})`],
        date: [shown.document.date === expected.date, `${shown.document.date ?? '—'} (${expected.date})`],
        total: [totalRight, `${total ? `${total.amount} ${total.currency}` : '—'} (${expected.amount ?? '?'} ${expected.currency})`],
        due: expected.date_due ? `${typeof fields.dueDate === 'string' ? fields.dueDate : '—'} (${expected.date_due})` : '',
      });
    }
    const mark = ([right, text]: [boolean, string]) => `${right ? '✓' : '✗'} ${text}`;
    const table = rows.map((row) => [row.file.padEnd(28), mark(row.number).padEnd(44), mark(row.date).padEnd(28), mark(row.total).padEnd(34), row.due].join(' '));
    const count = (key: 'number' | 'date' | 'total') => rows.filter((row) => row[key][0]).length;
    console.log(
      [
        'invoice2data test invoices: got (expected)',
        `${'file'.padEnd(28)} ${'invoice number'.padEnd(44)} ${'date'.padEnd(28)} ${'total'.padEnd(34)} due date`,
        ...table,
        `invoice number ${count('number')}/${rows.length}, date ${count('date')}/${rows.length}, total with currency ${count('total')}/${rows.length}`,
      ].join('\n'),
    );
  }, 300_000);

  it('reads the 12 invoices with text', () => {
    expect(rows).toHaveLength(12);
  });

  it('finds the invoice date of at least 11', () => {
    expect(rows.filter((row) => row.date[0]).length).toBeGreaterThanOrEqual(11);
  });

  it('finds the total as a number with its ISO currency on at least 11', () => {
    expect(rows.filter((row) => row.total[0]).length).toBeGreaterThanOrEqual(11);
  });

  it('finds the invoice number on at least 10 (Orlen.txt expects "F", the first letter of its number: see the table)', () => {
    expect(rows.filter((row) => row.number[0]).length).toBeGreaterThanOrEqual(10);
  });
});
