import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { assemblePdf } from '../support/pdf-writer.mjs';

/**
 * Invented invoices whose PDF draws every label first and every value afterwards, as some
 * generators do: pdf.js then lists the labels apart from their values, and only their positions
 * on the page say which value is whose.
 */
function drawnApart(texts: { text: string; x: number; y: number; size?: number }[]): Buffer {
  const pdfString = (text: string) => text.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');
  const content = texts.map(({ text, x, y, size = 10 }) => `BT /F1 ${size} Tf 1 0 0 1 ${x} ${y} Tm (${pdfString(text)}) Tj ET`).join('\n');
  return assemblePdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    ],
    1,
  );
}

interface Shown {
  document: { type: string; text: string; fields: Record<string, unknown> };
}

describe('invoice numbers read by where they stand on the page', () => {
  it('finds a number beside its label and one under its column heading, through the binary', async () => {
    const folder = tempDir();
    // Labels down the left, values in a column to their right, drawn after all the labels.
    fs.writeFileSync(
      path.join(folder, 'rechnung.pdf'),
      drawnApart([
        { text: 'Rechnung', x: 50, y: 760, size: 16 },
        { text: 'Rechnungs-Nr.', x: 50, y: 700 },
        { text: 'Kunden-Nr.', x: 50, y: 686 },
        { text: 'Rechnungsdatum', x: 50, y: 672 },
        { text: 'RE-2025-0917', x: 160, y: 700 },
        { text: '40411', x: 160, y: 686 },
        { text: '03.02.2025', x: 160, y: 672 },
        { text: 'Beratung Februar 100,00 EUR', x: 50, y: 600 },
        { text: 'Gesamtbetrag 119,00 EUR', x: 50, y: 560 },
      ]),
    );
    // A row of headings and, drawn afterwards, the row of values under them (right-aligned).
    fs.writeFileSync(
      path.join(folder, 'invoice.pdf'),
      drawnApart([
        { text: 'Invoice', x: 50, y: 780, size: 16 },
        { text: 'Customer', x: 50, y: 700 },
        { text: 'Order', x: 170, y: 700 },
        { text: 'Invoice', x: 330, y: 700 },
        { text: 'Due date', x: 450, y: 700 },
        { text: 'C-2231', x: 50, y: 686 },
        { text: 'PO-5570', x: 170, y: 686 },
        { text: 'INV77812', x: 322, y: 686 },
        { text: '2025-03-02', x: 450, y: 686 },
        { text: 'Consulting, February: 400.00 USD', x: 50, y: 600 },
        { text: 'Amount due: 400.00 USD', x: 50, y: 560 },
      ]),
    );
    const home = tempDir();
    const ingest = parseIngestJson(await runDoccat(['ingest', folder, '--no-ocr', '--json'], { home }));
    const shown = async (name: string) => {
      const id = ingest.files.find((file) => file.path === path.join(folder, name))?.documentId;
      return JSON.parse((await runDoccat(['show', String(id), '--json', '--text'], { home })).stdout) as Shown;
    };
    const german = await shown('rechnung.pdf');
    // The stored text keeps the PDF's own order: the labels, then the values.
    expect(german.document.text).toMatch(/Rechnungs-Nr\.\s+Kunden-Nr\.\s+Rechnungsdatum\s+RE-2025-0917/);
    expect(german.document).toMatchObject({ type: 'invoice', fields: { invoiceNumber: 'RE-2025-0917', total: { amount: 119, currency: 'EUR' } } });
    const english = await shown('invoice.pdf');
    expect(english.document).toMatchObject({ type: 'invoice', fields: { invoiceNumber: 'INV77812', total: { amount: 400, currency: 'USD' } } });
  }, 120_000);
});
