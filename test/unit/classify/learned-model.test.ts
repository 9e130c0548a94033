import { describe, expect, it } from 'vitest';
import { extraFeatures, learnedDecides, scopeOf } from '../../../src/classify/learned/classifier.js';
import { crossValidatedPredictions, score, stratifiedFolds } from '../../../src/classify/learned/evaluation.js';
import { documentFeatures } from '../../../src/classify/learned/features.js';
import { LearnedModel, type TrainingExample } from '../../../src/classify/learned/model.js';
import { nothingLearned, whyNotLearned } from '../../../src/classify/learned/unlearned.js';
import { labelsOf } from '../../../src/app/learning.js';

/** A utility's monthly bill and an employer's monthly payslip: the recurring paperwork users correct. */
function bill(month: number): string {
  return `Stadtwerke Oberau GmbH\nIhre Abrechnung für Strom und Wasser\nVertragskonto 300 455 219\nZeitraum ${month}/2024\nVerbrauch ${200 + month * 7} kWh\nAbschlag ${40 + month},00 €\nDer Betrag wird von Ihrem Konto abgebucht.`;
}
function payslip(month: number): string {
  return `Kestrel Logistics Ltd\nPay advice for month ${month}\nEmployee 0458 Grace Okafor\nBasic ${1900 + month}.00\nTax ${160 + month}.40\nNational Insurance 84.12\nNet ${1600 + month}.75`;
}
function letter(index: number): string {
  return `Dear neighbour number ${index},\nthe garden party is on Saturday at three. Please bring a chair and something to share.\nBest wishes,\nthe Hendersons`;
}

/** The rules call every one of these an invoice, whatever it is: the model learns which are not. */
const examples = (make: (index: number) => string, type: string, count: number, extra: Partial<TrainingExample> = {}): TrainingExample[] =>
  Array.from({ length: count }, (_, index) => ({ text: make(index + 1), type, weight: 1, verdict: 'invoice', extra: extraFeatures({ mime: 'text/plain' }, 'invoice'), ...extra }));

describe('the learned model', () => {
  const training = [...examples(bill, 'utility-bill', 5, { correspondent: 'Stadtwerke Oberau', tags: ['home'] }), ...examples(payslip, 'payslip', 5, { correspondent: 'Kestrel Logistics', tags: ['work'] }), ...examples(letter, 'letter', 5, { tags: [] })];
  const model = LearnedModel.train(training, { minExamples: 5 });
  const features = (text: string) => documentFeatures(text, extraFeatures({ mime: 'text/plain' }, 'invoice'));

  it('learns a type, a correspondent and tags from five examples of each', () => {
    const next = features(bill(9));
    expect(model.predictType(next)).toMatchObject({ label: 'utility-bill' });
    expect(model.predictCorrespondent(next)).toMatchObject({ label: 'Stadtwerke Oberau' });
    expect(model.predictTags(next, 0.5).map((tag) => tag.label)).toEqual(['home']);
    expect(model.predictType(features(payslip(11)))).toMatchObject({ label: 'payslip' });
    expect(model.predictTags(features(letter(12)), 0.5)).toEqual([]);
  });

  it('does not predict a label with fewer than minExamples examples', () => {
    const few = LearnedModel.train([...examples(bill, 'utility-bill', 4), ...examples(payslip, 'payslip', 5), ...examples(letter, 'letter', 5)], { minExamples: 5 });
    expect(few.knownTypes).toEqual(['letter', 'payslip']);
    expect(few.summary.types['utility-bill']).toBe(4);
  });

  it('needs two types to choose between: one known type would be said of everything', () => {
    const single = LearnedModel.train(examples(bill, 'utility-bill', 6), { minExamples: 5 });
    expect(single.predictType(features(letter(1)))).toBeUndefined();
    // And says so, rather than listing the type as learned.
    expect(single.summary.learned.types).toEqual([]);
    expect(single.usable).toBe(false);
    expect(whyNotLearned(single.summary, 'type', 'utility-bill')).toMatch(/needs a second type with 5/);
    expect(nothingLearned(single.summary)).toMatch(/^type utility-bill needs a second type with 5/);
  });

  it('learns a tag only from documents tagged by hand both with it and without it', () => {
    // Five bills tagged by hand, payslips labelled by type only: nothing says what is not "home".
    const onlyWith = LearnedModel.train([...examples(bill, 'utility-bill', 5, { tags: ['home'] }), ...examples(payslip, 'payslip', 5)], { minExamples: 5 });
    expect(onlyWith.summary.learned.tags).toEqual([]);
    expect(onlyWith.predictTags(features(bill(9)), 0.5)).toEqual([]);
    expect(whyNotLearned(onlyWith.summary, 'tag', 'home')).toBe('needs 5 tagged by hand without it, has 0 (doccat tag ID -home)');
    // The payslips' tags looked at by hand and left without "home": now it is learned and applied.
    const both = LearnedModel.train([...examples(bill, 'utility-bill', 5, { tags: ['home'] }), ...examples(payslip, 'payslip', 5, { tags: [] })], { minExamples: 5 });
    expect(both.summary.learned.tags).toEqual(['home']);
    expect(whyNotLearned(both.summary, 'tag', 'home')).toBeUndefined();
    expect(both.predictTags(features(bill(9)), 0.5).map((tag) => tag.label)).toEqual(['home']);
    expect(both.predictTags(features(payslip(9)), 0.5)).toEqual([]);
  });

  it('survives being stored: the same answers after serialize and deserialize', () => {
    const restored = LearnedModel.deserialize(model.serialize());
    for (const text of [bill(7), payslip(3), letter(8)]) {
      expect(restored.predictType(features(text))).toEqual(model.predictType(features(text)));
      expect(restored.predictCorrespondent(features(text))).toEqual(model.predictCorrespondent(features(text)));
    }
    expect(restored.summary).toEqual(model.summary);
  });

  it('overrules the rules only with a correction it learned, or a type it knows', () => {
    const scope = scopeOf(model);
    const sure = { label: 'utility-bill', confidence: 0.99 };
    // Its utility bills were all called invoices by the rules: that is the correction it learned.
    expect(learnedDecides('invoice', sure, scope, 0.9)).toBe(true);
    expect(learnedDecides('other', sure, scope, 0.9)).toBe(true);
    expect(learnedDecides('letter', sure, scope, 0.9)).toBe(true);
    // Never shown an e-mail, nor a document the rules called one.
    expect(learnedDecides('email', sure, scope, 0.9)).toBe(false);
    expect(learnedDecides('invoice', { ...sure, confidence: 0.5 }, scope, 0.9)).toBe(false);
  });

  it('learns from the mix of rule evidence where the rules abstain', () => {
    // Two kinds the rules find no type for: one scores a little as a report and a manual, the
    // other a little as a paper. The words say nothing (each document has its own), so only the
    // scores under the verdict can tell them apart, also for a text that shares words with the other kind.
    const profile = { site: [{ type: { name: 'report' }, score: 1.5 }, { type: { name: 'manual' }, score: 1 }], study: [{ type: { name: 'paper' }, score: 1.8 }] };
    const made = (type: 'site' | 'study', index: number): TrainingExample => {
      const text = `${type === 'site' ? 'visit' : 'reading'} ${['oak', 'elm', 'ash', 'yew', 'fir'][index]} entry`;
      return { text, type, weight: 1, verdict: 'other', extra: extraFeatures({ mime: 'text/plain' }, 'other', profile[type]) };
    };
    const trained = LearnedModel.train([0, 1, 2, 3, 4].flatMap((index) => [made('site', index), made('study', index)]), { minExamples: 5 });
    expect(trained.predictType(documentFeatures('reading oak entry', extraFeatures({ mime: 'text/plain' }, 'other', profile.site)))).toMatchObject({ label: 'site' });
    expect(trained.predictType(documentFeatures('visit elm entry', extraFeatures({ mime: 'text/plain' }, 'other', profile.study)))).toMatchObject({ label: 'study' });
  });
});

describe('the rules\' evidence in the learned model', () => {
  const plain = { mime: 'text/plain' };
  const said = (verdict: string, scores: Record<string, number>) => extraFeatures(plain, verdict, Object.entries(scores).map(([name, score]) => ({ type: { name }, score })));
  const contract = (index: number) => `Service agreement ${index}\n1. The supplier delivers the goods in batch ${index}.\n2. Either party may end this arrangement with notice in writing.\nSigned: ____________________`;
  const letter = (index: number) => `Dear Anna,\nwe had a lovely time at the lake this summer, number ${index}, and the children still talk about the boat.\nWith love,\nMarta`;
  const trained = (letterScores: Record<string, number>) =>
    LearnedModel.train(
      [
        ...[1, 2, 3, 4, 5].map((index) => ({ text: contract(index), type: 'contract', weight: 1, verdict: 'contract', extra: said('contract', { contract: 8 }) })),
        ...[1, 2, 3, 4, 5].map((index) => ({ text: letter(index), type: 'letter', weight: 1, verdict: 'letter', extra: said('letter', letterScores) })),
      ],
      { minExamples: 5 },
    );

  it('is a block apart: how much the rules said of a type\'s examples does not change what their words weigh', () => {
    // The same examples, once with letters that scored only as letters, once with letters that also
    // scored as four other types: more rule features, the same words.
    const terse = trained({ letter: 6 });
    const verbose = trained({ letter: 6, contract: 3, invoice: 2, receipt: 2, report: 1 });
    const words = documentFeatures(`Dear Tom,\nthe children loved the lake.\n1. Either party may end this arrangement.`, ['mime:text/plain']);
    const [a, b] = [terse.predictType(words), verbose.predictType(words)];
    expect(a?.label).toBe(b?.label);
    expect(a?.confidence).toBeCloseTo(b?.confidence ?? Number.NaN, 10);
  });

  it('still tells the types apart by the rules\' verdict where the text says little', () => {
    const model = trained({ letter: 6, contract: 1 });
    expect(model.predictType(documentFeatures('Thank you', said('letter', { letter: 6 })))).toMatchObject({ label: 'letter' });
    expect(model.predictType(documentFeatures('Thank you', said('contract', { contract: 8 })))).toMatchObject({ label: 'contract' });
  });
});

describe('evaluation', () => {
  it('scores accuracy, precision, recall and confusion', () => {
    const scores = score([
      { actual: 'invoice', predicted: 'invoice' },
      { actual: 'invoice', predicted: 'receipt' },
      { actual: 'receipt', predicted: 'receipt' },
      { actual: 'letter', predicted: 'other' },
    ]);
    expect(scores.accuracy).toBe(0.5);
    expect(scores.perType.invoice).toEqual({ precision: 1, recall: 0.5, support: 2 });
    expect(scores.perType.receipt).toEqual({ precision: 0.5, recall: 1, support: 1 });
    expect(scores.confusion).toEqual({ invoice: { invoice: 1, receipt: 1 }, receipt: { receipt: 1 }, letter: { other: 1 } });
  });

  it('deals each type out over the folds', () => {
    expect(stratifiedFolds(['a', 'b', 'a', 'a', 'b', 'a'], 2)).toEqual([0, 0, 1, 0, 1, 1]);
  });

  it('predicts each document with a model that never saw it', () => {
    const documents = [...Array.from({ length: 6 }, (_, index) => ({ type: 'utility-bill', verdict: 'invoice', features: documentFeatures(bill(index + 1)) })), ...Array.from({ length: 6 }, (_, index) => ({ type: 'payslip', verdict: 'payslip', features: documentFeatures(payslip(index + 1)) }))];
    const held = crossValidatedPredictions(documents, 3, { minExamples: 3 });
    expect(held.map((entry) => entry.prediction?.label)).toEqual(documents.map((document) => document.type));
  });
});

describe('what a document teaches', () => {
  const row = (overrides: Partial<Parameters<typeof labelsOf>[0]>) => ({ id: 1, type: 'invoice', correspondent: 'ACME', tags: '["work"]', manual_fields: '[]', classifier: 'local', mime: 'text/plain', ...overrides });
  const settings = (automaticWeight: number) => ({ minExamples: 5, minConfidence: 0.9, automaticWeight });

  it('teaches the labels set by hand, at full weight', () => {
    expect(labelsOf(row({ manual_fields: '["type","tags"]' }), settings(0))).toEqual({ weight: 1, type: 'invoice', tags: ['work'] });
    expect(labelsOf(row({ manual_fields: '["correspondent"]' }), settings(0))).toEqual({ weight: 1, correspondent: 'ACME' });
  });

  it('teaches automatic labels only when asked, at a lower weight, and never the model\'s own', () => {
    expect(labelsOf(row({}), settings(0))).toBeUndefined();
    expect(labelsOf(row({}), settings(0.3))).toEqual({ weight: 0.3, type: 'invoice', correspondent: 'ACME' });
    expect(labelsOf(row({ classifier: 'learned' }), settings(0.3))).toBeUndefined();
  });
});
