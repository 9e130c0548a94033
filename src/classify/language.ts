/**
 * The language of a text, as an ISO 639-1 code, by eld (Efficient Language Detector: 60
 * languages in every script, n-gram models shipped in the package, no network). The extra-small
 * model loads once per process and only when a document is classified: about 0.3 CPU-seconds in
 * the bundle, which carries it as JSON (scripts/build.mjs), 0.7 from eld's own module.
 */

interface Detector {
  detect(text: string): { language: string; isReliable(): boolean };
}

let detector: Promise<Detector> | undefined;

function loadDetector(): Promise<Detector> {
  detector ??= import('eld/extrasmall').then((module) => module.eld as Detector);
  return detector;
}

/** Enough text to say: a few words in alphabetic scripts, fewer characters in CJK. */
function tooShort(sample: string): boolean {
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  const ideographs = sample.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  return ideographs < 8 && letters < 30;
}

export async function detectLanguage(text: string): Promise<string | null> {
  const sample = text.slice(0, 20_000);
  if (tooShort(sample)) return null;
  const result = (await loadDetector()).detect(sample);
  return result.language && result.isReliable() ? result.language : null;
}
