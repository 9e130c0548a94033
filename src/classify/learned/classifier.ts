import { classificationSchema, type Classification, type Classifier, type ClassifyInput } from '../classifier.js';
import { FALLBACK_TYPE } from '../taxonomy.js';
import type { LocalClassifier } from '../providers/local.js';
import type { LearnedModel, Prediction } from './model.js';
import { extraFeatureKey, type ExtraFeature, type FeatureVector } from './features.js';

export interface LearnedClassifierOptions {
  /** The model decides only when it is at least this sure; below, the rules do. */
  minConfidence: number;
}

/**
 * How much the rules' verdict weighs against the words: a word that occurs once weighs 0.7. The
 * rules know the vocabulary of every kind of document in two languages; a handful of examples
 * cannot teach that, but can teach which verdicts to trust for this user's documents.
 */
const RULE_WEIGHT = 20;
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
  const extra: ExtraFeature[] = [`mime:${input.mime}`, [verdictFeature(rulesVerdict), RULE_WEIGHT]];
  const best = Math.max(0, ...ruleScores.map((entry) => entry.score));
  if (best > 0) for (const { type, score } of ruleScores) if (score > 0) extra.push([`rules:${type.name}`, (RULE_SCORE_WEIGHT * score) / best]);
  return extra;
}

/** The rules' verdict as a feature: the one extraFeatures gives the weight RULE_WEIGHT. */
function verdictFeature(rulesType: string): string {
  return `rule:${rulesType}`;
}

/**
 * From this share of the best rule score the runner-up makes the rules' choice unclear: a letter
 * that scores 6 beside an invoice's 3 may be either, one that scores 8 beside a contract's 2 is a
 * letter. Read off the rules' scores, not off the documents of the labelled set.
 */
export const UNCLEAR_SHARE = 0.5;

/** Whether the rules are in doubt: they found no type, or the runner-up scored close to the best. */
export function rulesUnsure(rulesType: string, ruleScores: readonly RuleScore[]): boolean {
  if (rulesType === FALLBACK_TYPE) return true;
  let best = 0;
  let second = 0;
  for (const { score } of ruleScores) {
    if (score > best) [best, second] = [score, best];
    else if (score > second) second = score;
  }
  return best > 0 && second >= UNCLEAR_SHARE * best;
}

/**
 * The document's features without the rules' verdict. The model learns from the verdict (it is
 * right for most documents, and a few examples cannot teach what the rules know), so it follows
 * the verdict where the text is ambiguous, including where the verdict itself is the mistake.
 * Where the rules are in doubt, the model is asked again without it: the text and the rules'
 * scores for every type then speak for themselves.
 */
export function withoutVerdict(features: FeatureVector, rulesType: string): FeatureVector {
  const open = new Map(features);
  open.delete(extraFeatureKey(verdictFeature(rulesType)));
  return open;
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

/** The model's two answers for a document: with the rules' verdict, and (rules in doubt only) without it. */
export interface ModelAnswers {
  prediction: Prediction | undefined;
  /** Only where rulesUnsure: the answer from the features without the rules' verdict. */
  withoutVerdict?: Prediction | undefined;
}

export function modelAnswers(model: Pick<LearnedModel, 'predictType'>, features: FeatureVector, rulesType: string, ruleScores: readonly RuleScore[]): ModelAnswers {
  const prediction = model.predictType(features);
  return rulesUnsure(rulesType, ruleScores) ? { prediction, withoutVerdict: model.predictType(withoutVerdict(features, rulesType)) } : { prediction };
}

/**
 * The model's answer that decides the type, or undefined when the rules' stands. Where the rules
 * are in doubt, the answer without their verdict decides when it passes learnedDecides; else (and
 * where the rules are clear) the answer with the verdict, as before. Where the rules are clear the
 * model still overrules them only as it learned to ("the rules call these invoices, they are
 * utility bills"), since its features hold the verdict.
 */
export function decidingAnswer(rulesType: string, answers: ModelAnswers, scope: ModelScope, minConfidence: number): Prediction | undefined {
  const { prediction, withoutVerdict: open } = answers;
  if (open && learnedDecides(rulesType, open, scope, minConfidence)) return open;
  return prediction && learnedDecides(rulesType, prediction, scope, minConfidence) ? prediction : undefined;
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
    const ruleScores = this.rules.typeScores(input);
    const features = this.model.features(input.text, extraFeatures(input, ruled.type, ruleScores));
    const answers = modelAnswers(this.model, features, ruled.type, ruleScores);
    const deciding = decidingAnswer(ruled.type, answers, scopeOf(this.model), this.options.minConfidence);
    const type = deciding ?? answers.prediction;
    const decides = deciding !== undefined;
    const correspondent = this.model.predictCorrespondent(features);
    const tags = new Set([...ruled.tags, ...this.model.predictTags(features, this.options.minConfidence).map((tag) => tag.label)]);
    const result: Classification = { ...ruled, tags: [...tags].sort() };
    if (correspondent && correspondent.confidence >= this.options.minConfidence) result.correspondent = correspondent.label;
    if (decides && type) {
      result.type = type.label;
      result.confidence = Math.round(type.confidence * 100) / 100;
      result.classifier = this.name;
      result.rule = describe(type, this.model, ruled, type === answers.withoutVerdict && type !== answers.prediction);
      if (type.label !== ruled.type) result.fields = this.rules.fieldsFor(type.label, input.text.slice(0, 100_000), ruled.language, input.layoutText);
    } else if (type) {
      result.rule = `${ruled.rule}; learned model: ${type.label} at ${type.confidence.toFixed(2)}, not used (${type.confidence < this.options.minConfidence ? `under ${this.options.minConfidence}` : `no examples of ${ruled.type}`})`;
    }
    return classificationSchema.parse(result);
  }
}

function describe(type: Prediction, model: LearnedModel, ruled: Classification, withoutVerdict: boolean): string {
  const examples = model.summary.types[type.label] ?? 0;
  const runnerUp = type.runnerUp ? `, next ${type.runnerUp.label} ${type.runnerUp.confidence.toFixed(2)}` : '';
  return `learned: ${type.label} ${type.confidence.toFixed(2)} from ${Math.round(examples)} examples${runnerUp}; rules said ${ruled.type}${withoutVerdict ? ' (not clearly: judged without their verdict)' : ''}`;
}
