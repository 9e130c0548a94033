import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDatabase } from '../../../src/db/database.js';
import { DIALECTS, openTestCatalog } from '../../support/catalogs.js';
import { DocumentRepository } from '../../../src/db/documents.js';
import { LearnedModelRepository } from '../../../src/db/learned-models.js';
import { configSchema } from '../../../src/config/schema.js';
import { currentModel, trainModel } from '../../../src/app/learning.js';
import type { OpenCatalog } from '../../../src/app/catalog.js';
import { newDocument } from '../../support/new-document.js';

const document = (index: number, text: string) =>
  newDocument('learned', index, { mime: 'text/plain', originalName: `doc-${index}.txt`, method: 'text', language: 'de', type: 'invoice', text });

const bill = (month: number) => `Stadtwerke Oberau GmbH\nIhre Abrechnung für Strom und Wasser\nVertragskonto 300 455 219\nZeitraum ${month}/2024\nVerbrauch ${200 + month * 7} kWh\nAbschlag ${40 + month},00 €`;
const payslip = (month: number) => `Kestrel Logistics Ltd\nPay advice for month ${month}\nEmployee 0458 Grace Okafor\nBasic ${1900 + month}.00\nNational Insurance 84.12\nNet ${1600 + month}.75`;

for (const dialect of DIALECTS) describe(`the learned model in a real ${dialect} catalogue`, () => {
  let database: CatalogDatabase;
  let catalog: OpenCatalog;
  const config = configSchema.parse({});
  const logger = pino({ level: 'silent' });
  const ids: number[] = [];

  beforeAll(async () => {
    database = await openTestCatalog(dialect);
    const repository = new DocumentRepository(database.db, 'tester');
    catalog = { database, repository, close: () => database.close() };
    for (let month = 1; month <= 6; month += 1) {
      ids.push((await repository.commitDocument(document(month, bill(month)), { path: `/bills/${month}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' })).documentId);
      ids.push((await repository.commitDocument(document(100 + month, payslip(month)), { path: `/pay/${month}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'r' })).documentId);
    }
  });
  afterAll(async () => database.close());

  it('has nothing to learn before anything was labelled by hand', async () => {
    const report = await trainModel(catalog, config);
    expect(report).toMatchObject({ trained: false, documents: 0 });
    expect(report.reason).toMatch(/doccat set ID --type TYPE/);
    expect(await currentModel(catalog, config, logger, { retrain: true })).toBeUndefined();
  });

  it('trains on the labels set by hand and stores the model in the catalogue', async () => {
    const repository = new DocumentRepository(database.db, 'tester');
    for (const [index, id] of ids.slice(0, 10).entries()) await repository.applyManualChanges(id, { type: index % 2 === 0 ? 'utility-bill' : 'payslip', correspondent: index % 2 === 0 ? 'Stadtwerke Oberau' : 'Kestrel Logistics' }, 'set', 'r');
    const report = await trainModel(catalog, config);
    expect(report).toMatchObject({ trained: true, documents: 10 });
    expect(report.summary?.learned.types).toEqual(['payslip', 'utility-bill']);
    // What the rules had said of each example is kept: the corrections the model may make.
    expect(Object.values(report.summary?.verdicts['utility-bill'] ?? {}).reduce((sum, count) => sum + count, 0)).toBe(5);
    const stored = await new LearnedModelRepository(database.db).load();
    expect(stored).toMatchObject({ documents: 10, fingerprint: report.fingerprint });
    expect(stored?.model.length).toBeGreaterThan(0);

    const model = await currentModel(catalog, config, logger, { retrain: true });
    const { documentFeatures } = await import('../../../src/classify/learned/features.js');
    const { extraFeatures } = await import('../../../src/classify/learned/classifier.js');
    const { LocalClassifier } = await import('../../../src/classify/providers/local.js');
    const input = { text: bill(11), mime: 'text/plain', fileName: 'x.txt', metadata: {} };
    const features = documentFeatures(input.text, extraFeatures(input, new LocalClassifier(config.classify).verdict(input)));
    expect(model?.predictType(features)?.label).toBe('utility-bill');
    expect(model?.predictCorrespondent(features)?.label).toBe('Stadtwerke Oberau');
  });

  it('retrains when a label set by hand changes, and only then', async () => {
    const models = new LearnedModelRepository(database.db);
    const before = await models.load();
    await currentModel(catalog, config, logger, { retrain: true });
    expect((await models.load())?.trainedAt).toBe(before?.trainedAt);
    await new DocumentRepository(database.db, 'tester').applyManualChanges(ids[10] as number, { type: 'utility-bill' }, 'set', 'r');
    await currentModel(catalog, config, logger, { retrain: true });
    const after = await models.load();
    expect(after?.fingerprint).not.toBe(before?.fingerprint);
    expect(after?.documents).toBe(11);
  });

  it('is not used with features.learning off', async () => {
    expect(await currentModel(catalog, configSchema.parse({ features: { learning: false } }), logger, { retrain: true })).toBeUndefined();
  });
});
