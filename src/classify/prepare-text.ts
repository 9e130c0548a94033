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

export { redactPii as redact } from '../text/pii.js';
