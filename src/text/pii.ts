const BUILT_IN_PATTERNS: [string, RegExp][] = [
  ['EMAIL', /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu],
  ['IBAN', /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g],
  ['CARD', /\b(?:\d[ -]?){12,18}\d\b/g],
  ['PHONE', /(?<![\w.])(?:\+|00)?\d{1,4}(?:[ .\-/]?\(\d{1,5}\))?(?:[ .\-/]?\d{2,8}){1,5}(?!\w|[.,]\d)/g],
];

/**
 * Masks personal data (e-mail addresses, IBANs, Luhn-valid card numbers, phone numbers) and the
 * configured patterns; nothing is restored afterwards. Used on text sent to providers and on logs.
 */
export function redactPii(text: string, extraPatterns: readonly string[], builtIn = true): { text: string; masked: number } {
  let masked = 0;
  let result = text;
  for (const [label, pattern] of builtIn ? BUILT_IN_PATTERNS : []) {
    result = result.replace(pattern, (match) => {
      if (label === 'CARD' && !luhn(match)) return match;
      // Dates and amounts look like phone numbers; a phone number has 7 to 15 digits (E.164
      // allows no more), so a longer run (an order or account number) is not one.
      if (label === 'PHONE' && (!between(match.replace(/\D/g, '').length, 7, 15) || /^\d{4}-\d{2}-\d{2}$/.test(match) || /^\d{1,2}[./]\d{1,2}[./]\d{2,4}$/.test(match))) return match;
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

function between(value: number, low: number, high: number): boolean {
  return value >= low && value <= high;
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
