/** Lower-cases and strips accents so "Grüße", "GRUSSE" and "grusse" compare equal enough. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss').toLowerCase();
}

/**
 * Words as the search index sees them: folded, split on anything that is not a letter or digit.
 * Postgres catalogues index and query these tokens, so both sides split text the same way.
 */
export function searchTokens(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
