/**
 * Amounts of money as numbers with an ISO 4217 currency, read from the ways invoices write them:
 * "€ 4.904,94", "EUR 34,73", "$4.11", "US$ 12", "Rs 1939", "1 234,56 CHF", "£1,234.56".
 */
import { parseAmount } from '../text/amount.js';

export interface Money {
  amount: number;
  /** ISO 4217 code, upper case; null when the text names none. */
  currency: string | null;
}

/** Every currency code the runtime knows (ISO 4217), so "TTC" or "PCS" is never taken for one. */
const ISO_CODES = new Set(Intl.supportedValuesOf('currency'));

/** Symbols and abbreviations in front of or after amounts; longest first so "US$" wins over "$". */
const SYMBOLS: [string, string][] = [
  ['US$', 'USD'],
  ['CA$', 'CAD'],
  ['C$', 'CAD'],
  ['A$', 'AUD'],
  ['AU$', 'AUD'],
  ['NZ$', 'NZD'],
  ['HK$', 'HKD'],
  ['R$', 'BRL'],
  ['Rs.', 'INR'],
  ['Rs', 'INR'],
  ['₹', 'INR'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['¥', 'JPY'],
  ['zł', 'PLN'],
  ['Fr.', 'CHF'],
  ['$', 'USD'],
];

const SYMBOL_PATTERN = SYMBOLS.map(([symbol]) => symbol.replace(/[.$]/g, '\\$&')).join('|');

/**
 * A currency marker (code or symbol) and a number, either order, with the separators of any
 * locale: 1.234,56 / 1,234.56 / 1 234,56 / 1'234.56 / 1234, and India's lakh grouping
 * 1,18,000.00. A plain space groups thousands only before a decimal comma: "1 278.61" in a table
 * is a quantity and a price. The code is case-sensitive on purpose: currency codes are written in
 * capitals, and words after an amount are not.
 */
export const MONEY_PATTERN = new RegExp(
  String.raw`(?:(?<before>${SYMBOL_PATTERN}|(?<![A-Za-z])[A-Z]{3}(?![A-Za-z]))[ \t\u00a0]*)?(?<![\p{L}\p{N}.,/])(?<number>-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+,\d{2}(?!\d)|-?\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?(?!\d)|-?\d{1,3}(?:[.,'\u00a0\u202f]\d{3})*(?:[.,]\d{1,2})?(?!\d)|-?\d+(?:[.,]\d{1,2})?(?!\d))(?![\/\p{L}])(?:[ \t\u00a0]*(?<after>${SYMBOL_PATTERN}|(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])))?`,
  'gu',
);

/** The ISO code for a symbol or a code, or undefined when it is neither. */
export function currencyCode(marker: string | undefined): string | undefined {
  if (!marker) return undefined;
  const symbol = SYMBOLS.find(([candidate]) => candidate === marker);
  if (symbol) return symbol[1];
  const upper = marker.toUpperCase();
  return ISO_CODES.has(upper) ? upper : undefined;
}

/** Every amount in a piece of text, in order, with where it starts and ends. */
export function findAmounts(text: string): (Money & { index: number; end: number; marked: boolean })[] {
  const found: (Money & { index: number; end: number; marked: boolean })[] = [];
  for (const match of text.matchAll(MONEY_PATTERN)) {
    const groups = match.groups ?? {};
    const before = currencyCode(groups.before);
    const after = currencyCode(groups.after);
    // A marker that is no currency ("PCS 49,99") does not make the number a non-amount.
    const amount = parseAmount(groups.number ?? '');
    if (amount === undefined) continue;
    let start = match.index;
    let end = match.index + match[0].length;
    if (groups.before && !before) start += match[0].indexOf(groups.number as string);
    if (groups.after && !after) end = start + match[0].slice(start - match.index).indexOf(groups.number as string) + (groups.number as string).length;
    found.push({ amount, currency: before ?? after ?? null, index: start, end, marked: Boolean(before ?? after) });
  }
  return found;
}

/** The currency a document is written in when an amount carries none: the one it names most. */
export function dominantCurrency(text: string): string | null {
  const counts = new Map<string, number>();
  for (const amount of findAmounts(text)) if (amount.currency) counts.set(amount.currency, (counts.get(amount.currency) ?? 0) + 1);
  for (const match of text.matchAll(/\b(US Dollars?|Euros?|Rupees?|Pounds? sterling|Swiss francs?)\b/gi)) {
    const word = (match[1] as string).toLowerCase();
    const code = word.startsWith('us') ? 'USD' : word.startsWith('euro') ? 'EUR' : word.startsWith('rupee') ? 'INR' : word.startsWith('pound') ? 'GBP' : 'CHF';
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [code, count] of counts) {
    if (count > bestCount) {
      best = code;
      bestCount = count;
    }
  }
  return best;
}
