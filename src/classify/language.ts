import { foldText } from '../text/fold.js';

const STOPWORDS: Record<string, string[]> = {
  en: ['the', 'and', 'of', 'to', 'in', 'is', 'for', 'that', 'with', 'this', 'on', 'are', 'be', 'as', 'by', 'your', 'you', 'from', 'it', 'not'],
  de: ['der', 'die', 'und', 'das', 'ist', 'nicht', 'mit', 'sie', 'den', 'ein', 'eine', 'auf', 'fur', 'zu', 'von', 'wir', 'ihre', 'bei', 'auch', 'des'],
  fr: ['le', 'la', 'les', 'et', 'des', 'est', 'une', 'pour', 'que', 'dans', 'du', 'en', 'pas', 'sur', 'au', 'vous', 'avec', 'par', 'qui', 'ce'],
  es: ['el', 'la', 'los', 'las', 'que', 'en', 'es', 'por', 'para', 'con', 'una', 'del', 'se', 'su', 'como', 'al', 'lo', 'sus', 'todos', 'y'],
  nl: ['de', 'het', 'een', 'en', 'van', 'is', 'niet', 'op', 'met', 'voor', 'zijn', 'dat', 'die', 'te', 'aan', 'wordt', 'ook', 'bij', 'uw', 'wij'],
  it: ['il', 'di', 'che', 'la', 'per', 'non', 'una', 'sono', 'del', 'della', 'gli', 'le', 'con', 'nel', 'alla', 'anche', 'questo', 'essere', 'dei', 'e'],
  pt: ['de', 'que', 'nao', 'uma', 'para', 'com', 'os', 'as', 'do', 'da', 'em', 'por', 'mais', 'dos', 'das', 'como', 'seu', 'sua', 'ao', 'e'],
  pl: ['i', 'w', 'nie', 'na', 'sie', 'z', 'jest', 'do', 'to', 'ze', 'za', 'od', 'po', 'dla', 'przez', 'jak', 'oraz', 'lub', 'tak', 'ale'],
};

/** A stop-word vote: good enough to tell the common European languages apart on a page of text. */
export function guessLanguage(text: string): string | null {
  const words = foldText(text.slice(0, 20_000)).match(/[a-z]+/g) ?? [];
  if (words.length < 8) return null;
  const counts = new Map<string, number>();
  for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  let best: string | null = null;
  let bestScore = 0;
  for (const [language, stopwords] of Object.entries(STOPWORDS)) {
    const score = stopwords.reduce((sum, word) => sum + (counts.get(word) ?? 0), 0);
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return bestScore / words.length >= 0.05 ? best : null;
}
