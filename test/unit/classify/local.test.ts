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

  // Documents that name their kind only through a sub-kind or the field labels of their kind, as
  // many German ones do: the vocabulary of each kind, not of particular documents.
  it.each([
    ['contract', 'Werkvertrag\nzwischen der Malerei Jansen (Auftragnehmer) und Frau Kern (Auftraggeberin)\n1. Vertragsgegenstand: Anstrich des Treppenhauses\n2. Vergütung: pauschal\n3. Gewährleistung nach BGB\nGerichtsstand ist Bremen.'],
    ['report', 'Prüfbericht Spielplatz Lindenstraße\nBerichtszeitraum: zweites Quartal\nErgebnis der Sichtprüfung mit Handlungsempfehlungen für den Bauhof.\nFazit: zwei Geräte sind zu sperren.'],
    ['manual', 'Kurzanleitung Luftbefeuchter\nInbetriebnahme: Wassertank füllen, Netzstecker in die Steckdose stecken und einschalten.\nEntkalken Sie das Gerät monatlich.'],
    ['tax', 'Einkommensteuerbescheid für 2023\nSteuerliche Identifikationsnummer 12 345 678 901\nZu versteuerndes Einkommen 41.200 €\nWerbungskosten wurden wie erklärt berücksichtigt.'],
    ['payslip', 'Abrechnung der Brutto/Netto-Bezüge Mai\nSteuer-Brutto 3.100,00\nSV-Brutto 3.100,00\nGesetzliche Abzüge 1.020,55\nÜberweisungsbetrag 2.079,45'],
    ['medical', 'Arbeitsunfähigkeitsbescheinigung\nArbeitsunfähig seit 12.05. voraussichtlich bis 16.05.\nBehandelnde Ärztin Dr. med. Vogt'],
  ])('recognises a %s by its kind\'s vocabulary', async (type, text) => {
    expect((await classify(text)).type).toBe(type);
  });

  // Kinds that the vocabulary above missed: a practice's results letter, care instructions, a
  // tradesman's bill that never says "Rechnung", a securities account, a German statement's +/- lines.
  it.each([
    ['medical', 'Hausarztpraxis am Markt\nFachärzte für Innere Medizin\n\nSehr geehrte Frau Brandt,\nIhre Blutuntersuchung vom 2. Mai ist unauffällig; das Cholesterin liegt im Normbereich.\nMit freundlichen Grüßen'],
    ['manual', 'Looking after your wooden chopping board\nWash by hand after each use and dry it standing up. It is not dishwasher safe.\nOil it once a month.'],
    ['invoice', 'Sehr geehrter Herr Adam,\nfür den Austausch Ihrer Heizungspumpe berechnen wir Ihnen:\nPos. 1 Pumpe 289,00\nPos. 2 Arbeitszeit 2 Std. 138,00\nzahlbar innerhalb von 14 Tagen ohne Abzug.\nMit freundlichen Grüßen'],
    ['bank-statement', 'Depotübersicht zum 30.06.2024\nDepotinhaber: Ralf Winter\nWertpapier ISIN Stück Kurswert\nMSCI World ETF IE00B4L5Y983 40 3.412,00'],
    ['bank-statement', 'Alter Stand 01.04. 1.200,00 +\n03.04. Miete 700,00 -\n15.04. Gehalt 2.100,00 +\nNeuer Stand 30.04. 2.600,00 +'],
    ['report', 'Near miss in the loading bay, 3 June\nWhat happened: a pallet slipped from the forks.\nRoot cause: damaged pallet.\nCorrective actions: inspect pallets on arrival.'],
  ])('recognises a %s by words its kind uses without naming itself', async (type, text) => {
    expect((await classify(text)).type).toBe(type);
  });

  it('takes a title in the heading as what the document is, and one further into a sentence as a mention', async () => {
    const letter = [
      'Green Valley Landscaping',
      '3 Brook Street, Bath BA1 2LP',
      '',
      'Mr and Mrs Cole',
      '12 Hill View, Bath BA2 5QQ',
      '',
      '4 June 2024',
      '',
      'Dear Mr and Mrs Cole,',
      'thank you for having us. The hedge along your drive was cut back last week, and the work appears on invoice no. 3317, which you have already settled.',
      'We will be back in September for the autumn trim. Before then, please keep the new beds well watered during any dry spell: the young lavender and box plants need a thorough soak twice a week until their roots have settled, and a mulch of bark will help the soil hold its moisture through the summer.',
      'If anything looks unwell, send us a photo and we will call round.',
      'Yours sincerely,',
      'Anna Reed',
    ].join('\n');
    expect((await classify(letter)).type).toBe('letter');
    expect((await classify(`Invoice\nInvoice no. 3317\nHedge cutting £180.00\nAmount due £180.00`)).type).toBe('invoice');
  });

  it('does not type a text by words any document may use', async () => {
    expect((await classify('Between you and me, the status of the balance shall be settled; the claim is about coverage.')).type).toBe('other');
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

  it('reads a document\'s ambiguous dates in the order its unambiguous ones show', () => {
    // The 25th can only be a day: this document writes the day first, so 03/08 is the 3rd of August.
    expect(documentDate('Date: 03/08/2024\nPeriod ending 25/07/2024', true)).toBe('2024-08-03');
    // And here the month first, whatever the language's custom.
    expect(documentDate('Datum: 03/08/2024\nbis 07/25/2024', false)).toBe('2024-03-08');
    // Both orders in one document settle nothing: the custom decides.
    expect(documentDate('Date: 03/08/2024 25/07/2024 07/25/2024', true)).toBe('2024-03-08');
    // Nor does a number that is no date either way (a phone number's pieces, a reference).
    expect(documentDate('Date: 03/08/2024\nCall 30-12-3456, ref 45/10/24', true)).toBe('2024-03-08');
    // The due date is read in the order the whole document shows, as its date is.
    const fields = findInvoiceFields('Invoice\nDate: 03/08/2024\nPeriod ending 25/07/2024\nDue date: 04/09/2024\nTotal due: $ 10.00', true);
    expect(fields.dueDate).toBe('2024-09-04');
  });

  it('takes English dates as British unless the money is American', async () => {
    const british = await classify('Invoice\nInvoice date: 03/08/2024\nPlease pay the amount shown within thirty days of the invoice date.\nTotal due: £120.00');
    expect(british).toMatchObject({ language: 'en', date: '2024-08-03' });
    const american = await classify('Invoice\nInvoice date: 03/08/2024\nPlease pay the amount shown within thirty days of the invoice date.\nTotal due: $120.00');
    expect(american).toMatchObject({ language: 'en', date: '2024-03-08' });
    // No money named: the custom of the most common writer of English dates with slashes.
    expect((await classify('Minutes of the meeting held on 03/08/2024 in the village hall, with eleven members present and apologies from two.')).date).toBe('2024-03-08');
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
