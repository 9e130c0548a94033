import { describe, expect, it } from 'vitest';
import { findInvoiceFields, findValidIban, findVatId, layoutInvoiceNumber } from '../../../src/classify/invoice-fields.js';
import { findAmounts } from '../../../src/classify/money.js';
import { parseAmount } from '../../../src/text/amount.js';

describe('amounts of money', () => {
  it.each([
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ['1 234,56', 1234.56],
    ["1'234.50", 1234.5],
    ['4.904,94', 4904.94],
    ['34,73', 34.73],
    ['1939', 1939],
    ['1.234', 1234],
    ['0,125', 0.13],
    ['-9,32', -9.32],
  ])('reads %s as %d', (written, amount) => {
    expect(parseAmount(written)).toBe(amount);
  });

  it.each([
    ['€ 4.904,94', 4904.94, 'EUR'],
    ['EUR 34,73', 34.73, 'EUR'],
    ['Rs 1939', 1939, 'INR'],
    ['$4.11', 4.11, 'USD'],
    ['US$ 12.00', 12, 'USD'],
    ['£1,234.56', 1234.56, 'GBP'],
    ['1 234,56 CHF', 1234.56, 'CHF'],
    ['56,02 €', 56.02, 'EUR'],
    ['316,83 PLN', 316.83, 'PLN'],
    ['Rs. 1,18,000.00', 118000, 'INR'],
    ['₹ 2,50,000', 250000, 'INR'],
    ['12,34,56,789.50 INR', 123456789.5, 'INR'],
    ['USD 1,234,567.89', 1234567.89, 'USD'],
  ])('reads %s with its ISO 4217 currency', (written, amount, currency) => {
    expect(findAmounts(written)[0]).toMatchObject({ amount, currency });
  });

  it('takes no currency from three capitals that are not one', () => {
    expect(findAmounts('1 PCS 49,99')[1]).toMatchObject({ amount: 49.99, currency: null });
  });
});

describe('invoice fields by label', () => {
  const english = [
    'ACME Supplies Ltd',
    'Invoice #: INV-2024-0117',
    'Invoice date: March 4, 2024',
    'Payment due: April 3, 2024',
    'Subtotal: $1,200.00',
    'Sales tax (8%): $96.00',
    'Balance due: $1,296.00',
    'VAT Reg. No: GB 123 4567 89',
  ].join('\n');

  const german = [
    'Muster GmbH · Hauptstr. 1 · 10115 Berlin',
    'Rechnungsnummer: RE-2024/0815',
    'Rechnungsdatum: 12.03.2024',
    'Zwischensumme 1.000,00 €',
    'MwSt. 19 % 190,00 €',
    'Gesamtbetrag 1.190,00 €',
    'Fällig am 26.03.2024',
    'IBAN DE89 3704 0044 0532 0130 00',
    'USt-IdNr.: DE 123 456 789',
  ].join('\n');

  it('reads an English invoice', () => {
    expect(findInvoiceFields(english, true)).toEqual({
      total: { amount: 1296, currency: 'USD' },
      subtotal: { amount: 1200, currency: 'USD' },
      tax: { amount: 96, currency: 'USD' },
      invoiceNumber: 'INV-2024-0117',
      dueDate: '2024-04-03',
      vatId: 'GB123456789',
    });
  });

  it('reads a German invoice', () => {
    expect(findInvoiceFields(german, false)).toEqual({
      total: { amount: 1190, currency: 'EUR' },
      subtotal: { amount: 1000, currency: 'EUR' },
      tax: { amount: 190, currency: 'EUR' },
      invoiceNumber: 'RE-2024/0815',
      dueDate: '2024-03-26',
      iban: 'DE89370400440532013000',
      vatId: 'DE123456789',
    });
  });

  it('takes the currency the document names elsewhere when the total carries none', () => {
    expect(findInvoiceFields('Price is inclusive of a discount of Rs -40.00\nGrand Total 319.00', true).total).toEqual({ amount: 319, currency: 'INR' });
  });

  it('reads labels that follow their values, as PDF text layers often put them', () => {
    const fields = findInvoiceFields('993548900 Factuurnummer:\n19 april 2014 Factuurdatum:\n29.99 € TTC Somme à payer', false);
    expect(fields).toMatchObject({ invoiceNumber: '993548900', total: { amount: 29.99, currency: 'EUR' } });
  });

  it('pairs a column of values with the column of labels after it', () => {
    const fields = findInvoiceFields('INVOICE\n# 17\nJan 31, 2022\n$127.50\nDue Date:\nBalance Due:', true);
    expect(fields).toMatchObject({ invoiceNumber: '17', dueDate: '2022-01-31', total: { amount: 127.5, currency: 'USD' } });
  });

  it('does not take a subtotal or a net total for the total', () => {
    expect(findInvoiceFields('Total HT : 46,68 €\nTVA 20% : 9,34 €\nTotal TTC : 56,02 €', false)).toMatchObject({
      total: { amount: 56.02, currency: 'EUR' },
      subtotal: { amount: 46.68, currency: 'EUR' },
      tax: { amount: 9.34, currency: 'EUR' },
    });
  });
});

describe('the invoice number in a text laid out by position', () => {
  // Invented layouts (as extract/layout-text.ts renders a page), each with the linear text a PDF's
  // content stream might give for it, where the labels come apart from their values.
  it('takes the value beside a label when the linear text lists labels and values apart', () => {
    const linear = 'Rechnungs-Nr.\nKunden-Nr.\nRE-2025-0917\n40411\nDatum: 03.02.2025\nGesamtbetrag 119,00 EUR';
    const layout = ['Musterfirma GmbH', '', 'Rechnungs-Nr.      RE-2025-0917          Kunden-Nr.    40411', 'Datum: 03.02.2025', '', 'Gesamtbetrag 119,00 EUR'].join('\n');
    expect(findInvoiceFields(linear, false).invoiceNumber).toBeUndefined();
    expect(findInvoiceFields(linear, false, layout)).toMatchObject({ invoiceNumber: 'RE-2025-0917', total: { amount: 119, currency: 'EUR' } });
  });

  it('takes the value under a column headed by the invoice word, right-aligned or centred', () => {
    const layout = ['Customer      Order          Invoice date       Invoice        Due date', 'C-2231        PO-5570          2025-01-31   INV77812          2025-03-02'].join('\n');
    expect(layoutInvoiceNumber(layout)).toBe('INV77812');
    const centred = ['Kunde        Rechnung       Datum', 'K-9            R-5521/25'].join('\n');
    expect(layoutInvoiceNumber(centred)).toBe('R-5521/25');
  });

  it('takes the value under a number label when nothing is beside it', () => {
    expect(layoutInvoiceNumber(['  Invoice No.:          Date:', '  2025-118               12 May 2025'].join('\n'))).toBe('2025-118');
  });

  it('does not take a date, a second heading or a value across an empty line', () => {
    // "Invoice" as a title on a line of its own heads no column.
    expect(layoutInvoiceNumber(['INVOICE', '12/03/2025'].join('\n'))).toBeUndefined();
    expect(layoutInvoiceNumber(['Invoice        Date', '               12.03.2025'].join('\n'))).toBeUndefined();
    expect(layoutInvoiceNumber(['Invoice        Date', '12.03.2025     12.03.2025'].join('\n'))).toBeUndefined();
    expect(layoutInvoiceNumber(['Invoice number:      Customer:', '', '55120                C-1'].join('\n'))).toBeUndefined();
    // A heading that names the invoice's date, not the invoice.
    expect(layoutInvoiceNumber(['Order       Invoice date', 'A-1         20250312'].join('\n'))).toBeUndefined();
  });

  it('reads a plain text laid out with spaces the same way, without a separate layout', () => {
    const text = ['Supplier Ltd', '', 'Customer          Invoice', 'ACME-3              77120', '', 'Amount due: £120.00'].join('\n');
    expect(findInvoiceFields(text, false)).toMatchObject({ invoiceNumber: '77120', total: { amount: 120, currency: 'GBP' } });
  });
});

describe('IBAN and VAT id', () => {
  it('accepts an IBAN only when its checksum holds', () => {
    expect(findValidIban('IBAN DE89 3704 0044 0532 0130 00')).toBe('DE89370400440532013000');
    expect(findValidIban('IBAN DE88 3704 0044 0532 0130 00')).toBeUndefined();
    expect(findValidIban('Bank Account: US1234567890')).toBeUndefined();
    expect(findValidIban('NL810433941B01 BTW')).toBeUndefined();
  });

  it('finds an IBAN followed by more words', () => {
    expect(findValidIban('IBAN : FR76 3000 6000 0112 3456 7890 189 - BIC : AGRIFRPP')).toBe('FR7630006000011234567890189');
  });

  it('reads VAT ids by label and by shape', () => {
    expect(findVatId('UStId DE 232 446 240')).toBe('DE232446240');
    expect(findVatId('NL810433941B01 BTW')).toBe('NL810433941B01');
    expect(findVatId('N° de TVA intra communautaire: FR 60 421938861')).toBe('FR60421938861');
    expect(findVatId('Order number AB12345678X')).toBeUndefined();
  });
});
