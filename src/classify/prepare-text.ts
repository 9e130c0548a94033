/**
 * What leaves the machine: the text cut to a token budget, keeping the first and the last pages
 * (letterheads and totals are there), and optionally with personal data masked.
 */

/** A rough, deliberately pessimistic count; providers bill by their own tokenizers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

const PAGE_BREAK = '\n\f\n';
const GAP = '\n[…]\n';

export function cutToBudget(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const budget = Math.floor(maxTokens * 3.5);
  if (text.length <= budget) return { text, truncated: false };
  const pages = text.split(PAGE_BREAK);
  // Whole first and last pages when they fit, otherwise the head and the tail of the text.
  const first = pages[0] ?? '';
  const last = pages.length > 1 ? (pages[pages.length - 1] ?? '') : '';
  if (pages.length > 1 && first.length + last.length + GAP.length <= budget) {
    let head = first;
    let index = 1;
    while (index < pages.length - 1 && head.length + PAGE_BREAK.length + (pages[index] as string).length + GAP.length + last.length <= budget) {
      head += PAGE_BREAK + (pages[index] as string);
      index += 1;
    }
    return { text: `${head}${GAP}${last}`, truncated: true };
  }
  const headLength = Math.floor((budget - GAP.length) * 0.7);
  const tailLength = budget - GAP.length - headLength;
  return { text: `${text.slice(0, headLength)}${GAP}${text.slice(text.length - tailLength)}`, truncated: true };
}

const BUILT_IN_PATTERNS: [string, RegExp][] = [
  ['EMAIL', /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu],
  ['IBAN', /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g],
  ['CARD', /\b(?:\d[ -]?){12,18}\d\b/g],
  ['PHONE', /(?<![\w.])(?:\+|00)?\d{1,4}(?:[ .\-/]?\(\d{1,5}\))?(?:[ .\-/]?\d{2,8}){1,5}(?!\w|[.,]\d)/g],
];

/** Masks personal data in place of sending it; nothing is restored afterwards. */
export function redact(text: string, extraPatterns: readonly string[]): { text: string; masked: number } {
  let masked = 0;
  let result = text;
  for (const [label, pattern] of BUILT_IN_PATTERNS) {
    result = result.replace(pattern, (match) => {
      if (label === 'CARD' && !luhn(match)) return match;
      // Dates and amounts look like phone numbers; a phone number has at least 7 digits.
      if (label === 'PHONE' && (match.replace(/\D/g, '').length < 7 || /^\d{4}-\d{2}-\d{2}$/.test(match) || /^\d{1,2}[./]\d{1,2}[./]\d{2,4}$/.test(match))) return match;
      masked += 1;
      return `[${label}]`;
    });
  }
  for (const source of extraPatterns) {
    result = result.replace(new RegExp(source, 'gu'), () => {
      masked += 1;
      return '[REDACTED]';
    });
  }
  return { text: result, masked };
}

function luhn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
