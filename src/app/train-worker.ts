import { parentPort, workerData } from 'node:worker_threads';
import { LocalClassifier } from '../classify/providers/local.js';
import { ModelTrainer, type Labels, type TrainerCounts } from '../classify/learned/model.js';
import { learnFrom, type TrainingDocument } from '../classify/learned/training.js';
import type { DoccatConfig } from '../config/schema.js';

/**
 * A training thread (see countInThreads in learning.ts): counts the documents it is sent with a
 * trainer made from the same labels as the main thread's, and hands its counts back at the end.
 */

export interface TrainWorkerData {
  classify: DoccatConfig['classify'];
  labels: Labels[];
  minExamples: number;
}

export type TrainWorkerMessage = { batch: TrainingDocument[] } | { finish: true };
export type TrainWorkerReply = { counted: number } | { counts: TrainerCounts };

const port = parentPort;
if (port) {
  const data = workerData as TrainWorkerData;
  const rules = new LocalClassifier(data.classify);
  const trainer = new ModelTrainer(data.labels, { minExamples: data.minExamples });
  port.on('message', (message: TrainWorkerMessage) => {
    if ('batch' in message) {
      for (const document of message.batch) learnFrom(trainer, rules, document);
      port.postMessage({ counted: message.batch.length } satisfies TrainWorkerReply);
      return;
    }
    const counts = trainer.counted();
    // Moved, not copied: the type table alone is 2^18 rows by the number of types.
    const buffers = [counts.type, counts.correspondent, counts.tags].flatMap((part) => [part.documents.buffer, part.counts.buffer, part.totals.buffer, part.ruleTotals.buffer] as ArrayBuffer[]);
    port.postMessage({ counts } satisfies TrainWorkerReply, buffers);
  });
}
