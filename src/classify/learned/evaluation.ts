import type { FeatureVector } from './features.js';
import { learnedDecides, scopeOf, type ModelScope } from './classifier.js';
import { LearnedModel, type Prediction, type TrainingOptions } from './model.js';

/** Accuracy, per-type precision and recall, and the confusion of one classifier's answers. */

/** What the chain (model, then rules) decides for a document, as LearnedClassifier does. */
export function chainDecision(rules: string, held: HeldOutPrediction | undefined, minConfidence: number): string {
  return held?.prediction && learnedDecides(rules, held.prediction, held.scope, minConfidence) ? held.prediction.label : rules;
}

export interface TypeScore {
  precision: number | null;
  recall: number | null;
  /** Documents of this type. */
  support: number;
}

export interface Scores {
  accuracy: number | null;
  perType: Record<string, TypeScore>;
  /** actual type -> predicted type -> documents */
  confusion: Record<string, Record<string, number>>;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

export function score(pairs: readonly { actual: string; predicted: string }[]): Scores {
  const confusion: Record<string, Record<string, number>> = {};
  const types = new Set<string>();
  let right = 0;
  for (const { actual, predicted } of pairs) {
    types.add(actual);
    types.add(predicted);
    const row = (confusion[actual] ??= {});
    row[predicted] = (row[predicted] ?? 0) + 1;
    if (actual === predicted) right += 1;
  }
  const perType: Record<string, TypeScore> = {};
  for (const type of [...types].sort()) {
    const truePositives = confusion[type]?.[type] ?? 0;
    const predictedAs = pairs.filter((pair) => pair.predicted === type).length;
    const support = pairs.filter((pair) => pair.actual === type).length;
    perType[type] = { precision: predictedAs === 0 ? null : round(truePositives / predictedAs), recall: support === 0 ? null : round(truePositives / support), support };
  }
  return { accuracy: pairs.length === 0 ? null : round(right / pairs.length), perType, confusion };
}

/**
 * Folds that keep each type spread evenly: documents sorted by type (then as given) are dealt
 * out in turn, so every fold gets its share of a type with few examples.
 */
export function stratifiedFolds(types: readonly string[], folds: number): number[] {
  const order = types.map((type, index) => ({ type, index })).sort((a, b) => a.type.localeCompare(b.type) || a.index - b.index);
  const assignment = new Array<number>(types.length).fill(0);
  order.forEach(({ index }, position) => {
    assignment[index] = position % folds;
  });
  return assignment;
}

export interface HeldOutPrediction {
  prediction: Prediction | undefined;
  /** What the model that made it was shown (the types with enough examples in its folds). */
  scope: ModelScope;
}

/** The model's answer for each document, each predicted by a model trained on the other folds. */
export function crossValidatedPredictions(documents: readonly { type: string; verdict: string; features: FeatureVector }[], folds: number, options: TrainingOptions): HeldOutPrediction[] {
  const assignment = stratifiedFolds(documents.map((document) => document.type), folds);
  const predictions = new Array<HeldOutPrediction>(documents.length);
  for (let fold = 0; fold < folds; fold += 1) {
    const training = documents.flatMap((document, index) => (assignment[index] === fold ? [] : [{ example: { text: '', type: document.type, verdict: document.verdict, weight: 1 }, features: document.features }]));
    const model = LearnedModel.fromFeatures(training, options);
    documents.forEach((document, index) => {
      if (assignment[index] === fold) predictions[index] = { prediction: model.predictType(document.features), scope: scopeOf(model) };
    });
  }
  return predictions;
}
