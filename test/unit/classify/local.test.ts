import { describe, expect, it } from 'vitest';
import { LocalClassifier } from '../../../src/classify/providers/local.js';
import { configSchema } from '../../../src/config/schema.js';
import { documentDate, findCorrespondent } from '../../../src/classify/facts.js';
import { findInvoiceFields } from '../../../src/classify/invoice-fields.js';
import { detectLanguage } from '../../../src/classify/language.js';

const defaults = configSchema.parse({}).classify;
const classifier = new LocalClassifier(defaults);
const classify = (text: string, mime = 'text/plain', metadata = {}) => classifier.classify({ text, mime, fileName: 'doc.txt', metadata });

describe('local classifier', () => {
  it.each([
    ['invoice', 'Rechnung\nRechnungsnummer: 2024-17\nRechnungsdatum: 03.04.2024\nGesamtbetrag: 119,00 EUR\nUSt 19%'],
    ['receipt', 'PAYMENT RECEIPT\nAmount paid: 12.00\nThank you for your purchase\nTransaction ID 8812'],
    ['letter', 'Dear Mr Brown,\nthank you for your note.\nKind regards,\nAlice'],
    ['bank-statement', 'Account statement\nStatement period 01.01.2024 - 31.01.2024\nOpening balance 1.000,00\nClosing balance 900,00'],
    ['payslip', 'Payslip March 2024\nGross pay 3,000.00\nDeductions 600.00\nNet pay 2,400.00\nPay period 03/2024'],
    ['contract', 'RENTAL AGREEMENT\nThe parties agree to the following terms and conditions.\nEffective date: 1 May 2024\nIn witness whereof'],
    ['paper', 'Abstract\nWe propose a method. 1 Introduction\nRelated work [3] shows ... References\n[1] A. Author et al. arXiv'],
    ['other', 'Buy milk and eggs'],
  ])('recognises a %s', async (type, text) => {
    expect((await classify(text)).type).toBe(type);
  });

  it('decides e-mail, spreadsheet and presentation by format', async () => {
    expect((await classify('Invoice attached, total due 10 EUR', 'message/rfc822')).type).toBe('email');
    expect((await classify('a,b\n1,2', 'text/csv')).type).toBe('spreadsheet');
  });

  it('says which rule decided and how sure it is', async () => {
    const result = await classify('INVOICE\nInvoice number: 42\nTotal due: 5.00 USD');
    expect(result.rule).toMatch(/^invoice: .*"invoice number"/);
    expect(result.classifier).toBe('local');
    expect(result.confidence).toBeGreaterThan(0.5);
    const unsure = await classify('Buy milk');
    expect(unsure.rule).toMatch(/no type scored/);
    expect(unsure.confidence).toBeLessThan(0.5);
  });

  it('takes user types, extra keywords for built-in types, and tag rules from config', async () => {
    const custom = new LocalClassifier(
      configSchema.parse({
        classify: {
          types: [
            { name: 'school', keywords: ['report card', 'parents evening'], tags: ['kids'] },
            { name: 'invoice', keywords: ['proforma'] },
          ],
          tags: [{ tag: 'car', keywords: ['vehicle'] }],
        },
      }).classify,
    );
    const school = await custom.classify({ text: 'Report card for Emma\nParents evening on Monday', mime: 'text/plain', fileName: 'x', metadata: {} });
    expect(school).toMatchObject({ type: 'school', tags: ['kids'] });
    const proforma = await custom.classify({ text: 'PROFORMA\nfor your vehicle service', mime: 'text/plain', fileName: 'x', metadata: {} });
    expect(proforma.type).toBe('invoice');
    expect(proforma.tags).toEqual(['car']);
  });

  it('matches keywords without regard to case or accents', async () => {
    expect((await classify('MIT FREUNDLICHEN GRÜSSEN\nSehr geehrte Frau Müller')).type).toBe('letter');
  });

  it('uses the e-mail subject and sender for title and correspondent', async () => {
    const result = await classify('Hello', 'message/rfc822', { subject: 'Lunch on Friday', title: 'Lunch on Friday', from: '"Bob Stone" <bob@example.com>', date: 'Tue, 01 Oct 2024 12:34:56 -0500' });
    expect(result).toMatchObject({ title: 'Lunch on Friday', correspondent: 'Bob Stone', date: '2024-10-01' });
  });
});

describe('facts read from text', () => {
  it('finds the labelled document date in several notations', () => {
    expect(documentDate('Order 2019-01-01\nInvoice date: 15.03.2024', false)).toBe('2024-03-15');
    expect(documentDate('Dated March 5, 2023', true)).toBe('2023-03-05');
    expect(documentDate('le 3 février 2022', false)).toBe('2022-02-03');
    expect(documentDate('Date: 03/08/2024', true)).toBe('2024-03-08');
    expect(documentDate('Date: 03/08/2024', false)).toBe('2024-08-03');
    expect(documentDate('Date: 31/12/2024', true)).toBe('2024-12-31');
    expect(documentDate('no date here, 99.99.2024', true)).toBeNull();
  });

  it('finds totals with their currency', () => {
    expect(findInvoiceFields('Subtotal 10.00\nTotal due: $ 12.50', true).total).toEqual({ amount: 12.5, currency: 'USD' });
    expect(findInvoiceFields('Gesamtbetrag 1.234,56 EUR', false).total).toEqual({ amount: 1234.56, currency: 'EUR' });
  });

  it('finds a company correspondent near the top', () => {
    expect(findCorrespondent('Invoice\nACME Widgets GmbH\nStreet 1')).toBe('ACME Widgets GmbH');
    expect(findCorrespondent('From: Example Services Inc., Boston')).toBe('Example Services Inc.');
    expect(findCorrespondent('just some words')).toBeNull();
  });

  it('detects the language, in any script', async () => {
    expect(await detectLanguage('This is a letter about the order and the delivery of your goods to the office.')).toBe('en');
    expect(await detectLanguage('Das ist ein Brief über die Lieferung und die Rechnung, die wir Ihnen mit der Post schicken.')).toBe('de');
    expect(await detectLanguage('Ceci est une lettre pour la livraison des marchandises et la facture que vous avez reçue.')).toBe('fr');
    expect(await detectLanguage('Υπόψη σας το τιμολόγιο για τις υπηρεσίες του Μαρτίου, πληρωτέο εντός τριάντα ημερών.')).toBe('el');
    expect(await detectLanguage('Счёт за услуги связи за март, оплатить в течение тридцати дней.')).toBe('ru');
    expect(await detectLanguage('三月分のご請求書をお送りします。お支払いは三十日以内にお願いいたします。')).toBe('ja');
    expect(await detectLanguage('Faktura za usługi telekomunikacyjne za marzec, płatna w ciągu trzydziestu dni.')).toBe('pl');
    expect(await detectLanguage('12 34 56')).toBeNull();
  });
});
