import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DoccatConfig as Config } from '../config/schema.js';
import type { LearnedModel, Labels, ModelSummary } from '../classify/learned/model.js';
import { LearnedModelRepository, type LabelRow } from '../db/learned-models.js';
import type { OpenCatalog } from './catalog.js';

/**
 * Learning from the catalogue: which documents teach what, when the stored model is stale, and
 * training it. Labels set by hand (`doccat set`, `doccat tag`) count fully; with
 * classify.learned.automaticWeight above 0, automatic labels count with that weight.
 */

export type LearnedSettings = Config['classify']['learned'];

export interface TrainReport {
  trained: boolean;
  /** Why nothing was trained, when it was not. */
  reason?: string;
  documents: number;
  trainMs: number;
  modelBytes: number;
  fingerprint: string;
  summary?: ModelSummary;
}

/** What a document teaches: its labels set by hand, or its automatic ones at a lower weight. */
export function labelsOf(row: LabelRow, settings: LearnedSettings): Labels | undefined {
  const manual = new Set(JSON.parse(row.manual_fields) as string[]);
  const tags = JSON.parse(row.tags) as string[];
  if (manual.has('type') || manual.has('correspondent') || manual.has('tags')) {
    return {
      weight: 1,
      ...(manual.has('type') ? { type: row.type } : {}),
      ...(manual.has('correspondent') && row.correspondent ? { correspondent: row.correspondent } : {}),
      ...(manual.has('tags') ? { tags } : {}),
    };
  }
  // The model's own decisions are not examples: it would only learn to agree with itself.
  if (settings.automaticWeight > 0 && row.classifier !== 'learned') {
    return { weight: settings.automaticWeight, type: row.type, ...(row.correspondent ? { correspondent: row.correspondent } : {}) };
  }
  return undefined;
}

/** A hash of everything training depends on: the labels, the settings, the model format. */
function fingerprintOf(rows: readonly { id: number; labels: Labels }[], config: Config, format: number): string {
  const settings = config.classify.learned;
  // The rules' verdicts are features too: other rules, another model.
  const hash = createHash('sha256').update(JSON.stringify([format, settings.minExamples, settings.automaticWeight, config.classify.types, config.classify.minScore]));
  for (const { id, labels } of rows) hash.update(JSON.stringify([id, labels.type ?? null, labels.correspondent ?? null, labels.tags ?? null, labels.weight]));
  return hash.digest('hex');
}

async function labelled(repository: LearnedModelRepository, config: Config): Promise<{ rows: { id: number; mime: string; labels: Labels }[]; fingerprint: string; format: number }> {
  const { MODEL_FORMAT } = await import('../classify/learned/model.js');
  const settings = config.classify.learned;
  const rows = (await repository.labelRows(settings.automaticWeight > 0)).flatMap((row) => {
    const labels = labelsOf(row, settings);
    return labels ? [{ id: row.id, mime: row.mime, labels }] : [];
  });
  return { rows, fingerprint: fingerprintOf(rows, config, MODEL_FORMAT), format: MODEL_FORMAT };
}

/** Trains the model from the catalogue and stores it there, in one streaming pass over the texts. */
export async function trainModel(catalog: OpenCatalog, config: Config): Promise<TrainReport> {
  const settings = config.classify.learned;
  const started = performance.now();
  const repository = new LearnedModelRepository(catalog.database.db);
  const [{ ModelTrainer }, { documentFeatures, FEATURE_CHARS }, { extraFeatures }, { LocalClassifier }] = await Promise.all([
    import('../classify/learned/model.js'),
    import('../classify/learned/features.js'),
    import('../classify/learned/classifier.js'),
    import('../classify/providers/local.js'),
  ]);
  const rules = new LocalClassifier(config.classify);
  const { rows, fingerprint, format } = await labelled(repository, config);
  const trainer = new ModelTrainer(
    rows.map((row) => row.labels),
    { minExamples: settings.minExamples },
  );
  const wanted = rows.filter((row) => trainer.wants(row.labels));
  const byId = new Map(wanted.map((row) => [row.id, row]));
  for await (const { id, text } of repository.texts(wanted.map((row) => row.id), FEATURE_CHARS)) {
    const row = byId.get(id);
    if (!row) continue;
    const input = { text, mime: row.mime, fileName: '', metadata: {} };
    const scores = rules.typeScores(input);
    const verdict = rules.verdict(input, scores);
    trainer.add({ ...row.labels, verdict }, documentFeatures(text, extraFeatures(input, verdict, scores)));
  }
  const model = trainer.finish();
  if (!model.usable) {
    // Nothing learned is remembered too (an empty model), so that the next run does not read
    // every labelled text again to find out the same.
    const trainMs = Math.round(performance.now() - started);
    await repository.save({ format, fingerprint, trainedAt: new Date().toISOString(), documents: 0, trainMs, summary: model.summary, model: new Uint8Array(0) });
    return { trained: false, reason: `no type, correspondent or tag has ${settings.minExamples} documents labelled by hand yet (doccat set ID --type TYPE)`, documents: rows.length, trainMs, modelBytes: 0, fingerprint, summary: model.summary };
  }
  const bytes = model.serialize();
  const trainMs = Math.round(performance.now() - started);
  await repository.save({ format, fingerprint, trainedAt: new Date().toISOString(), documents: model.summary.documents, trainMs, summary: model.summary, model: bytes });
  return { trained: true, documents: model.summary.documents, trainMs, modelBytes: bytes.length, fingerprint, summary: model.summary };
}

/**
 * The stored model, retrained first when the labels changed since it was trained (and `retrain`
 * allows writing). Undefined when learning is off or nothing has been learned yet. A catalogue
 * that cannot be read for it (an older schema opened read-only) simply has no model.
 */
export async function currentModel(catalog: OpenCatalog, config: Config, logger: Logger, options: { retrain: boolean }): Promise<LearnedModel | undefined> {
  if (!config.features.learning) return undefined;
  const repository = new LearnedModelRepository(catalog.database.db);
  try {
    if (options.retrain) {
      const { fingerprint } = await labelled(repository, config);
      if ((await repository.fingerprint()) !== fingerprint) {
        const report = await trainModel(catalog, config);
        logger.info({ documents: report.documents, trainMs: report.trainMs, trained: report.trained, reason: report.reason }, 'labels changed since the model was trained: retrained');
      }
    }
    const stored = await repository.load();
    if (!stored || stored.model.length === 0) return undefined;
    const { LearnedModel: Model, MODEL_FORMAT } = await import('../classify/learned/model.js');
    if (stored.format !== MODEL_FORMAT) {
      logger.warn({ format: stored.format }, 'the stored model was made by another doccat version; run doccat train');
      return undefined;
    }
    return Model.deserialize(stored.model);
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'no learned model: it could not be read');
    return undefined;
  }
}
