import type { DocumentTypeRule } from '../config/schema.js';

/**
 * The default taxonomy. Keywords are matched as whole words or phrases, case- and
 * accent-insensitively; "*word" also matches the end of a compound ("Hausratversicherung"),
 * "word*" its start. Titles are what a kind of document calls itself ("Kontoauszug", "payslip"):
 * in the heading they weigh four keywords. The vocabulary is the general language of each kind of
 * paperwork, English and German first, with the French and Dutch names of the common kinds; it
 * is not fitted to particular documents. Each kind lists its sub-kinds' names (Werkvertrag,
 * Prüfbericht, fit note) and the field labels and set phrases a clerk would expect on it
 * (Kundennummer, Probezeit, hours worked); words any document may use ("between", "shall",
 * "status", "balance", "claim") are left out, since two of them alone would reach minScore.
 */
export const DEFAULT_TYPES: DocumentTypeRule[] = [
  rule('invoice', {
    titles: [
      'invoice', 'tax invoice', 'rechnung', 'schlussrechnung', 'factuur', 'facture', 'faktura', 'fattura', 'factura', 'proforma invoice', 'credit note', 'gutschrift rechnung',
      'abschlagsrechnung', 'teilrechnung', 'rechnungskorrektur', 'jahresabrechnung', 'nebenkostenabrechnung', 'utility bill',
    ],
    keywords: [
      'invoice number', 'invoice no', 'invoice date', 'bill to', 'billed to', 'amount due', 'total due', 'balance due', 'balance outstanding', 'amount payable', 'payment terms', 'terms net',
      'net 30', 'due date', 'subtotal', 'vat', 'sales tax', 'unit price', 'qty', 'remit to', 'please pay', 'pay within', 'payable within', 'invoice total', 'rechnungsnummer', 'rechnungs-nr',
      'rechnungsnr', 'rechnungsdatum', 'rechnungsbetrag', 'leistungszeitraum', 'zahlbar', 'zahlungsziel', 'ohne abzug', 'nettobetrag', 'gesamtbetrag', 'gesamtsumme', 'summe netto', 'zzgl', 'mwst',
      'ust', 'umsatzsteuer', 'einzelpreis', 'menge', 'bitte uberweisen', 'ust-idnr', 'factuurnummer', 'factuurdatum', 'montant ttc', 'total ttc', 'total ht', 'tva',
      'invoice amount', 'amount due by', 'account number', 'customer number', 'kundennummer', 'rechnungsanschrift', 'lieferdatum', 'leistungsdatum', 'nettopreis', 'steuersatz', 'skonto',
      'zahlungsbedingungen', 'bankverbindung', 'verwendungszweck', 'net amount', 'tax rate', 'payment due', 'billing period', 'abrechnungszeitraum', 'abschlag', 'abschlagszahlung',
      'verbrauch', 'zahlerstand',
      'berechnen wir', 'wir berechnen', 'in rechnung', 'stellen wir ihnen', 'bitte begleichen', 'zahlbar innerhalb', 'innerhalb von 14 tagen', 'innerhalb von 30 tagen', 'we have charged',
      'please remit', 'within 30 days', 'within 14 days',
    ],
    patterns: [String.raw`\binv(oice)?[ .-]*(no|nr|number|#)`, String.raw`\b(pos|item)\b.*\b(qty|menge|quantity)\b`, String.raw`^\s*pos\.?\s*\d+\s+\S.*\d[.,]\d{2}\s*$`],
  }),
  rule('receipt', {
    titles: [
      'receipt', 'payment receipt', 'sales receipt', 'payment confirmation', 'proof of payment', 'quittung', 'kassenbon', 'kassenbeleg', 'zahlungsbestatigung', 'recu', 'ricevuta',
      'kassabon', 'till receipt', 'cash receipt', 'kassenzettel', 'zahlungsbeleg', 'bon', 'kundenbeleg', 'order confirmation', 'bestellbestatigung', 'thank you for your order',
    ],
    keywords: [
      'amount paid', 'paid with', 'paid by', 'paid cash', 'contactless', 'visa', 'mastercard', 'amex', 'cashier', 'thank you for shopping', 'thank you for your purchase', 'transaction id',
      'change due', 'order total', 'beleg-nr', 'kasse', 'ruckgeld', 'ec-karte', 'girocard', 'summe eur', 'vielen dank fur ihren einkauf', 'tse', 'tse-signatur', 'umtausch',
      'tendered', 'card payment', 'auth code', 'approval code', 'terminal', 'terminal id', 'trace nr', 'till', 'receipt no', 'refund', 'returns', 'gegeben', 'zuruck', 'bezahlt',
      'betrag erhalten', 'kassierer', 'filiale', 'terminal-id', 'genehmigungsnummer', 'bonnummer', 'vielen dank fur ihren besuch', 'payment received', 'zahlung erhalten',
      'betrag dankend erhalten',
    ],
    patterns: [String.raw`\b\d{1,2}:\d{2}\b[^\n]{0,40}\b(till|kasse|bon|op)\b`, String.raw`\b(visa|mastercard|amex|ec|girocard)\b[^\n]{0,20}\d+[.,]\d{2}`],
    weight: 1.1,
  }),
  rule('contract', {
    titles: [
      'agreement', 'contract', 'tenancy agreement', 'lease', 'non-disclosure agreement', 'statement of work', 'terms of employment', 'vertrag', 'mietvertrag', 'arbeitsvertrag', 'kaufvertrag',
      'vereinbarung', 'dienstleistungsvereinbarung', 'contrat', 'overeenkomst',
      'employment contract', 'service agreement', 'purchase agreement', 'sales contract', 'rental agreement', 'loan agreement', 'framework agreement', 'dienstvertrag', 'werkvertrag',
      'darlehensvertrag', 'rahmenvertrag', 'pachtvertrag', 'wartungsvertrag', 'nutzungsvertrag', 'ausbildungsvertrag', 'aufhebungsvertrag',
    ],
    keywords: [
      'terms and conditions', 'hereinafter', 'the parties', 'each party', 'in witness whereof', 'effective date', 'termination', 'governing law', 'governed by the laws', 'obligations', 'signed by',
      'landlord', 'tenant', 'tenants', 'tenancy', 'contract of employment', 'confidential information', 'fixed term', 'subject to the terms', 'vertragsparteien', 'wird folgendes vereinbart',
      'vereinbart', 'vermieter', 'mieter', 'mieterin', 'mietsache', 'mietzeit', 'kaution', 'kundigung', 'gekundigt', 'kundigungsfrist', 'laufzeit', 'unterschrift', 'unterschriften', 'arbeitgeber',
      'arbeitnehmer',
      'hereby', 'whereas', 'notice period', 'probationary period', 'probation', 'annual leave', 'entire agreement', 'severability', 'indemnify', 'liability', 'breach', 'commencement',
      'the employer', 'the employee', 'the buyer', 'the seller', 'the contractor', 'the client', 'consideration', 'jurisdiction', 'duration of', 'term of this agreement', 'amendments',
      'in writing', 'vertragsbeginn', 'vertragsdauer', 'vertragsgegenstand', 'vertragslaufzeit', 'vertragsende', 'vergutung', 'gerichtsstand', 'schlussbestimmungen',
      'salvatorische klausel', 'schriftform', 'auftraggeber', 'auftragnehmer', 'leistungsumfang', 'probezeit', 'urlaubsanspruch', 'arbeitszeit', 'verkaufer', 'kaufer', 'kaufpreis',
      'gewahrleistung', 'haftung', 'nebenkosten', 'betriebskosten', 'miete', 'kaltmiete', 'nettokaltmiete', 'mietbeginn', 'vertragspartner', 'anderungen', 'erganzungen', 'ort datum',
      'nachstehend', 'im folgenden',
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
      'regards', 'yours', 'enclosed', 'please find enclosed', 'i look forward', 'we look forward', 'looking forward to hearing', 'many thanks', 'on behalf of', 'further to',
      'with reference to', 'please contact', 'please let me know', 'please let us know', 'liebe grusse', 'beste grusse', 'mit besten grussen', 'hochachtungsvoll', 'anbei', 'in der anlage',
      'bezugnehmend', 'betreff', 'unser zeichen', 'ihre nachricht', 'wir mochten', 'ich mochte', 'hiermit', 'bitte teilen sie', 'fur ruckfragen', 'stehen wir ihnen', 'steht ihnen',
      'gerne zur verfugung',
    ],
    patterns: [String.raw`^\s*(re|subject|betreff)\s*:`, String.raw`^\s*(dear|liebe|lieber|sehr geehrte[r]?)\b`],
    weight: 0.9,
  }),
  rule('bank-statement', {
    titles: [
      'bank statement', 'account statement', 'statement of account', 'monthly statement', 'current account statement', 'kontoauszug', 'rekeningafschrift', 'releve de compte',
      'credit card statement', 'depotauszug', 'kreditkartenabrechnung', 'finanzstatus', 'umsatzubersicht', 'kontoubersicht',
      'depotubersicht', 'vermogensubersicht', 'portfolio statement', 'investment statement', 'statement of holdings',
    ],
    keywords: [
      'opening balance', 'closing balance', 'statement period', 'statement date', 'balance brought forward', 'balance carried forward', 'brought forward', 'carried forward', 'paid in', 'paid out',
      'deposits', 'withdrawals', 'beginning balance', 'ending balance', 'available balance', 'previous balance', 'new balance', 'transactions', 'sort code', 'account number', 'account holder',
      'overdraft', 'direct debit', 'standing order', 'interest paid', 'annual percentage yield', 'checking', 'savings', 'kontostand', 'alter kontostand', 'neuer kontostand', 'girokonto',
      'kontoinhaber', 'buchungstag', 'wertstellung', 'lastschrift', 'dauerauftrag', 'uberweisung', 'gutschrift', 'saldo', 'zinssatz', 'kartenzahlung',
      'payee', 'card payment', 'atm', 'cash withdrawal', 'interest rate', 'iban', 'bic', 'kontonummer', 'umsatze', 'buchungstext', 'verwendungszweck', 'haben', 'soll', 'dispositionskredit',
      'dispo', 'habenzinsen', 'sollzinsen', 'rechnungsabschluss', 'kontostand am', 'auszug nr', 'blatt', 'bargeldauszahlung', 'geldautomat', 'einzahlung', 'abbuchung',
      'alter stand', 'neuer stand', 'auszug', 'depot', 'depotinhaber', 'depot-nr', 'depotnummer', 'wertpapier', 'wertpapiere', 'kurswert', 'verrechnungskonto', 'isin', 'wkn', 'holdings', 'market value', 'portfolio value',
    ],
    patterns: [String.raw`^\s*\d{2}[./]\d{2}\.?\s+.*\d[.,]\d{2}\s*[HS+-]?\s*$`],
  }),
  rule('tax', {
    titles: [
      'tax return', 'tax calculation', 'self assessment', 'tax assessment', 'notice of assessment', 'wage and tax statement', 'form w-2', 'form 1040', 'steuerbescheid', 'steuererklarung',
      'einkommensteuererklarung', 'lohnsteuerbescheinigung', 'avis d imposition', 'belastingaanslag',
      'einkommensteuerbescheid', 'umsatzsteuererklarung', 'grundsteuerbescheid', 'gewerbesteuerbescheid', 'steuerbescheinigung', 'ubermittlungsprotokoll', 'p60', 'p45', 'form 1099',
      'tax summary', 'tax refund', 'council tax bill', 'annual tax summary', 'bescheid uber', 'vorauszahlungsbescheid',
    ],
    keywords: [
      'irs', 'internal revenue service', 'hmrc', 'tax year', 'taxpayer', 'unique taxpayer reference', 'utr', 'personal allowance', 'income tax', 'federal income tax withheld', 'tax due',
      'pay what you owe', 'social security wages', 'employer identification number', 'einkommensteuer', 'finanzamt', 'finanzverwaltung', 'bescheid', 'steuernummer', 'festsetzung', 'festgesetzt',
      'erstattungsbetrag', 'einspruch', 'rechtsbehelfsbelehrung', 'impots',
      'steuer-id', 'identifikationsnummer', 'steuerliche identifikationsnummer', 'veranlagung', 'veranlagungszeitraum', 'einkunfte', 'zu versteuerndes einkommen', 'werbungskosten',
      'sonderausgaben', 'aussergewohnliche belastungen', 'nachzahlung', 'erstattung', 'vorauszahlung', 'vorauszahlungen', 'elster', 'steuerpflichtig', 'steuerpflichtige', 'taxable income',
      'adjusted gross income', 'tax refund', 'tax owed', 'filing status', 'tax paid', 'tax return', 'national insurance contributions', 'tax office', 'tax authority', 'steuererstattung',
      'steuerberater', 'abgabefrist', 'steuerabzug', 'kapitalertragsteuer', 'grundsteuer', 'kfz-steuer', 'zahlungsaufforderung finanzamt', 'tax credit',
    ],
    patterns: [String.raw`\bw-2\b`, String.raw`\b(19|20)\d{2}\b[^\n]{0,30}\b(tax year|steuerjahr|veranlagungsjahr)`],
    weight: 1.1,
  }),
  rule('payslip', {
    titles: [
      'payslip', 'pay slip', 'pay stub', 'pay advice', 'earnings statement', 'payment advice', 'lohnabrechnung', 'gehaltsabrechnung', 'verdienstabrechnung', 'entgeltabrechnung', 'bulletin de paie',
      'fiche de paie', 'loonstrook',
      'salary statement', 'payroll statement', 'wage slip', 'lohnzettel', 'lohn- und gehaltsabrechnung', 'bezugebescheinigung', 'abrechnung der brutto netto bezuge',
      'abrechnung der brutto/netto-bezuge',
    ],
    keywords: [
      'gross pay', 'net pay', 'gross', 'net check', 'pay period', 'pay date', 'check date', 'earnings', 'deductions', 'total deductions', 'total payments', 'national insurance', 'ni number',
      'tax code', 'year to date', 'basic salary', 'salary', 'overtime', 'regular hours', 'withholding', 'social security', 'medicare', '401(k)', 'pension', 'holiday pay', 'employee no',
      'employee id', 'personalnummer', 'steuerklasse', 'brutto', 'gesamtbrutto', 'netto', 'nettoverdienst', 'auszahlungsbetrag', 'auszahlung', 'lohnsteuer', 'kirchensteuer', 'solidaritatszuschlag',
      'krankenversicherung', 'rentenversicherung', 'arbeitslosenversicherung', 'pflegeversicherung', 'gehalt', 'vermogenswirksame leistungen',
      'paye', 'ni contributions', 'hours worked', 'hourly rate', 'ytd', 'net salary', 'gross salary', 'student loan', 'payroll', 'abrechnungsmonat', 'abrechnungszeitraum', 'steuer-brutto',
      'sv-brutto', 'gesetzliche abzuge', 'sozialversicherung', 'lohnart', 'grundlohn', 'grundgehalt', 'uberstunden', 'urlaubsgeld', 'weihnachtsgeld', 'nettobezuge', 'bruttobezuge',
      'uberweisungsbetrag', 'gesamt-brutto', 'steuerbrutto', 'svbrutto', 'eintrittsdatum', 'kinderfreibetrag', 'abzuge', 'zuschlage', 'lohn', 'monatslohn', 'stundenlohn',
    ],
    patterns: [],
    weight: 1.1,
  }),
  rule('insurance', {
    titles: [
      'insurance policy', 'policy schedule', 'schedule of cover', 'versicherungsschein', 'police', 'verzekeringspolis', 'certificate of insurance', 'insurance certificate',
      'renewal notice', 'versicherungsbestatigung', 'nachtrag zum versicherungsschein', 'beitragsmitteilung', 'versicherungspolice', 'policy document', 'schadenmeldung', 'claim form',
    ],
    keywords: [
      'insurance', 'insurer', 'insured', 'policy', 'policy number', 'policy reference', 'policyholder', 'policy holder', 'premium', 'annual premium', 'sum insured', 'excess', 'deductible',
      'claim number', 'claim reference', 'renewal', 'no claims', '*versicherung', 'versicherung', 'versicherungsnehmer', 'vertragsnummer', 'beitrag', 'jahresbeitrag', 'selbstbeteiligung', 'schaden',
      'schadenfreiheitsklasse', 'haftpflicht', 'kasko', 'vollkasko', 'teilkasko', 'assurance', 'verzekering',
      'insured person', 'policy period', 'period of insurance', 'underwriter', 'no claims discount', 'beneficiary', 'premiums', 'versicherungsnummer', 'versicherungsbeginn',
      'versicherungssumme', 'deckung', 'deckungssumme', 'tarif', 'schadennummer', 'versicherer', 'versicherte person', 'versicherungsschutz', 'hauptfalligkeit', 'versicherungsjahr',
      'leistungsfall', 'risiko', 'zahlweise',
    ],
    patterns: [],
  }),
  rule('medical', {
    titles: [
      'arztbrief', 'entlassungsbrief', 'befund', 'prescription', 'impfpass', 'blood test results', 'ordonnance', 'discharge summary', 'discharge letter', 'medical report', 'lab report',
      'laborbefund', 'arztbericht', 'krankmeldung', 'arbeitsunfahigkeitsbescheinigung', 'vaccination record', 'impfnachweis', 'medical certificate', 'arztliche bescheinigung', 'attest',
      'fit note', 'sick note', 'entlassbrief', 'befundbericht', 'patientenbrief',
    ],
    keywords: [
      'patient', 'patientin', 'diagnosis', 'diagnoses', 'physician', 'hospital', 'clinic', 'treatment', 'medication', 'medicines', 'mg', 'dose', 'blood', 'reference range', 'laboratory',
      'laboratory results', 'gp', 'nhs', 'symptoms', 'follow-up', 'referral', 'allergy', 'surgery', 'diagnose', 'diagnosen', 'therapie', 'klinikum', 'klinik', 'praxis', 'arzt', 'arztin', 'hausarzt',
      'facharzt', 'stationar', 'medikation', 'rezept', 'impfung',
      'anamnese', 'untersuchung', 'behandlung', 'labor', 'laborwerte', 'blutdruck', 'entlassung', 'krankenhaus', 'oberarzt', 'oberarztin', 'chefarzt', 'dr med', 'tabletten', 'einnahme',
      'medikamente', 'arbeitsunfahig', 'arbeitsunfahigkeit', 'beschwerden', 'nachsorge', 'wiedervorstellung', 'discharge', 'admitted', 'admission', 'examination', 'blood pressure',
      'prescribed', 'tablets', 'consultant', 'outpatient', 'inpatient', 'ward', 'test results', 'vaccination', 'mri', 'x ray', 'ecg', 'ekg', 'ultrasound', 'sonographie', 'rontgen',
      'dosage', 'twice daily', 'once daily', 'patient name', 'nhs number', 'gp surgery', 'behandelnde arztin', 'behandelnder arzt', 'krankenkasse', 'versichertennummer', 'icd', 'icd-10',
      '*praxis', 'arzte', 'facharzte', 'allgemeinmedizin', 'innere medizin', 'blutuntersuchung', 'blutbild', 'blutwerte', 'blutzucker', 'cholesterin', 'diabetes', 'normbereich', 'referenzbereich',
      'sprechstunde', 'blood test', 'blood count', 'cholesterol', 'blood sugar', 'normal range', 'practice nurse', 'gp practice',
    ],
    patterns: [String.raw`\b\d+(?:[.,]\d+)?\s?(mg|ml|µg|mmol/l|mg/dl|g/l|ie)\b`],
  }),
  rule('id-document', {
    titles: [
      'passport', 'reisepass', 'personalausweis', 'identity card', 'driving licence', 'driver license', 'drivers license', 'fuhrerschein', 'carte d identite', 'passeport',
      'aufenthaltstitel', 'residence permit', 'national identity card', 'id card', 'permis de conduire', 'identiteitskaart', 'rijbewijs', 'kinderreisepass', 'bpr',
    ],
    keywords: [
      'date of expiry', 'expiry', 'date of issue', 'nationality', 'date of birth', 'place of birth', 'given names', 'surname', 'valid until', 'identity card', 'staatsangehorigkeit', 'geburtstag',
      'geburtsort', 'gultig bis', 'vornamen', 'ausweisnummer', 'behorde',
      'ausstellungsdatum', 'ausgestellt am', 'ausstellende behorde', 'geburtsdatum', 'geburtsname', 'familienname', 'augenfarbe', 'grosse', 'wohnort', 'pass-nr', 'passnummer',
      'dokumentennummer', 'fahrerlaubnis', 'fahrerlaubnisklassen', 'aufenthaltserlaubnis', 'document number', 'document no', 'passport no', 'passport number', 'issuing authority',
      'licence number', 'license number', 'eye colour', 'eye color', 'issuing country', 'country of issue', 'personal number', 'signature of holder', 'nationalitat',
    ],
    patterns: [String.raw`P<[A-Z]{1,3}<`, String.raw`^[A-Z0-9<]{25,44}$`, String.raw`^\s*4[abc]\.\s`],
    weight: 1.3,
  }),
  rule('manual', {
    titles: [
      'user manual', 'user guide', 'owner s guide', 'owner s manual', 'quick start guide', 'quick setup', 'installation guide', 'bedienungsanleitung', 'gebrauchsanleitung', 'betriebsanleitung',
      'mode d emploi', 'handleiding',
      'anleitung', 'montageanleitung', 'kurzanleitung', 'installationsanleitung', 'benutzerhandbuch', 'handbuch', 'instruction manual', 'instructions for use', 'assembly instructions',
      'operating manual', 'notice d utilisation', 'gebrauchsanweisung', 'aufbauanleitung', 'bedienungshinweise', 'setup guide',
      'care instructions', 'care guide', 'use and care', 'washing instructions', 'pflegehinweise', 'pflegeanleitung', 'how to use',
    ],
    keywords: [
      'manual', 'installation', 'troubleshooting', 'instructions', 'getting started', 'specifications', 'operating instructions', 'before first use', 'warning', 'caution', 'maintenance', 'cleaning',
      'unplug', 'appliance', 'what s in the box', 'sicherheitshinweise', 'hinweise', 'schritt', 'gerat', 'storungen', 'wichtig', 'reinigung', 'bedienung', 'einstellen', 'drucken',
      'button', 'switch on', 'switch off', 'turn on', 'turn off', 'connect', 'battery', 'charging', 'settings', 'safety instructions', 'safety information', 'warranty', 'power cord',
      'plug', 'descaling', 'descale', 'filter', 'error code', 'taste', 'einschalten', 'ausschalten', 'anschliessen', 'einsetzen', 'akku', 'aufladen', 'anzeige', 'einstellungen',
      'auswahlen', 'hinweis', 'achtung', 'warnung', 'vorsicht', 'garantie', 'fehlerbehebung', 'inbetriebnahme', 'montage', 'aufbau', 'lieferumfang', 'technische daten', 'entkalken',
      'wartung', 'pflege', 'netzstecker', 'steckdose', 'bestimmungsgemasser gebrauch', 'intended use', 'packungsinhalt', 'zubehor', 'accessories',
      'dishwasher', 'dishwasher safe', 'spulmaschine', 'spulmaschinengeeignet', 'hand wash', 'handwasche', 'before using', 'after use', 'after each use', 'vor dem ersten gebrauch',
      'nach dem gebrauch', 'nach jedem gebrauch', 'never leave', 'do not immerse', 'nicht eintauchen',
    ],
    patterns: [String.raw`^\s*(step|schritt)\s*\d`, String.raw`^\s*\d+[.)]\s+\p{Lu}\p{Ll}+\s`],
  }),
  rule('paper', {
    titles: [
      'abstract', 'bachelorarbeit', 'dissertation', 'proceedings', 'working paper', 'masterarbeit', 'seminararbeit', 'hausarbeit', 'thesis', 'research article', 'preprint', 'doktorarbeit',
      'habilitation', 'conference paper', 'original article', 'original research',
    ],
    keywords: [
      'abstract', 'introduction', 'references', 'arxiv', 'doi', 'et al', 'related work', 'conclusion', 'university', 'department', 'experiments', 'we propose', 'in this paper', 'we describe',
      'we show', 'we study', 'we use', 'methods', 'results', 'discussion', 'keywords', 'journal', 'conference', 'dataset', 'corpus', 'evaluated', 'baseline', 'zusammenfassung', 'schlusselworter',
      'einleitung', 'literatur', 'vgl', 'studie', 'untersucht', 'ergebnisse', 'universitat', 'institut', 'zeitschrift',
      'methode', 'methodik', 'stichprobe', 'hypothese', 'signifikant', 'korrelation', 'diskussion', 'forschung', 'befragung', 'teilnehmende', 'probanden', 'autoren', 'hypothesis',
      'significant', 'significantly', 'sample', 'participants', 'literature', 'we found', 'our results', 'this study', 'previous studies', 'statistically', 'regression', 'cohort',
      'methodology', 'limitations', 'future work', 'acknowledgements', 'acknowledgments', 'funding', 'appendix', 'abbildung', 'tabelle', 'forschungsfrage', 'theoretischer rahmen',
      'fragestellung', 'schlussfolgerung', 'issn', 'isbn',
    ],
    patterns: [String.raw`\[\d+\]`, String.raw`\(\p{Lu}[\p{L}-]+(?: et al\.?| and \p{Lu}[\p{L}-]+)?,? (?:19|20)\d{2}\)`, String.raw`\b95\s?% ci\b`],
    weight: 0.9,
  }),
  rule('report', {
    titles: [
      'report', 'annual report', 'quarterly report', 'operations review', 'minutes', 'bericht', 'jahresbericht', 'rapport', 'verslag', 'status report', 'progress report',
      'inspection report', 'audit report', 'incident report', 'statusbericht', 'tatigkeitsbericht', 'geschaftsbericht', 'prufbericht', 'protokoll', 'sitzungsprotokoll', 'quartalsbericht',
      'monatsbericht', 'abschlussbericht', 'projektbericht', 'ergebnisprotokoll', 'meeting minutes', 'summary report', 'evaluation report', 'sachstandsbericht', 'lagebericht',
      'rechenschaftsbericht', 'jahresruckblick', 'annual review',
    ],
    keywords: [
      'executive summary', 'findings', 'recommendations', 'analysis', 'key findings', 'key figures', 'objectives', 'next steps', 'inspection', 'outlook', 'year on year', 'ausblick', 'berichtsjahr',
      'massnahmen', 'empfehlungen', 'vorjahr',
      '*bericht', 'overview', 'key performance indicators', 'kpi', 'kpis', 'highlights', 'quarter', 'compared with last year', 'prepared by', 'reporting period', 'incidents', 'budget',
      'variance', 'conclusions', 'attendees', 'agenda', 'action items', 'action points', 'uberblick', 'berichtszeitraum', 'kennzahlen', 'entwicklung', 'im vergleich zum vorjahr', 'fazit',
      'bilanz', 'umsatz', 'mitarbeitende', 'sitzung', 'tagesordnung', 'teilnehmer', 'teilnehmende', 'beschluss', 'beschlusse', 'auswertung', 'quartal', 'zielerreichung',
      'handlungsempfehlungen', 'erkenntnisse', 'zusammenfassung', 'risiken', 'chancen', 'mitglieder', 'jahresruckblick', 'statistik',
      'incident', 'root cause', 'root causes', 'corrective action', 'corrective actions', 'preventive action', 'lessons learned', 'what happened', 'investigation', 'near miss',
      'vorfall', 'ursache', 'ursachen', 'ursachenanalyse', 'korrekturmassnahmen', 'unfallhergang', 'sachverhalt',
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
