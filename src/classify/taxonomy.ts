import type { DocumentTypeRule } from '../config/schema.js';

/**
 * The default taxonomy. Keywords are matched as whole words or phrases, case- and
 * accent-insensitively, and cover the languages scanned paperwork commonly comes in.
 */
export const DEFAULT_TYPES: DocumentTypeRule[] = [
  rule('invoice', ['invoice', 'invoice number', 'invoice no', 'invoice date', 'tax invoice', 'bill to', 'amount due', 'total due', 'balance due', 'payment terms', 'due date', 'subtotal', 'vat', 'rechnung', 'rechnungsnummer', 'rechnungsdatum', 'factuur', 'factuurnummer', 'facture', 'faktura', 'fattura', 'factura', 'invoice total', 'montant ttc', 'total ttc'], [String.raw`\binv(oice)?[ .-]*(no|nr|number|#)`]),
  rule('receipt', ['receipt', 'payment receipt', 'amount paid', 'thank you for your purchase', 'paid by', 'transaction id', 'change due', 'quittung', 'kassenbon', 'kassenbeleg', 'recu', 'ricevuta', 'bon'], [], 1.2),
  rule('contract', ['agreement', 'contract', 'terms and conditions', 'hereinafter', 'the parties', 'in witness whereof', 'effective date', 'vertrag', 'vereinbarung', 'contrat', 'signed by', 'governing law', 'termination']),
  rule('letter', ['dear', 'sincerely', 'yours faithfully', 'yours truly', 'kind regards', 'best regards', 'to whom it may concern', 'sehr geehrte', 'sehr geehrter', 'mit freundlichen grussen', 'cordialement', 'madame, monsieur', 'memo', 'memorandum'], [String.raw`^\s*(re|subject|betreff)\s*:`]),
  rule('bank-statement', ['account statement', 'bank statement', 'statement of account', 'opening balance', 'closing balance', 'statement period', 'kontoauszug', 'available balance', 'previous balance', 'iban'], []),
  rule('tax', ['tax return', 'irs', 'form 1040', 'w-2', 'hmrc', 'tax year', 'steuererklarung', 'finanzamt', 'steuerbescheid', 'einkommensteuer', 'impots', 'avis d imposition'], []),
  rule('payslip', ['payslip', 'pay slip', 'pay stub', 'gross pay', 'net pay', 'pay period', 'earnings', 'deductions', 'lohnabrechnung', 'gehaltsabrechnung', 'bulletin de paie', 'fiche de paie'], [], 1.2),
  rule('insurance', ['insurance', 'insurance policy', 'policy number', 'premium', 'insured', 'policyholder', 'claim number', 'deductible', 'versicherung', 'versicherungsschein', 'assurance'], []),
  rule('medical', ['patient', 'diagnosis', 'prescription', 'physician', 'hospital', 'clinic', 'treatment', 'medication', 'laboratory results', 'arztbrief', 'befund', 'ordonnance'], []),
  rule('id-document', ['passport', 'identity card', 'driver s license', 'drivers license', 'driving licence', 'date of expiry', 'nationality', 'personalausweis', 'reisepass', 'carte d identite'], [String.raw`P<[A-Z]{3}`], 1.5),
  rule('manual', ['user manual', 'user guide', 'manual', 'installation', 'troubleshooting', 'instructions', 'getting started', 'specifications', 'operating instructions', 'bedienungsanleitung', 'mode d emploi'], []),
  rule('paper', ['abstract', 'introduction', 'references', 'arxiv', 'doi', 'et al', 'related work', 'conclusion', 'proceedings', 'university', 'experiments', 'we propose', 'in this paper'], [String.raw`\[\d+\]`], 0.8),
  rule('report', ['report', 'executive summary', 'findings', 'recommendations', 'analysis', 'annual report', 'quarterly report', 'key findings', 'bericht'], []),
  { name: 'email', keywords: [], patterns: [], mimeTypes: ['message/rfc822', 'application/mbox'], weight: 1, tags: [] },
  {
    name: 'spreadsheet',
    keywords: [],
    patterns: [],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.spreadsheet', 'text/csv', 'text/tab-separated-values'],
    weight: 1,
    tags: [],
  },
  {
    name: 'presentation',
    keywords: [],
    patterns: [],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/vnd.oasis.opendocument.presentation'],
    weight: 1,
    tags: [],
  },
];

export const FALLBACK_TYPE = 'other';

function rule(name: string, keywords: string[], patterns: string[] = [], weight = 1): DocumentTypeRule {
  return { name, keywords, patterns, mimeTypes: [], weight, tags: [] };
}

/** User rules for a built-in type extend it; rules for new names add types. */
export function mergeTypes(userTypes: readonly DocumentTypeRule[]): DocumentTypeRule[] {
  const merged = DEFAULT_TYPES.map((type) => ({ ...type, keywords: [...type.keywords], patterns: [...type.patterns], mimeTypes: [...type.mimeTypes], tags: [...type.tags] }));
  for (const user of userTypes) {
    const existing = merged.find((type) => type.name === user.name);
    if (existing) {
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
