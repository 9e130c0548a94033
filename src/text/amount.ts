/**
 * Amounts as people write them, read the same way wherever they come from: a document's text
 * (classify/money.ts), an AI provider's answer, `doccat set --field` and a search for total>1,000.
 */

/**
 * A number as written in any common locale. A single separator followed by exactly three digits
 * is read as thousands ("1.234", "1,234"): totals of a thousand are commoner than amounts with
 * three decimals on invoices.
 */
export function parseAmount(written: string): number | undefined {
  let text = written.replace(/[\s\u00a0\u202f']/g, '');
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  if (!/^\d[\d.,]*$/.test(text)) return undefined;
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let integer = text;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = Math.max(lastDot, lastComma);
    integer = text.slice(0, decimal);
    fraction = text.slice(decimal + 1);
  } else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? '.' : ',';
    const parts = text.split(separator);
    const tail = parts[parts.length - 1] as string;
    // "0.125" has no thousands in it: a group of three after a lone 0 is decimals.
    if (parts.length === 2 && (tail.length !== 3 || parts[0] === '0')) {
      integer = parts[0] as string;
      fraction = tail;
    }
  }
  integer = integer.replace(/[.,]/g, '');
  if (!/^\d+$/.test(integer) || !/^\d*$/.test(fraction)) return undefined;
  const value = Number(`${integer}.${fraction || '0'}`);
  if (!Number.isFinite(value)) return undefined;
  return Math.round((negative ? -value : value) * 100) / 100;
}
