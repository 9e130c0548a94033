import { foldText } from '../../text/fold.js';
import { lineShapes } from './shapes.js';

/**
 * A document as hashed word and word-pair features (the "hashing trick": no vocabulary to keep
 * in step, a fixed cost per token). Words are folded like the search index folds them; numbers
 * and one-letter words carry little about a document's kind and are left out. Words in the first
 * lines (letterhead, heading) also count as heading features, since they say most about the kind.
 * The shapes of the lines (amounts, dates, numbered clauses: see shapes.ts) are features too.
 * The rules' evidence (their verdict and scores) is kept apart from the text's: it is a handful of
 * features every document has, which the model smooths and weighs as a block of its own (tables.ts).
 */

/** Text read per document: the kind of a document shows early, and the cost stays bounded. */
export const FEATURE_CHARS = 8_000;
const HEAD_CHARS = 400;
const HEAD_SEED = 0x9e3779b9;
const PAIR_SEED = 0x85ebca6b;
const SHAPE_SEED = 0x27d4eb2f;
/**
 * A line shape weighs four times a word: a document has a few dozen lines and hundreds of words,
 * and shapes are what examples in one language teach about documents in another (a table of
 * amounts, numbered clauses, blanks to sign on), so they are what can outvote a letter's words on
 * a bill or a contract written as a letter. On the tuning part of the labelled set, with the
 * rules' evidence smoothed apart (tables.ts), 3 to 5 measure alike and 6 worse; at 2 the words won.
 */
const SHAPE_WEIGHT = 4;

/** 32-bit FNV-1a of a string. */
function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < word.length; index += 1) {
    hash ^= word.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes two hashes into one (murmur3's finaliser over a combination). */
function combine(first: number, second: number, seed: number): number {
  let hash = (Math.imul(first ^ seed, 0xcc9e2d51) + second) | 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A document's features as hash -> weight: log(1 + count) for words, so that a word said often
 * does not dominate. `text` holds what the document says and looks like (words, pairs, heading
 * words, line shapes, its format); `rules` the rules' verdict and scores on it.
 */
export interface FeatureVector {
  text: Map<number, number>;
  rules: Map<number, number>;
}

/**
 * A fact outside the text as a feature: a word (weight 1), or a word with its own weight, among
 * the text's features; or, marked `rules`, the rules' evidence, kept in a block of its own.
 */
export type ExtraFeature = string | readonly [string, number] | { readonly rules: string; readonly weight: number };

const WORD = /[\p{L}\p{N}]+/gu;

/** The part of a text the features read, folded, and its words: what the rules' scores can reuse. */
export interface FeatureText {
  text: string;
  folded: string;
  words: string[];
}

export function featureText(text: string): FeatureText {
  const read = text.slice(0, FEATURE_CHARS);
  const folded = foldText(read);
  return { text: read, folded, words: folded.match(WORD) ?? [] };
}

/** Reused between documents: features are made one document at a time. */
let scratch = new Uint32Array(4096);

export function documentFeatures(text: string | FeatureText, extra: readonly ExtraFeature[] = []): FeatureVector {
  const { text: read, folded, words } = typeof text === 'string' ? featureText(text) : text;
  // The words of the heading are the first ones (the last may be cut in two: it hardly matters).
  const headWords = (folded.slice(0, HEAD_CHARS).match(WORD) ?? []).length;
  // Hashes gathered, sorted and counted in runs: cheaper than counting each in a Map as it comes.
  const hashes = scratch.length >= words.length * 3 ? scratch : (scratch = new Uint32Array(words.length * 3));
  let size = 0;
  let previous: number | undefined;
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] as string;
    const code = word.charCodeAt(0);
    // Numbers and one-letter words say little about a document's kind.
    if (word.length < 2 || (code >= 48 && code <= 57 && /^\d+$/.test(word))) {
      previous = undefined;
      continue;
    }
    const hash = hashWord(word);
    hashes[size++] = hash;
    if (previous !== undefined) hashes[size++] = combine(previous, hash, PAIR_SEED);
    if (index < headWords) hashes[size++] = combine(hash, 0, HEAD_SEED);
    previous = hash;
  }
  const sorted = hashes.subarray(0, size).sort();
  const counts = new Map<number, number>();
  for (let start = 0; start < size; ) {
    const hash = sorted[start] as number;
    let end = start + 1;
    while (end < size && sorted[end] === hash) end += 1;
    counts.set(hash, Math.log1p(end - start));
    start = end;
  }
  const shapes = new Map<number, number>();
  for (const shape of lineShapes(read)) {
    const hash = combine(hashWord(shape), 2, SHAPE_SEED);
    shapes.set(hash, (shapes.get(hash) ?? 0) + 1);
  }
  for (const [hash, count] of shapes) counts.set(hash, SHAPE_WEIGHT * Math.log1p(count));
  // Facts from outside the text (the file's format, the rules' verdicts) as features of their own.
  const rules = new Map<number, number>();
  for (const feature of extra) {
    if (typeof feature === 'string') counts.set(combine(hashWord(feature), 1, HEAD_SEED), 1);
    else if ('rules' in feature) rules.set(combine(hashWord(feature.rules), 1, HEAD_SEED), feature.weight);
    else counts.set(combine(hashWord(feature[0]), 1, HEAD_SEED), feature[1]);
  }
  return { text: counts, rules };
}
