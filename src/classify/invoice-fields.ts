import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { findDates, settledMonthFirst } from './facts.js';
import { dominantCurrency, findAmounts, type Money } from './money.js';
import { cellBelow, cellBeside, cellRows } from './layout-cells.js';

/**
 * Invoice fields read by label, without per-vendor templates: totals as numbers with a currency,
 * the invoice number, the due date, an IBAN whose checksum holds, a VAT id. Labels are English
 * and German first, then Dutch, French and a few others. Text layers of PDFs often put a label
 * column after its values ("993548900 Factuurnummer:"), so a label that ends its line also looks
 * before itself on that line and, for numbers and dates, on the next line.
 */

export interface InvoiceFields {
  total?: Money;
  subtotal?: Money;
  tax?: Money;
  invoiceNumber?: string;
  dueDate?: string;
  iban?: string;
  vatId?: string;
}

const NOT_LETTER_BEFORE = String.raw`(?<![\p{L}\p{N}])`;
const NOT_LETTER_AFTER = String.raw`(?![\p{L}])`;

function labels(words: string): RegExp {
  return new RegExp(`${NOT_LETTER_BEFORE}(?:${words})${NOT_LETTER_AFTER}`, 'giu');
}

/** What a person pays: stronger labels than a bare "total", which may be a column or a line. */
const FINAL_TOTAL = labels(
  [
    'amount due', 'balance due', 'total due', 'total amount due', 'total amount', 'amount payable', 'grand total', 'invoice total', 'total to pay', 'total payable', 'amount to pay',
    'total (?:incl(?:\\.|uding)?|inkl\\.?)(?: vat| tax| mwst\\.?| ust\\.?)?', 'gesamtbetrag', 'rechnungsbetrag', 'endbetrag', 'zahlbetrag', 'zu zahlen(?:der betrag)?', 'gesamtsumme', 'bruttobetrag', 'summe brutto',
    'te betalen', 'factuur totaal', 'totaal te betalen', 'total ttc', 'montant ttc', 'net [àa] payer', 'somme [àa] payer', 'montant total', 'totale fattura', 'importe total',
    'nale[żz]no[śs][ćc] og[óo][łl]em', 'do zap[łl]aty',
  ].join('|'),
);
const PLAIN_TOTAL = labels('total|totaal|gesamt|summe|totale|razem');
/** Totals before tax, never the amount due. */
const NET_TOTAL = labels(
  ['sub-?total', 'subtotaal', 'zwischensumme', 'nettobetrag', 'summe netto', 'netto(?:summe)?', 'total (?:ht|net|excl(?:\\.|uding)?(?: vat| tax)?|before tax|hors taxes)', 'exclusief btw', 'montant ht', 'amount untaxed', 'net amount'].join('|'),
);
const TAX = labels(['vat', 'tax', 'sales tax', 'mwst\\.?', 'ust\\.?', 'umsatzsteuer', 'mehrwertsteuer', 'tva', 'btw', 'iva', 'gst'].join('|'));

const INVOICE_WORD = 'invoice|rechnung|factuur|facture|faktura|fattura|factura|fatura';
const NUMBER_WORD = String.raw`no\.?|nr\.?|number|nummer|num[ée]ro|n[°º]|#`;
const INVOICE_NUMBER = new RegExp(
  `${NOT_LETTER_BEFORE}(?:(?:${INVOICE_WORD})[ \\t]*(?:${NUMBER_WORD})|rechnungs-?(?:nummer|nr\\.?)|factuurnummer|invoice#|inv\\.?[ \\t]*(?:no\\.?|#))(?![\\p{L}])`,
  'giu',
);
/** A document reference when no invoice number is given: receipts, bookings. */
const OTHER_NUMBER = labels(['receipt (?:no\\.?|number|#)', 'quittungs?-?(?:nummer|nr\\.?)', 'beleg-?(?:nummer|nr\\.?)', 'bon-?(?:nummer|nr\\.?)', 'booking (?:id|reference|no\\.?|number)', 'buchungs-?(?:nummer|nr\\.?)', 'transaction (?:id|no\\.?)'].join('|'));
/** An invoice heading followed by its number: "Invoice INV/2023/03/0008". */
const INVOICE_HEADING = new RegExp(`^[ \\t]*(?:${INVOICE_WORD})[ \\t]*[:#]?[ \\t]*([A-Za-z]{0,6}[\\w/.-]*\\d[\\w/.-]*)[ \\t]*$`, 'gimu');

const DUE = labels(
  [
    'due date', 'date due', 'payment due(?: date| by| on)?', 'due (?:on|by)', 'pay(?:able)? by', 'f[äa]llig(?:keitsdatum| am| bis| zum)?', 'zahlbar bis', 'zahlungsziel', 'zahlungsfrist',
    'vervaldatum', 'te betalen voor', 'date limite de paiement', "date d['’][ée]ch[ée]ance", '[ée]ch[ée]ance', 'scadenza', 'termin p[łl]atno[śs]ci',
  ].join('|'),
);

/** A reference token: letters, digits and the usual joiners, holding at least one digit. */
const REFERENCE = String.raw`[A-Za-z0-9][\w/.\-]*\d[\w/.\-]*|\d`;

interface Line {
  text: string;
  start: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const text_ of text.split('\n')) {
    lines.push({ text: text_, start });
    start += text_.length + 1;
  }
  return lines;
}

function lineAt(lines: readonly Line[], index: number): number {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lines[middle] as Line).start <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** A line that is only a label: "Balance Due:", "Tax (0%):". */
function isLabelLine(text: string): boolean {
  return /^[ \t]*[\p{L}][^:]{0,38}:[ \t]*$/u.test(text);
}

/**
 * The value paired with a label in a column layout, where the text layer lists a column of values
 * and then the column of their labels ("$127.50 / $0.00 / $127.50" then "Subtotal: / Tax: /
 * Total:"): the n-th label of a run of label lines goes with the n-th of the same number of lines
 * just before the run.
 */
export function columnValue(lines: readonly Line[], lineIndex: number): string | undefined {
  if (!isLabelLine((lines[lineIndex] as Line).text)) return undefined;
  let first = lineIndex;
  while (first > 0 && isLabelLine((lines[first - 1] as Line).text)) first -= 1;
  let last = lineIndex;
  while (last + 1 < lines.length && isLabelLine((lines[last + 1] as Line).text)) last += 1;
  const count = last - first + 1;
  if (count < 2 || first - count < 0) return undefined;
  const values = lines.slice(first - count, first).map((line) => line.text.trim());
  if (values.some((value) => value === '' || value.endsWith(':'))) return undefined;
  return values[lineIndex - first];
}

/** Amounts that are not percentages and not parts of a date. */
function moneyIn(text: string): ReturnType<typeof findAmounts> {
  const dates = findDates(text, false).map((date) => date.index);
  const dateSpans = [...text.matchAll(/\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\b\d{1,2}\.?\s+\p{L}{3,9}\.?,?\s+\d{4}|\p{L}{3,9}\.?\s+\d{1,2}\s*,?\s*\d{4}/gu)].map((match) => [match.index, match.index + match[0].length] as const);
  return findAmounts(text).filter((amount) => {
    if (/^\s*%/.test(text.slice(amount.end))) return false;
    if (dates.includes(amount.index)) return false;
    return !dateSpans.some(([start, end]) => amount.index >= start && amount.index < end);
  });
}

interface LabelledAmount {
  money: Money;
  index: number;
}

/**
 * The amount a label names: the first after it on its line (one with a currency first), or,
 * when the label ends its line, the first on that line before it.
 */
function labelledAmounts(lines: readonly Line[], matches: readonly LabelMatch[], pick: 'first' | 'last' = 'first'): LabelledAmount[] {
  const found: LabelledAmount[] = [];
  for (const match of matches) {
    const line = lines[lineAt(lines, match.index)] as Line;
    const labelEnd = match.end - line.start;
    const after = moneyIn(line.text.slice(labelEnd));
    let chosen = pick === 'last' ? after[after.length - 1] : (after.find((amount) => amount.marked) ?? after[0]);
    if (!chosen && /^[\s:.*)]*$/.test(line.text.slice(labelEnd))) {
      chosen = moneyIn(line.text.slice(0, match.index - line.start))[0];
      const paired = chosen ? undefined : columnValue(lines, lineAt(lines, match.index));
      if (paired !== undefined) chosen = moneyIn(paired)[0];
    }
    if (!chosen) continue;
    const currency = chosen.currency ?? moneyIn(line.text).find((amount) => amount.currency)?.currency ?? null;
    found.push({ money: { amount: chosen.amount, currency }, index: match.index });
  }
  return found;
}

interface LabelMatch {
  index: number;
  end: number;
}

/** Where a label pattern matches, except inside a match of another (a subtotal is no total). */
function labelMatches(text: string, pattern: RegExp, ...excluded: RegExp[]): LabelMatch[] {
  const spans = excluded.flatMap((other) => [...text.matchAll(other)].map((match) => [match.index, match.index + match[0].length] as const));
  return [...text.matchAll(pattern)]
    .filter((match) => !spans.some(([start, end]) => match.index >= start && match.index < end))
    .map((match) => ({ index: match.index, end: match.index + match[0].length }));
}

function withCurrency(money: Money | undefined, fallback: string | null): Money | undefined {
  if (!money) return undefined;
  return { amount: money.amount, currency: money.currency ?? fallback };
}

/** Invoice fields in a document's text. */
export function findInvoiceFields(text: string, preferMonthFirst: boolean, layoutText?: string): InvoiceFields {
  const body = text.slice(0, 60_000);
  const lines = linesOf(body);
  const fallbackCurrency = dominantCurrency(body);
  const fields: InvoiceFields = {};

  // The last amount under the strongest label: grand totals follow subtotals and tax lines.
  const final = labelledAmounts(lines, labelMatches(body, FINAL_TOTAL, NET_TOTAL));
  const plain = labelledAmounts(lines, labelMatches(body, PLAIN_TOTAL, NET_TOTAL, FINAL_TOTAL));
  const total = (final.length > 0 ? final : plain).at(-1)?.money;
  const subtotal = labelledAmounts(lines, labelMatches(body, NET_TOTAL)).at(-1)?.money;
  const tax = labelledAmounts(lines, labelMatches(body, TAX, NET_TOTAL, FINAL_TOTAL, labels('tax(?: |-)?(?:id|number|no\\.?|nr\\.?|return|year)|vat(?: |-)?(?:id|reg(?:istration)?|number|no\\.?|nr\\.?)|tva intra(?:communautaire)?|n[°º] de tva|btw(?:-| )?(?:nummer|nr\\.?)|ust-?id(?:nr)?\\.?|steuer-?nr\\.?|steuernummer')), 'last').at(-1)?.money;
  const assign = (key: 'total' | 'subtotal' | 'tax', money: Money | undefined) => {
    const value = withCurrency(money, fallbackCurrency);
    if (value) fields[key] = value;
  };
  assign('total', total);
  assign('subtotal', subtotal);
  assign('tax', tax);

  const number = findInvoiceNumber(body, lines, layoutText ?? body);
  if (number) fields.invoiceNumber = number;
  // Read in the order the whole document shows, as its date is (facts.ts documentDate), though
  // findDueDate looks at pieces of it.
  const due = findDueDate(body, lines, settledMonthFirst(body.slice(0, 20_000), preferMonthFirst));
  if (due) fields.dueDate = due;
  const iban = findValidIban(body);
  if (iban) fields.iban = iban;
  const vatId = findVatId(body);
  if (vatId) fields.vatId = vatId;
  return fields;
}

/** The reference a label names: after it on its line, else on the next line, else before it. */
function labelledReference(body: string, lines: readonly Line[], pattern: RegExp): string | undefined {
  const after = new RegExp(String.raw`^[ \t]*[:.#]?[ \t]*[:#]?[ \t]*((?:[A-Z]{1,3} )?(?:${REFERENCE}))`, 'u');
  for (const match of body.matchAll(pattern)) {
    const lineIndex = lineAt(lines, match.index);
    const line = lines[lineIndex] as Line;
    const rest = line.text.slice(match.index + match[0].length - line.start);
    const same = after.exec(rest);
    if (same?.[1]) return same[1].replace(/[.-]+$/, '');
    if (!/^[\s:.#]*$/.test(rest)) continue;
    const before = [...line.text.slice(0, match.index - line.start).matchAll(new RegExp(`(?:^|\\s)(${REFERENCE})(?=\\s|$)`, 'gu'))].at(-1)?.[1];
    if (before) return before;
    const paired = columnValue(lines, lineIndex);
    const column = paired === undefined ? undefined : new RegExp(`^#?[ \\t]*(${REFERENCE})$`, 'u').exec(paired)?.[1];
    if (column) return column;
    const next = lines[lineIndex + 1]?.text ?? '';
    const below = new RegExp(`^[ \\t]*#?[ \\t]*(${REFERENCE})[ \\t]*$`, 'u').exec(next);
    if (below?.[1]) return below[1];
  }
  return undefined;
}

function findInvoiceNumber(body: string, lines: readonly Line[], layout: string): string | undefined {
  const head = body.slice(0, 20_000);
  const labelled = labelledReference(head, lines, INVOICE_NUMBER);
  if (labelled) return labelled;
  const heading = [...head.matchAll(INVOICE_HEADING)][0]?.[1];
  if (heading) return heading;
  // "INVOICE" on a line of its own and "# 1234" on the next.
  const hashed = new RegExp(`^[ \\t]*(?:${INVOICE_WORD})[ \\t]*\\n[ \\t]*#[ \\t]*(${REFERENCE})[ \\t]*$`, 'imu').exec(head);
  if (hashed?.[1]) return hashed[1];
  const laidOut = layoutInvoiceNumber(layout.slice(0, 20_000));
  if (laidOut) return laidOut;
  return labelledReference(head, lines, OTHER_NUMBER);
}

const LABEL_CELL_REST = /^[\s:.#]*$/u;
const INVOICE_WORD_CELL = new RegExp(`^(?:${INVOICE_WORD})[ \\t]*[:#]?$`, 'iu');
const REFERENCE_CELL = new RegExp(`^#?[ \\t]*(${REFERENCE})$`, 'u');

/**
 * The invoice number in a text laid out by position, where the reading order of the text layer
 * parted it from its label: a cell that is an invoice-number label ("Rechnungsnr.", "Invoice
 * No:") with the number in the cell beside it or below it, or a column headed by the invoice word
 * alone ("Invoice" in a row of headings such as "Customer  Order  Invoice  Due date") with the
 * number under it. A value must be a single reference holding a digit, and not a date.
 */
export function layoutInvoiceNumber(layout: string): string | undefined {
  const rows = cellRows(layout);
  const reference = (text: string | undefined) => {
    const value = text === undefined ? undefined : REFERENCE_CELL.exec(text)?.[1];
    return value !== undefined && findDates(value, false).length === 0 && !/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(value) ? value : undefined;
  };
  for (const [row, cells] of rows.entries()) {
    for (const [index, cell] of cells.entries()) {
      INVOICE_NUMBER.lastIndex = 0;
      const label = INVOICE_NUMBER.exec(cell.text);
      if (label && LABEL_CELL_REST.test(cell.text.slice(label.index + label[0].length))) {
        const value = reference(cellBeside(rows, row, index)?.text) ?? reference(cellBelow(rows, row, cell)?.text);
        if (value) return value;
      } else if (cells.length >= 2 && INVOICE_WORD_CELL.test(cell.text)) {
        // A heading in a row of headings: a title "Invoice" on a line of its own heads no column.
        const value = reference(cellBelow(rows, row, cell)?.text);
        if (value) return value;
      }
    }
  }
  return undefined;
}

function findDueDate(body: string, lines: readonly Line[], preferMonthFirst: boolean): string | undefined {
  for (const match of body.matchAll(DUE)) {
    const labelEnd = match.index + match[0].length;
    const lineIndex = lineAt(lines, match.index);
    const line = lines[lineIndex] as Line;
    if (/^[\s:.]*$/.test(line.text.slice(labelEnd - line.start))) {
      const before = findDates(line.text.slice(0, match.index - line.start), preferMonthFirst).at(-1);
      if (before) return before.iso;
      const paired = columnValue(lines, lineIndex);
      const column = paired === undefined ? undefined : findDates(paired, preferMonthFirst)[0];
      if (column) return column.iso;
    }
    const near = findDates(body.slice(labelEnd, labelEnd + 60), preferMonthFirst)[0];
    if (near) return near.iso;
  }
  return undefined;
}

/** The first IBAN in the text whose mod-97 checksum and national length hold. */
export function findValidIban(text: string): string | undefined {
  for (const match of text.slice(0, 60_000).matchAll(/(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,32})/g)) {
    const compact = (match[1] as string).replace(/ /g, '');
    // The greedy match may run into the next word ("... 39 BIC"): try shorter prefixes too.
    for (let length = Math.min(compact.length, 34); length >= 15; length -= 1) {
      const candidate = electronicFormatIBAN(compact.slice(0, length)) ?? '';
      if (isValidIBAN(candidate)) return candidate;
    }
  }
  return undefined;
}

/** VAT identification numbers by their national shapes (the EU's VIES formats, CH, GB, NO). */
const VAT_SHAPES: RegExp[] = [
  /^ATU\d{8}$/, /^BE[01]\d{9}$/, /^BG\d{9,10}$/, /^CY\d{8}[A-Z]$/, /^CZ\d{8,10}$/, /^DE\d{9}$/, /^DK\d{8}$/, /^EE\d{9}$/, /^EL\d{9}$/, /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  /^FI\d{8}$/, /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/, /^GB(?:\d{9}|\d{12})$/, /^HR\d{11}$/, /^HU\d{8}$/, /^IE\d[A-Z0-9+*]\d{5}[A-W][A-I]?$/, /^IT\d{11}$/, /^LT(?:\d{9}|\d{12})$/,
  /^LU\d{8}$/, /^LV\d{11}$/, /^MT\d{8}$/, /^NL\d{9}B\d{2}$/, /^PL\d{10}$/, /^PT\d{9}$/, /^RO\d{2,10}$/, /^SE\d{12}$/, /^SI\d{8}$/, /^SK\d{10}$/, /^CHE\d{9}(?:MWST|TVA|IVA)?$/, /^NO\d{9}MVA$/,
];

const VAT_LABEL = labels(['ust-?id(?:-?nr)?\\.?', 'ust-?idnr\\.?', 'umsatzsteuer-?id(?:entifikations)?(?:-?nr\\.?|nummer)?', 'vat(?: reg(?:istration)?\\.?)?(?: no\\.?| number| id)', 'vat id', 'vat', 'tva intra(?:communautaire)?', 'n[°º] (?:de )?tva(?: intra ?communautaire)?', 'btw(?:-| )?(?:nummer|nr\\.?|id)?', 'partita iva', 'nip', 'mwst-?nr\\.?'].join('|'));

function vatShape(candidate: string): string | undefined {
  const compact = candidate.toUpperCase().replace(/[\s.\-]/g, '');
  return VAT_SHAPES.some((shape) => shape.test(compact)) ? compact : undefined;
}

/** A VAT id: after a VAT label, else any token of a national VAT shape. */
export function findVatId(text: string): string | undefined {
  const body = text.slice(0, 60_000);
  for (const match of body.matchAll(VAT_LABEL)) {
    const rest = body.slice(match.index + match[0].length, match.index + match[0].length + 40);
    const candidate = /^[\s:.#]*([A-Z]{2,3}[\s.\-]?[A-Z0-9][A-Z0-9 .\-]{5,18}[A-Z0-9])/u.exec(rest)?.[1];
    if (!candidate) continue;
    // Spaces group digits inside an id, but the id may be followed by more words: try shorter.
    const parts = candidate.split(/\s+/);
    for (let count = parts.length; count >= 1; count -= 1) {
      const id = vatShape(parts.slice(0, count).join(''));
      if (id) return id;
    }
  }
  for (const match of body.matchAll(/(?<![A-Za-z0-9])((?:ATU|CHE|[A-Z]{2})[0-9A-Z]{8,12})(?![A-Za-z0-9])/g)) {
    const id = vatShape(match[1] as string);
    // A bare shape must look like an id of its country and not be an IBAN (checked above) or a word.
    if (id && /\d{6}/.test(id)) return id;
  }
  return undefined;
}
