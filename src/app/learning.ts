import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { DoccatConfig as Config } from '../config/schema.js';
import type { LearnedModel, Labels, ModelSummary, ModelTrainer, TrainerCounts } from '../classify/learned/model.js';
import type { TrainingDocument } from '../classify/learned/training.js';
import { LearnedModelRepository, type LabelRow } from '../db/learned-models.js';
import { nothingLearned } from '../classify/learned/unlearned.js';
import type { OpenCatalog } from './catalog.js';
import type { TrainWorkerData, TrainWorkerMessage, TrainWorkerReply } from './train-worker.js';

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
  /** CPU time of training, all threads: on a machine shared with other work, more telling than trainMs. */
  cpuMs: number;
  /** Threads the documents were counted in. */
  threads: number;
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

/** The training thread, built beside this module (dist/cli/ and dist/app/ alike; not when running from src/). */
const TRAIN_WORKER = new URL('./train-worker.js', import.meta.url);
/** Below this many documents, starting threads costs more than counting in one. */
const THREADS_FROM = 1_000;
const BATCH = 100;

function trainingThreads(documents: number): number {
  if (documents < THREADS_FROM || !existsSync(fileURLToPath(TRAIN_WORKER))) return 1;
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Trains the model from the catalogue and stores it there, in one streaming pass over the texts. */
export async function trainModel(catalog: OpenCatalog, config: Config): Promise<TrainReport> {
  const settings = config.classify.learned;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(cpuStarted);
    return Math.round((used.user + used.system) / 1000);
  };
  const repository = new LearnedModelRepository(catalog.database.db);
  const [{ ModelTrainer }, { FEATURE_CHARS }, { learnFrom }, { LocalClassifier }] = await Promise.all([
    import('../classify/learned/model.js'),
    import('../classify/learned/features.js'),
    import('../classify/learned/training.js'),
    import('../classify/providers/local.js'),
  ]);
  const { rows, fingerprint, format } = await labelled(repository, config);
  const labels = rows.map((row) => row.labels);
  const trainer = new ModelTrainer(labels, { minExamples: settings.minExamples });
  const wanted = rows.filter((row) => trainer.wants(row.labels));
  const byId = new Map(wanted.map((row) => [row.id, row]));
  async function* documents(): AsyncGenerator<TrainingDocument> {
    for await (const { id, text } of repository.texts(wanted.map((row) => row.id), FEATURE_CHARS)) {
      const row = byId.get(id);
      if (row) yield { labels: row.labels, mime: row.mime, text };
    }
  }
  const threads = trainingThreads(wanted.length);
  const rules = new LocalClassifier(config.classify);
  const count = (document: TrainingDocument) => learnFrom(trainer, rules, document);
  if (threads > 1) await countInThreads(trainer, documents(), threads, { classify: config.classify, labels, minExamples: settings.minExamples }, count);
  else for await (const document of documents()) count(document);
  const model = trainer.finish();
  if (!model.usable) {
    // Nothing learned is remembered too (an empty model), so that the next run does not read
    // every labelled text again to find out the same.
    const trainMs = Math.round(performance.now() - started);
    await repository.save({ format, fingerprint, trainedAt: new Date().toISOString(), documents: 0, trainMs, summary: model.summary, model: new Uint8Array(0) });
    return { trained: false, reason: nothingLearned(model.summary), documents: rows.length, trainMs, cpuMs: cpuMs(), threads, modelBytes: 0, fingerprint, summary: model.summary };
  }
  const bytes = model.serialize();
  const trainMs = Math.round(performance.now() - started);
  await repository.save({ format, fingerprint, trainedAt: new Date().toISOString(), documents: model.summary.documents, trainMs, summary: model.summary, model: bytes });
  return { trained: true, documents: model.summary.documents, trainMs, cpuMs: cpuMs(), threads, modelBytes: bytes.length, fingerprint, summary: model.summary };
}

/**
 * Counts the documents in `threads` threads: this one and training threads, each of those with a
 * trainer made from the same labels, whose counts are then added to `trainer`. Batches go to the
 * threads in turn and the counts are added in thread order, so the same catalogue makes the same
 * model; at most two batches wait per thread, so the texts in memory stay few however large the
 * catalogue. This thread counts its share too: a thread of its own would cost another start.
 */
async function countInThreads(trainer: ModelTrainer, documents: AsyncIterable<TrainingDocument>, threads: number, data: TrainWorkerData, count: (document: TrainingDocument) => void): Promise<void> {
  const { Worker: WorkerThread } = await import('node:worker_threads');
  const pool = Array.from({ length: threads - 1 }, () => new TrainingThread(new WorkerThread(TRAIN_WORKER, { workerData: data })));
  const deal = async (batch: TrainingDocument[], turn: number) => {
    const thread = pool[(turn % threads) - 1];
    if (thread) await thread.send(batch);
    else for (const document of batch) count(document);
  };
  try {
    let batch: TrainingDocument[] = [];
    let turn = 0;
    for await (const document of documents) {
      batch.push(document);
      if (batch.length < BATCH) continue;
      await deal(batch, turn++);
      batch = [];
    }
    if (batch.length > 0) await deal(batch, turn);
    const counts = await Promise.all(pool.map((thread) => thread.finish()));
    for (const counted of counts) trainer.merge(counted);
  } finally {
    await Promise.all(pool.map((thread) => thread.worker.terminate()));
  }
}

/** One training thread: its batches in flight, and its counts at the end. */
class TrainingThread {
  private pending = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private done: { resolve: (counts: TrainerCounts) => void; reject: (error: Error) => void } | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: TrainWorkerReply) => {
      if ('counted' in reply) {
        this.pending -= 1;
        this.wake?.();
      } else this.done?.resolve(reply.counts);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.wake?.();
      this.done?.reject(this.failure);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a training thread stopped (exit code ${code})`)));
  }

  async send(batch: TrainingDocument[]): Promise<void> {
    while (this.pending >= 2 && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
    this.pending += 1;
    this.worker.postMessage({ batch } satisfies TrainWorkerMessage);
  }

  finish(): Promise<TrainerCounts> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.done = { resolve, reject };
      this.worker.postMessage({ finish: true } satisfies TrainWorkerMessage);
    });
  }
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
