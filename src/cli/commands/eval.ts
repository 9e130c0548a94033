import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { paint, renderTable, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import type { ClassifyInput } from '../../classify/classifier.js';
import type { Scores } from '../../classify/learned/evaluation.js';

export interface EvalFlags {
  folds?: number;
  provider?: string;
}

/** Characters of each document the classifiers read, as at ingest. */
const TEXT_CHARS = 100_000;

/**
 * How well each classifier does on the documents whose type was set by hand: the local rules as
 * they are, the learned model by K-fold cross-validation (each document predicted by a model that
 * never saw it), the chain the pipeline uses (model when sure, else rules), and a provider if asked.
 */
export async function evalCommand(options: EvalFlags, command: Command): Promise<number> {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw usageError('E_USAGE', `--folds ${String(options.folds)}: at least 2`, 'e.g. --folds 5');
  const context = await createContext(command);
  const { config } = context.config;
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const [{ LearnedModelRepository }, { LocalClassifier }, evaluation, { documentFeatures }, { extraFeatures }] = await Promise.all([
      import('../../db/learned-models.js'),
      import('../../classify/providers/local.js'),
      import('../../classify/learned/evaluation.js'),
      import('../../classify/learned/features.js'),
      import('../../classify/learned/classifier.js'),
    ]);
    const documents = await new LearnedModelRepository(catalog.database.db).typedByHand(TEXT_CHARS);
    const inputs: ClassifyInput[] = documents.map((document) => ({ text: document.text, mime: document.mime, fileName: document.original_name, metadata: JSON.parse(document.metadata) as ClassifyInput['metadata'] }));
    const rules = new LocalClassifier(config.classify);
    const ruled: string[] = [];
    for (const input of inputs) ruled.push((await rules.classify(input)).type);

    const settings = config.classify.learned;
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
      const { createClassifier } = await import('../../app/classifier.js');
      const { classifier } = await createClassifier(context, catalog, { onlyProvider: options.provider });
      const answered: string[] = [];
      for (const [index, input] of inputs.entries()) {
        const result = await classifier.classify({ ...input, correlationId: `${context.runId}-eval-${documents[index]?.id}` });
        // When the provider gave no answer the rules did: that is not the provider's answer.
        answered.push(result.classifier === options.provider ? result.type : 'none');
      }
      classifiers[options.provider] = evaluation.score(pairs(answered));
    }

    const report = { documents: documents.length, folds, minExamples: settings.minExamples, minConfidence: settings.minConfidence, classifiers };
    if (context.output.json) {
      writeJson(report);
      return ExitCode.ok;
    }
    if (documents.length === 0) {
      process.stdout.write('no documents with a type set by hand yet: set some with doccat set ID --type TYPE, then run doccat eval again\n');
      return ExitCode.ok;
    }
    process.stdout.write(await render(report, context.output.color));
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}

const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

async function render(report: { documents: number; folds: number; classifiers: Record<string, Scores> }, color: boolean): Promise<string> {
  const parts: string[] = [];
  parts.push(`${paint(color, 'bold', `${report.documents} documents`)} with a type set by hand; the learned model by ${report.folds}-fold cross-validation\n`);
  const names = Object.keys(report.classifiers);
  parts.push(`${await renderTable(['classifier', 'accuracy'], names.map((name) => [name, percent(report.classifiers[name]?.accuracy ?? null)]), color)}\n`);
  const types = Object.keys(report.classifiers.rules?.perType ?? {}).filter((type) => (report.classifiers.rules?.perType[type]?.support ?? 0) > 0);
  const head = ['type', 'documents', ...names.flatMap((name) => [`${name} precision`, `${name} recall`])];
  const rows = types.map((type) => [
    type,
    report.classifiers.rules?.perType[type]?.support ?? 0,
    ...names.flatMap((name) => {
      const scores = report.classifiers[name]?.perType[type];
      return [percent(scores?.precision ?? null), percent(scores?.recall ?? null)];
    }),
  ]);
  parts.push(`\n${await renderTable(head, rows, color)}\n`);
  // The confusion of the chain, which is what ingest decides: rows are the types set by hand.
  const confusion = report.classifiers.chain?.confusion ?? {};
  const predicted = [...new Set(Object.values(confusion).flatMap((row) => Object.keys(row)))].sort();
  parts.push(`\n${paint(color, 'bold', 'chain: type set by hand (rows) against type decided (columns)')}\n`);
  parts.push(`${await renderTable(['', ...predicted], types.map((type) => [type, ...predicted.map((column) => confusion[type]?.[column] ?? '')]), color)}\n`);
  return parts.join('');
}
