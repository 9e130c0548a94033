/** Lower-cases and strips accents so "Grüße", "GRUSSE" and "grusse" compare equal enough. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss').toLowerCase();
}
