import type { DocumentTypeRule } from '../config/schema.js';

/**
 * The default taxonomy. Keywords are matched as whole words or phrases, case- and
 * accent-insensitively; "*word" also matches the end of a compound ("Hausratversicherung"),
 * "word*" its start. Titles are what a kind of document calls itself ("Kontoauszug", "payslip"):
 * in the heading they weigh four keywords. The vocabulary is the general language of each kind of
 * paperwork, English and German first, with the French and Dutch names of the common kinds; it
 * is not fitted to particular documents.
 */
export const DEFAULT_TYPES: DocumentTypeRule[] = [
  rule('invoice', {
    titles: ['invoice', 'tax invoice', 'rechnung', 'schlussrechnung', 'factuur', 'facture', 'faktura', 'fattura', 'factura'],
    keywords: [
      'invoice number', 'invoice no', 'invoice date', 'bill to', 'billed to', 'amount due', 'total due', 'balance due', 'balance outstanding', 'amount payable', 'payment terms', 'terms net',
      'net 30', 'due date', 'subtotal', 'vat', 'sales tax', 'unit price', 'qty', 'remit to', 'please pay', 'pay within', 'payable within', 'invoice total', 'rechnungsnummer', 'rechnungs-nr',
      'rechnungsnr', 'rechnungsdatum', 'rechnungsbetrag', 'leistungszeitraum', 'zahlbar', 'zahlungsziel', 'ohne abzug', 'nettobetrag', 'gesamtbetrag', 'gesamtsumme', 'summe netto', 'zzgl', 'mwst',
      'ust', 'umsatzsteuer', 'einzelpreis', 'menge', 'bitte uberweisen', 'ust-idnr', 'factuurnummer', 'factuurdatum', 'montant ttc', 'total ttc', 'total ht', 'tva',
    ],
    patterns: [String.raw`\binv(oice)?[ .-]*(no|nr|number|#)`, String.raw`\b(pos|item)\b.*\b(qty|menge|quantity)\b`],
  }),
  rule('receipt', {
    titles: ['receipt', 'payment receipt', 'sales receipt', 'payment confirmation', 'proof of payment', 'quittung', 'kassenbon', 'kassenbeleg', 'zahlungsbestatigung', 'recu', 'ricevuta', 'kassabon'],
    keywords: [
      'amount paid', 'paid with', 'paid by', 'paid cash', 'contactless', 'visa', 'mastercard', 'amex', 'cashier', 'thank you for shopping', 'thank you for your purchase', 'transaction id',
      'change due', 'order total', 'beleg-nr', 'kasse', 'ruckgeld', 'ec-karte', 'girocard', 'summe eur', 'vielen dank fur ihren einkauf', 'tse', 'tse-signatur', 'umtausch',
    ],
    patterns: [String.raw`\b\d{1,2}:\d{2}\b[^\n]{0,40}\b(till|kasse|bon|op)\b`, String.raw`\b(visa|mastercard|amex|ec|girocard)\b[^\n]{0,20}\d+[.,]\d{2}`],
    weight: 1.1,
  }),
  rule('contract', {
    titles: [
      'agreement', 'contract', 'tenancy agreement', 'lease', 'non-disclosure agreement', 'statement of work', 'terms of employment', 'vertrag', 'mietvertrag', 'arbeitsvertrag', 'kaufvertrag',
      'vereinbarung', 'dienstleistungsvereinbarung', 'contrat', 'overeenkomst',
    ],
    keywords: [
      'terms and conditions', 'hereinafter', 'the parties', 'each party', 'in witness whereof', 'effective date', 'termination', 'governing law', 'governed by the laws', 'obligations', 'signed by',
      'landlord', 'tenant', 'tenants', 'tenancy', 'contract of employment', 'confidential information', 'fixed term', 'subject to the terms', 'vertragsparteien', 'wird folgendes vereinbart',
      'vereinbart', 'vermieter', 'mieter', 'mieterin', 'mietsache', 'mietzeit', 'kaution', 'kundigung', 'gekundigt', 'kundigungsfrist', 'laufzeit', 'unterschrift', 'unterschriften', 'arbeitgeber',
      'arbeitnehmer',
    ],
    patterns: [String.raw`§\s*\d+`, String.raw`^\s*\d+\.\s+(term|rent|deposit|notice|duration|purpose|obligations)\b`],
  }),
  rule('letter', {
    titles: ['memo', 'memorandum'],
    keywords: [
      'dear', 'sincerely', 'yours sincerely', 'yours faithfully', 'yours truly', 'kind regards', 'best regards', 'best wishes', 'warm regards', 'with thanks', 'to whom it may concern', 'i write',
      'i am writing', 'we are writing', 'thank you for your letter', 'your ref', 'our ref', 'i would be grateful', 'please confirm', 'please do not hesitate', 'sehr geehrte', 'sehr geehrter',
      'sehr geehrte damen und herren', 'mit freundlichen grussen', 'freundliche grusse', 'viele grusse', 'herzliche grusse', 'liebe', 'lieber', 'ihr schreiben', 'ihre anfrage', 'ihr zeichen',
      'wir bitten', 'cordialement', 'madame, monsieur', 'met vriendelijke groet',
    ],
    patterns: [String.raw`^\s*(re|subject|betreff)\s*:`, String.raw`^\s*(dear|liebe|lieber|sehr geehrte[r]?)\b`],
    weight: 0.9,
  }),
  rule('bank-statement', {
    titles: ['bank statement', 'account statement', 'statement of account', 'monthly statement', 'current account statement', 'kontoauszug', 'rekeningafschrift', 'releve de compte'],
    keywords: [
      'opening balance', 'closing balance', 'statement period', 'statement date', 'balance brought forward', 'balance carried forward', 'brought forward', 'carried forward', 'paid in', 'paid out',
      'deposits', 'withdrawals', 'beginning balance', 'ending balance', 'available balance', 'previous balance', 'new balance', 'transactions', 'sort code', 'account number', 'account holder',
      'overdraft', 'direct debit', 'standing order', 'interest paid', 'annual percentage yield', 'checking', 'savings', 'kontostand', 'alter kontostand', 'neuer kontostand', 'girokonto',
      'kontoinhaber', 'buchungstag', 'wertstellung', 'lastschrift', 'dauerauftrag', 'uberweisung', 'gutschrift', 'saldo', 'zinssatz', 'kartenzahlung',
    ],
    patterns: [String.raw`^\s*\d{2}[./]\d{2}\.?\s+.*\d[.,]\d{2}\s*[HS]?\s*$`],
  }),
  rule('tax', {
    titles: [
      'tax return', 'tax calculation', 'self assessment', 'tax assessment', 'notice of assessment', 'wage and tax statement', 'form w-2', 'form 1040', 'steuerbescheid', 'steuererklarung',
      'einkommensteuererklarung', 'lohnsteuerbescheinigung', 'avis d imposition', 'belastingaanslag',
    ],
    keywords: [
      'irs', 'internal revenue service', 'hmrc', 'tax year', 'taxpayer', 'unique taxpayer reference', 'utr', 'personal allowance', 'income tax', 'federal income tax withheld', 'tax due',
      'pay what you owe', 'social security wages', 'employer identification number', 'einkommensteuer', 'finanzamt', 'finanzverwaltung', 'bescheid', 'steuernummer', 'festsetzung', 'festgesetzt',
      'erstattungsbetrag', 'einspruch', 'rechtsbehelfsbelehrung', 'impots',
    ],
    patterns: [String.raw`\bw-2\b`, String.raw`\b(19|20)\d{2}\b[^\n]{0,30}\b(tax year|steuerjahr|veranlagungsjahr)`],
    weight: 1.1,
  }),
  rule('payslip', {
    titles: [
      'payslip', 'pay slip', 'pay stub', 'pay advice', 'earnings statement', 'payment advice', 'lohnabrechnung', 'gehaltsabrechnung', 'verdienstabrechnung', 'entgeltabrechnung', 'bulletin de paie',
      'fiche de paie', 'loonstrook',
    ],
    keywords: [
      'gross pay', 'net pay', 'gross', 'net check', 'pay period', 'pay date', 'check date', 'earnings', 'deductions', 'total deductions', 'total payments', 'national insurance', 'ni number',
      'tax code', 'year to date', 'basic salary', 'salary', 'overtime', 'regular hours', 'withholding', 'social security', 'medicare', '401(k)', 'pension', 'holiday pay', 'employee no',
      'employee id', 'personalnummer', 'steuerklasse', 'brutto', 'gesamtbrutto', 'netto', 'nettoverdienst', 'auszahlungsbetrag', 'auszahlung', 'lohnsteuer', 'kirchensteuer', 'solidaritatszuschlag',
      'krankenversicherung', 'rentenversicherung', 'arbeitslosenversicherung', 'pflegeversicherung', 'gehalt', 'vermogenswirksame leistungen',
    ],
    patterns: [],
    weight: 1.1,
  }),
  rule('insurance', {
    titles: ['insurance policy', 'policy schedule', 'schedule of cover', 'versicherungsschein', 'police', 'verzekeringspolis'],
    keywords: [
      'insurance', 'insurer', 'insured', 'policy', 'policy number', 'policy reference', 'policyholder', 'policy holder', 'premium', 'annual premium', 'sum insured', 'excess', 'deductible',
      'claim number', 'claim reference', 'renewal', 'no claims', '*versicherung', 'versicherung', 'versicherungsnehmer', 'vertragsnummer', 'beitrag', 'jahresbeitrag', 'selbstbeteiligung', 'schaden',
      'schadenfreiheitsklasse', 'haftpflicht', 'kasko', 'vollkasko', 'teilkasko', 'assurance', 'verzekering',
    ],
    patterns: [],
  }),
  rule('medical', {
    titles: ['arztbrief', 'entlassungsbrief', 'befund', 'prescription', 'impfpass', 'blood test results', 'ordonnance'],
    keywords: [
      'patient', 'patientin', 'diagnosis', 'diagnoses', 'physician', 'hospital', 'clinic', 'treatment', 'medication', 'medicines', 'mg', 'dose', 'blood', 'reference range', 'laboratory',
      'laboratory results', 'gp', 'nhs', 'symptoms', 'follow-up', 'referral', 'allergy', 'surgery', 'diagnose', 'diagnosen', 'therapie', 'klinikum', 'klinik', 'praxis', 'arzt', 'arztin', 'hausarzt',
      'facharzt', 'stationar', 'medikation', 'rezept', 'impfung',
    ],
    patterns: [String.raw`\b\d+(?:[.,]\d+)?\s?(mg|ml|µg|mmol/l|mg/dl|g/l|ie)\b`],
  }),
  rule('id-document', {
    titles: ['passport', 'reisepass', 'personalausweis', 'identity card', 'driving licence', 'driver license', 'drivers license', 'fuhrerschein', 'carte d identite', 'passeport'],
    keywords: [
      'date of expiry', 'expiry', 'date of issue', 'nationality', 'date of birth', 'place of birth', 'given names', 'surname', 'valid until', 'identity card', 'staatsangehorigkeit', 'geburtstag',
      'geburtsort', 'gultig bis', 'vornamen', 'ausweisnummer', 'behorde',
    ],
    patterns: [String.raw`P<[A-Z]{1,3}<`, String.raw`^[A-Z0-9<]{25,44}$`, String.raw`^\s*4[abc]\.\s`],
    weight: 1.3,
  }),
  rule('manual', {
    titles: [
      'user manual', 'user guide', 'owner s guide', 'owner s manual', 'quick start guide', 'quick setup', 'installation guide', 'bedienungsanleitung', 'gebrauchsanleitung', 'betriebsanleitung',
      'mode d emploi', 'handleiding',
    ],
    keywords: [
      'manual', 'installation', 'troubleshooting', 'instructions', 'getting started', 'specifications', 'operating instructions', 'before first use', 'warning', 'caution', 'maintenance', 'cleaning',
      'unplug', 'appliance', 'what s in the box', 'sicherheitshinweise', 'hinweise', 'schritt', 'gerat', 'storungen', 'wichtig', 'reinigung', 'bedienung', 'einstellen', 'drucken',
    ],
    patterns: [String.raw`^\s*(step|schritt)\s*\d`, String.raw`^\s*\d+[.)]\s+\p{Lu}\p{Ll}+\s`],
  }),
  rule('paper', {
    titles: ['abstract', 'bachelorarbeit', 'dissertation', 'proceedings', 'working paper'],
    keywords: [
      'abstract', 'introduction', 'references', 'arxiv', 'doi', 'et al', 'related work', 'conclusion', 'university', 'department', 'experiments', 'we propose', 'in this paper', 'we describe',
      'we show', 'we study', 'we use', 'methods', 'results', 'discussion', 'keywords', 'journal', 'conference', 'dataset', 'corpus', 'evaluated', 'baseline', 'zusammenfassung', 'schlusselworter',
      'einleitung', 'literatur', 'vgl', 'studie', 'untersucht', 'ergebnisse', 'universitat', 'institut', 'zeitschrift',
    ],
    patterns: [String.raw`\[\d+\]`, String.raw`\(\p{Lu}[\p{L}-]+(?: et al\.?| and \p{Lu}[\p{L}-]+)?,? (?:19|20)\d{2}\)`, String.raw`\b95\s?% ci\b`],
    weight: 0.9,
  }),
  rule('report', {
    titles: ['report', 'annual report', 'quarterly report', 'operations review', 'minutes', 'bericht', 'jahresbericht', 'rapport', 'verslag'],
    keywords: [
      'executive summary', 'findings', 'recommendations', 'analysis', 'key findings', 'key figures', 'objectives', 'next steps', 'inspection', 'outlook', 'year on year', 'ausblick', 'berichtsjahr',
      'massnahmen', 'empfehlungen', 'vorjahr',
    ],
    patterns: [],
  }),
  { name: 'email', keywords: [], titles: [], patterns: [], mimeTypes: ['message/rfc822', 'application/mbox'], weight: 1, tags: [] },
  {
    name: 'spreadsheet',
    keywords: [],
    titles: [],
    patterns: [],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.spreadsheet', 'text/csv', 'text/tab-separated-values'],
    weight: 1,
    tags: [],
  },
  {
    name: 'presentation',
    keywords: [],
    titles: [],
    patterns: [],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/vnd.oasis.opendocument.presentation'],
    weight: 1,
    tags: [],
  },
  // Files that are not documents (issue 19): ingest's artifact readers set this type, or a more
  // specific one (executable, archive, package, sbom, test-report, coverage-report), without a classifier.
  { name: 'artifact', keywords: [], titles: [], patterns: [], mimeTypes: [], weight: 1, tags: [] },
];

export const FALLBACK_TYPE = 'other';

function rule(name: string, parts: { titles: string[]; keywords: string[]; patterns?: string[]; weight?: number }): DocumentTypeRule {
  return { name, titles: parts.titles, keywords: parts.keywords, patterns: parts.patterns ?? [], mimeTypes: [], weight: parts.weight ?? 1, tags: [] };
}

/** User rules for a built-in type extend it; rules for new names add types. */
export function mergeTypes(userTypes: readonly DocumentTypeRule[]): DocumentTypeRule[] {
  const merged: DocumentTypeRule[] = DEFAULT_TYPES.map((type) => ({ ...type, titles: [...type.titles], keywords: [...type.keywords], patterns: [...type.patterns], mimeTypes: [...type.mimeTypes], tags: [...type.tags] }));
  for (const user of userTypes) {
    const existing = merged.find((type) => type.name === user.name);
    if (existing) {
      existing.titles.push(...user.titles);
      existing.keywords.push(...user.keywords);
      existing.patterns.push(...user.patterns);
      existing.mimeTypes.push(...user.mimeTypes);
      existing.tags.push(...user.tags);
      existing.weight = user.weight;
    } else {
      merged.push({ ...user });
    }
  }
  return merged;
}
