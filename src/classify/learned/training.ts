import type { LocalClassifier } from '../providers/local.js';
import { extraFeatures } from './classifier.js';
import { documentFeatures, featureText } from './features.js';
import type { Labels, ModelTrainer } from './model.js';

/** A labelled document as training reads it from the catalogue: its labels, format and text. */
export interface TrainingDocument {
  labels: Labels;
  mime: string;
  text: string;
}

/**
 * Counts one document: the rules' verdict and scores on it, then its features. The same in the
 * main thread and in a training thread, so that both make the same model.
 */
export function learnFrom(trainer: ModelTrainer, rules: LocalClassifier, document: TrainingDocument): void {
  // Folded once for both: the rules fold "subject\ntext", and these texts have no subject.
  const read = featureText(document.text);
  const input = { text: read.text, mime: document.mime, fileName: '', metadata: {} };
  const scores = rules.typeScores(input, { folded: `\n${read.folded}`, words: read.words });
  const verdict = rules.verdict(input, scores);
  trainer.add({ ...document.labels, verdict }, documentFeatures(read, extraFeatures(input, verdict, scores)));
}
