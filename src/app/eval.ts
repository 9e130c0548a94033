import type { AppContext } from './context.js';
import { openCatalog } from './catalog.js';
import type { ClassifyInput } from '../classify/classifier.js';
import type { Scores } from '../classify/learned/evaluation.js';

export type { Scores };

export interface EvaluationOptions {
  /** K of the K-fold cross-validation of the learned model: 2 or more. */
  folds: number;
  /** Also ask this configured provider. */
  provider?: string;
}

export interface EvaluationReport {
  /** Documents whose type was set by hand: the answers every classifier is scored against. */
  documents: number;
  folds: number;
  minExamples: number;
  minConfidence: number;
  /** By classifier: rules, learned, chain, and the provider when asked. */
  classifiers: Record<string, Scores>;
}

/** Characters of each document the classifiers read, as at ingest. */
const TEXT_CHARS = 100_000;

/**
 * How well each classifier does on the documents whose type was set by hand: the local rules as
 * they are, the learned model by K-fold cross-validation (each document predicted by a model that
 * never saw it), the chain the pipeline uses (model when sure, else rules), and a provider if asked.
 */
export async function evaluateClassifiers(context: AppContext, options: EvaluationOptions): Promise<EvaluationReport> {
  const { config } = context.config;
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const [{ LocalClassifier }, evaluation, { documentFeatures }, { extraFeatures }] = await Promise.all([
      import('../classify/providers/local.js'),
      import('../classify/learned/evaluation.js'),
      import('../classify/learned/features.js'),
      import('../classify/learned/classifier.js'),
    ]);
    const documents = await catalog.learnedModels.typedByHand(TEXT_CHARS);
    const inputs: ClassifyInput[] = documents.map((document) => ({ text: document.text, mime: document.mime, fileName: document.original_name, metadata: JSON.parse(document.metadata) as ClassifyInput['metadata'] }));
    const rules = new LocalClassifier(config.classify);
    const ruled: string[] = [];
    for (const input of inputs) ruled.push((await rules.classify(input)).type);

    const settings = config.classify.learned;
    // More folds than documents would leave folds empty: one document per fold (leave-one-out) is the most there is.
    const folds = Math.max(2, Math.min(options.folds, documents.length));
    // Each fold's model sees (K-1)/K of the examples: the threshold shrinks with it, or a type
    // labelled exactly minExamples times would never be learned in cross-validation.
    const foldMinExamples = Math.max(1, Math.floor((settings.minExamples * (folds - 1)) / folds));
    const held = evaluation.crossValidatedPredictions(
      documents.map((document, index) => ({ type: document.type, verdict: ruled[index] as string, features: documentFeatures(document.text, extraFeatures(inputs[index] as ClassifyInput, ruled[index] as string, rules.typeScores(inputs[index] as ClassifyInput))) })),
      folds,
      { minExamples: foldMinExamples },
    );
    const pairs = (predicted: readonly string[]) => documents.map((document, index) => ({ actual: document.type, predicted: predicted[index] as string }));
    const classifiers: Record<string, Scores> = {
      rules: evaluation.score(pairs(ruled)),
      learned: evaluation.score(pairs(held.map((entry) => entry.prediction?.label ?? 'none'))),
      chain: evaluation.score(pairs(held.map((entry, index) => evaluation.chainDecision(ruled[index] as string, entry, settings.minConfidence)))),
    };

    if (options.provider !== undefined) {
      const { createClassifier } = await import('./classifier.js');
      const { classifier } = await createClassifier(context, catalog, { onlyProvider: options.provider });
      const answered: string[] = [];
      for (const [index, input] of inputs.entries()) {
        const result = await classifier.classify({ ...input, correlationId: `${context.runId}-eval-${documents[index]?.id}` });
        // When the provider gave no answer the rules did: that is not the provider's answer.
        answered.push(result.classifier === options.provider ? result.type : 'none');
      }
      classifiers[options.provider] = evaluation.score(pairs(answered));
    }
    return { documents: documents.length, folds, minExamples: settings.minExamples, minConfidence: settings.minConfidence, classifiers };
  } finally {
    await catalog.close();
  }
}
