import type { FeatureVector } from './features.js';

export interface Prediction {
  label: string;
  /** Posterior probability of the label among the classes the model knows. */
  confidence: number;
  runnerUp?: { label: string; confidence: number };
}

/**
 * The learned model's count tables and their arithmetic: per-class counts of hashed features,
 * smoothed into log-likelihoods once, scored by one lookup per feature and class, and turned into
 * a calibrated top prediction (model.ts trains, stores and predicts with them).
 */
/** Additive smoothing: small, since hashed rows are many and examples few. */
export const ALPHA = 0.05;
/**
 * Naive Bayes counts every word as independent evidence, so its log-likelihoods differ by
 * hundreds between classes and its posteriors are all 0 or 1. Scaling them down (a temperature)
 * leaves the ranking as it is and gives classify.learned.minConfidence something to compare.
 */
export const SHARPNESS = 0.1;
/**
 * The rules' evidence (verdict and per-type scores, see classifier.ts) has rows of its own after
 * the text's, with its own totals and smoothing. Every document has a few of these features and
 * none is rare, so the smoothing fit for a vocabulary of words is wrong for them: with ALPHA, a
 * score that a type's examples showed a little (a fraction of one document's weight) counted as
 * far from one they never showed, so small accidents in the examples' scores decided. Laplace
 * smoothing over the block (RULE_ALPHA) counts such a feature by how much the examples showed it.
 * And kept out of the words' totals, how many types the rules scored a type's examples as no
 * longer changes what those examples' words weigh.
 */
export const RULE_BITS = 10;
export const RULE_ALPHA = 1;
/**
 * The rules' block's log-likelihood counts twice against the text's: Laplace smoothing makes each
 * of its features milder than ALPHA did, and counted once the rules' evidence lost too often to
 * the words of a few examples (on the tuning part of the labelled set the model alone was right
 * about 2 points less often at 1 or 1.5 than at 2; 2 and 3 measure alike).
 */
export const RULE_EVIDENCE_WEIGHT = 2;

export interface LabelTable {
  bits: number;
  classes: string[];
  /** Documents (summed weights) per class. */
  documents: Float64Array;
  /**
   * Feature weight per class: rows of `classes.length`, 2^bits rows for the text's features, then
   * 2^RULE_BITS for the rules' (see ruleRow).
   */
  counts: Float32Array;
  /** Summed counts of the text's rows per class. */
  totals: Float64Array;
  /** Summed counts of the rules' rows per class. */
  ruleTotals: Float64Array;
}

/** Only what prediction needs: log-probabilities, computed once when the model is loaded. */
export interface ScoringTable {
  bits: number;
  classes: string[];
  logPrior: Float64Array;
  /** log(count + alpha) per row and class (RULE_ALPHA in the rules' rows). */
  logCounts: Float32Array;
  /** log(total + alpha * rows) per class. */
  logTotals: Float64Array;
  /** log(ruleTotal + RULE_ALPHA * rule rows) per class. */
  logRuleTotals: Float64Array;
}

/** Where a rules' feature's row is: after the text's 2^bits rows. */
export function ruleRow(bits: number, hash: number): number {
  return (1 << bits) + (hash & ((1 << RULE_BITS) - 1));
}

export function newTable(bits: number, classes: string[]): LabelTable {
  const width = classes.length;
  return { bits, classes, documents: new Float64Array(width), counts: new Float32Array(((1 << bits) + (1 << RULE_BITS)) * width), totals: new Float64Array(width), ruleTotals: new Float64Array(width) };
}

export function addExample(table: LabelTable, features: FeatureVector, column: number, weight: number): void {
  const width = table.classes.length;
  const mask = (1 << table.bits) - 1;
  table.documents[column] = (table.documents[column] as number) + weight;
  let sum = 0;
  for (const [hash, value] of features.text) {
    const index = (hash & mask) * width + column;
    table.counts[index] = (table.counts[index] as number) + value * weight;
    sum += value * weight;
  }
  table.totals[column] = (table.totals[column] as number) + sum;
  let ruleSum = 0;
  for (const [hash, value] of features.rules) {
    const index = ruleRow(table.bits, hash) * width + column;
    table.counts[index] = (table.counts[index] as number) + value * weight;
    ruleSum += value * weight;
  }
  table.ruleTotals[column] = (table.ruleTotals[column] as number) + ruleSum;
}

export function scoring(table: LabelTable): ScoringTable {
  const width = table.classes.length;
  const rows = 1 << table.bits;
  const documents = table.documents.reduce((sum, value) => sum + value, 0);
  const logCounts = new Float32Array(table.counts.length);
  const textEnd = rows * width;
  for (let index = 0; index < logCounts.length; index += 1) logCounts[index] = Math.log((table.counts[index] as number) + (index < textEnd ? ALPHA : RULE_ALPHA));
  const logTotals = new Float64Array(width);
  const logRuleTotals = new Float64Array(width);
  const logPrior = new Float64Array(width);
  for (let column = 0; column < width; column += 1) {
    logTotals[column] = Math.log((table.totals[column] as number) + ALPHA * rows);
    logRuleTotals[column] = Math.log((table.ruleTotals[column] as number) + RULE_ALPHA * (1 << RULE_BITS));
    logPrior[column] = Math.log(((table.documents[column] as number) + 1) / (documents + width));
  }
  return { bits: table.bits, classes: table.classes, logPrior, logCounts, logTotals, logRuleTotals };
}

export function scores(table: ScoringTable, features: FeatureVector): Float64Array {
  const width = table.classes.length;
  const mask = (1 << table.bits) - 1;
  const result = new Float64Array(width);
  let mass = 0;
  for (const [hash, value] of features.text) {
    const row = (hash & mask) * width;
    for (let column = 0; column < width; column += 1) result[column] = (result[column] as number) + value * (table.logCounts[row + column] as number);
    mass += value;
  }
  for (let column = 0; column < width; column += 1) result[column] = (result[column] as number) - mass * (table.logTotals[column] as number);
  const rules = new Float64Array(width);
  let ruleMass = 0;
  for (const [hash, value] of features.rules) {
    const row = ruleRow(table.bits, hash) * width;
    for (let column = 0; column < width; column += 1) rules[column] = (rules[column] as number) + value * (table.logCounts[row + column] as number);
    ruleMass += value;
  }
  for (let column = 0; column < width; column += 1) {
    const ruleLikelihood = (rules[column] as number) - ruleMass * (table.logRuleTotals[column] as number);
    result[column] = (table.logPrior[column] as number) + SHARPNESS * ((result[column] as number) + RULE_EVIDENCE_WEIGHT * ruleLikelihood);
  }
  return result;
}

export function softmaxTop(table: ScoringTable, raw: Float64Array): Prediction | undefined {
  if (table.classes.length === 0) return undefined;
  const max = Math.max(...raw);
  const exp = [...raw].map((value) => Math.exp(value - max));
  const sum = exp.reduce((total, value) => total + value, 0);
  const order = exp.map((value, index) => ({ index, probability: value / sum })).sort((a, b) => b.probability - a.probability);
  const [best, second] = order;
  if (!best) return undefined;
  return {
    label: table.classes[best.index] as string,
    confidence: best.probability,
    ...(second ? { runnerUp: { label: table.classes[second.index] as string, confidence: second.probability } } : {}),
  };
}

/** Labels with enough examples, most frequent first, at most `limit`. */
export function learnable(counts: Map<string, number>, minExamples: number, limit = Number.POSITIVE_INFINITY): string[] {
  return [...counts]
    .filter(([, count]) => count >= minExamples)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([label]) => label);
}

export function tally(values: Iterable<[string, number]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [label, weight] of values) counts.set(label, (counts.get(label) ?? 0) + weight);
  return counts;
}
