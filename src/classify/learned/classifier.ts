import { classificationSchema, type Classification, type Classifier, type ClassifyInput } from '../classifier.js';
import { FALLBACK_TYPE } from '../taxonomy.js';
import type { LocalClassifier } from '../providers/local.js';
import type { LearnedModel, Prediction } from './model.js';
import type { ExtraFeature } from './features.js';

export interface LearnedClassifierOptions {
  /** The model decides only when it is at least this sure; below, the rules do. */
  minConfidence: number;
}

/**
 * How much the rules' verdict weighs within the rules' evidence (tables.ts weighs that block as a
 * whole against the words). The rules know the vocabulary of every kind of document in two
 * languages; a handful of examples cannot teach that, but can teach which verdicts to trust for
 * this user's documents.
 */
const RULE_WEIGHT = 5;
/**
 * How much each type's rule score weighs, relative to the best: the evidence under the verdict.
 * A few examples teach which mix of evidence a user's kinds of document show (a contract that
 * also scores as a letter, a receipt that scores as an invoice too), where the rules abstain or
 * pick the wrong one of two close types.
 */
const RULE_SCORE_WEIGHT = 10;

/** A type's score by the rules, as LocalClassifier.typeScores gives it. */
export interface RuleScore {
  type: { name: string };
  score: number;
}

/** Facts outside the text that the model learns from too: the format, the rules' verdict and scores. */
export function extraFeatures(input: Pick<ClassifyInput, 'mime'>, rulesVerdict: string, ruleScores: readonly RuleScore[] = []): ExtraFeature[] {
  const extra: ExtraFeature[] = [`mime:${input.mime}`, { rules: `rule:${rulesVerdict}`, weight: RULE_WEIGHT }];
  const best = Math.max(0, ...ruleScores.map((entry) => entry.score));
  if (best > 0) for (const { type, score } of ruleScores) if (score > 0) extra.push({ rules: `rules:${type.name}`, weight: (RULE_SCORE_WEIGHT * score) / best });
  return extra;
}

/** What a model was shown: the types it knows, and per type what the rules had said of its examples. */
export interface ModelScope {
  known: readonly string[];
  verdicts: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function scopeOf(model: LearnedModel): ModelScope {
  return { known: model.knownTypes, verdicts: model.summary.verdicts };
}

/**
 * Whether the model's type stands over the rules': it is sure enough, and the rules found no type,
 * or a type the model knows, or a type the rules had also said of the model's examples of its
 * answer (the correction it learned: "the rules call these invoices, they are utility bills").
 * A type the rules are sure of that the model never met (an e-mail, by its format) is not the
 * model's to overrule: a model knows only the types it was shown.
 */
export function learnedDecides(rulesType: string, prediction: Prediction | undefined, scope: ModelScope, minConfidence: number): boolean {
  if (prediction === undefined || prediction.confidence < minConfidence) return false;
  return rulesType === FALLBACK_TYPE || scope.known.includes(rulesType) || (scope.verdicts[prediction.label]?.[rulesType] ?? 0) > 0;
}

/**
 * The learned model in front of the local rules: its type when it is sure enough and the rules
 * do not name a type it was never shown, its correspondent when it is sure, and its tags beside
 * the rules' tags. Everything else (title, date, fields for the type decided) comes from the rules.
 */
export class LearnedClassifier implements Classifier {
  readonly name = 'learned';

  constructor(
    private readonly model: LearnedModel,
    private readonly rules: LocalClassifier,
    private readonly options: LearnedClassifierOptions,
  ) {}

  async classify(input: ClassifyInput): Promise<Classification> {
    const ruled = await this.rules.classify(input);
    const features = this.model.features(input.text, extraFeatures(input, ruled.type, this.rules.typeScores(input)));
    const type = this.model.predictType(features);
    const decides = learnedDecides(ruled.type, type, scopeOf(this.model), this.options.minConfidence);
    const correspondent = this.model.predictCorrespondent(features);
    const tags = new Set([...ruled.tags, ...this.model.predictTags(features, this.options.minConfidence).map((tag) => tag.label)]);
    const result: Classification = { ...ruled, tags: [...tags].sort() };
    if (correspondent && correspondent.confidence >= this.options.minConfidence) result.correspondent = correspondent.label;
    if (decides && type) {
      result.type = type.label;
      result.confidence = Math.round(type.confidence * 100) / 100;
      result.classifier = this.name;
      result.rule = describe(type, this.model, ruled);
      if (type.label !== ruled.type) result.fields = this.rules.fieldsFor(type.label, input.text.slice(0, 100_000), ruled.language, input.layoutText);
    } else if (type) {
      result.rule = `${ruled.rule}; learned model: ${type.label} at ${type.confidence.toFixed(2)}, not used (${type.confidence < this.options.minConfidence ? `under ${this.options.minConfidence}` : `no examples of ${ruled.type}`})`;
    }
    return classificationSchema.parse(result);
  }
}

function describe(type: Prediction, model: LearnedModel, ruled: Classification): string {
  const examples = model.summary.types[type.label] ?? 0;
  const runnerUp = type.runnerUp ? `, next ${type.runnerUp.label} ${type.runnerUp.confidence.toFixed(2)}` : '';
  return `learned: ${type.label} ${type.confidence.toFixed(2)} from ${Math.round(examples)} examples${runnerUp}; rules said ${ruled.type}`;
}
