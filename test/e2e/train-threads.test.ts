import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFeatures } from '../../src/classify/learned/features.js';
import { extraFeatures } from '../../src/classify/learned/classifier.js';
import { LearnedModel } from '../../src/classify/learned/model.js';
import { LocalClassifier } from '../../src/classify/providers/local.js';
import { trainModel } from '../../src/app/learning.js';
import { configSchema } from '../../src/config/schema.js';
import { openSqliteDatabase, type CatalogDatabase } from '../../src/db/database.js';
import { DocumentRepository } from '../../src/db/documents.js';
import { LearnedModelRepository } from '../../src/db/learned-models.js';
import { runDoccat, tempDir } from '../support/cli.js';

/**
 * `doccat train` on a catalogue large enough to count its documents in threads: the model it
 * stores is the one training in a single thread makes (the same labels, verdicts and answers).
 */

const kinds = {
  'utility-bill': (index: number) => `Stadtwerke Oberau GmbH\nIhre Abrechnung für Strom und Wasser ${index % 12 + 1}/2024\nVertragskonto 300 455 ${index}\nVerbrauch ${200 + (index % 50) * 7} kWh\nAbschlag ${40 + (index % 9)},00 €\nDer Betrag wird von Ihrem Konto abgebucht.`,
  payslip: (index: number) => `Kestrel Logistics Ltd\nPay advice for month ${index % 12 + 1}\nEmployee ${index} Grace Okafor\nBasic ${1900 + index}.00\nTax ${160 + (index % 40)}.40\nNational Insurance 84.12\nNet ${1600 + index}.75`,
  letter: (index: number) => `Dear neighbour number ${index},\nthe garden party is on Saturday at three. Please bring a chair and something to share.\nBest wishes,\nthe Hendersons`,
} as const;
const DOCUMENTS = 1_200;

describe('doccat train in threads', () => {
  const home = tempDir('doccat-train-threads-');
  const config = configSchema.parse({});
  let database: CatalogDatabase;

  beforeAll(async () => {
    database = await openSqliteDatabase({ path: path.join(home, 'catalog.db'), busyTimeoutMs: 5000 });
    const repository = new DocumentRepository(database.db, 'tester');
    const names = Object.keys(kinds) as (keyof typeof kinds)[];
    for (let index = 0; index < DOCUMENTS; index += 1) {
      const type = names[index % names.length] as keyof typeof kinds;
      const text = kinds[type](index);
      await repository.commitDocument(
        { sha256: createHash('sha256').update(`threads ${index}`).digest('hex'), size: text.length, mime: 'text/plain', originalName: `${index}.txt`, blobBackend: 'local', blobKey: `sha256/x/${index}`, method: 'text', pages: 1, words: 20, language: null, ocrConfidence: null, type, title: `${index}`, tags: [], documentDate: null, correspondent: null, classConfidence: 0.5, classRule: 'test', classifier: 'local', fields: {}, warnings: [], text, metadata: {} },
        { path: `/docs/${index}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' },
      );
    }
    await sql`UPDATE documents SET manual_fields = '["type"]'`.execute(database.db);
  });
  afterAll(async () => database.close());

  it.skipIf(availableParallelism() < 2)('stores the model one thread would have made', async () => {
    const result = await runDoccat(['train', '--json'], { home });
    const report = JSON.parse(result.stdout) as { trained: boolean; documents: number; threads: number; cpuMs: number };
    expect(report).toMatchObject({ trained: true, documents: DOCUMENTS });
    expect(report.threads).toBeGreaterThan(1);
    expect(report.cpuMs).toBeGreaterThan(0);
    const repository = new LearnedModelRepository(database.db);
    const threaded = LearnedModel.deserialize((await repository.load())?.model ?? new Uint8Array(0));

    // Run from the sources, the training thread's module is not built beside learning.ts: one thread.
    const single = await trainModel({ database, repository: new DocumentRepository(database.db, 'tester'), close: () => database.close() }, config);
    expect(single.threads).toBe(1);
    const oneThread = LearnedModel.deserialize((await repository.load())?.model ?? new Uint8Array(0));

    expect(threaded.summary).toEqual(oneThread.summary);
    const rules = new LocalClassifier(config.classify);
    for (const text of [kinds['utility-bill'](5000), kinds.payslip(5001), kinds.letter(5002), 'Dear Sir, your electricity bill of 48,00 € is attached. Best wishes']) {
      const input = { text, mime: 'text/plain', fileName: 'next.txt', metadata: {} };
      const scores = rules.typeScores(input);
      const features = documentFeatures(text, extraFeatures(input, rules.verdict(input, scores), scores));
      const [a, b] = [threaded.predictType(features), oneThread.predictType(features)];
      expect(a?.label).toBe(b?.label);
      expect(a?.confidence).toBeCloseTo(b?.confidence ?? -1, 6);
    }
  });
});
