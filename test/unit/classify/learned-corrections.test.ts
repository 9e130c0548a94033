import { describe, expect, it } from 'vitest';
import { extraFeatures, learnedDecides, scopeOf } from '../../../src/classify/learned/classifier.js';
import { documentFeatures, featureText } from '../../../src/classify/learned/features.js';
import { LearnedModel, type TrainingExample } from '../../../src/classify/learned/model.js';
import { lineShapes } from '../../../src/classify/learned/shapes.js';
import { LocalClassifier } from '../../../src/classify/providers/local.js';
import { configSchema } from '../../../src/config/schema.js';

const config = configSchema.parse({}).classify;
const rules = new LocalClassifier({ types: config.types, tags: config.tags, minScore: config.minScore });

/** A document as the learned classifier sees it: its words, shapes and the real rules' verdict and scores. */
function seen(text: string): { verdict: string; features: ReturnType<typeof documentFeatures> } {
  const input = { text, mime: 'text/plain', fileName: 'document.txt', metadata: {} };
  const scores = rules.typeScores(input);
  const verdict = rules.verdict(input, scores);
  return { verdict, features: documentFeatures(text, extraFeatures(input, verdict, scores)) };
}

const shops = ['Hofmann Elektro GmbH', 'Brightwell Printing Ltd', 'Schreinerei Vogt', 'Northgate Plumbing', 'Atelier Lenz'];
const invoice = (index: number) =>
  index % 2 === 0
    ? `${shops[index]}\nRechnung Nr. 2024-${100 + index}\nRechnungsdatum 0${index + 1}.03.2024\n\nPos   Leistung                    Menge   Preis    Betrag\n1     Material                        2   ${20 + index},00    ${40 + 2 * index},00\n2     Arbeitszeit                     3   55,00   165,00\nNettobetrag                                    ${205 + 2 * index},00 EUR\nMwSt 19 %                                       ${39 + index},95 EUR\nGesamtbetrag                                   ${244 + index},95 EUR\nZahlbar bis 3${index}.03.2024 auf IBAN DE89 3704 0044 0532 0130 00.`
    : `${shops[index]}\nINVOICE No. INV-${300 + index}\nInvoice date: 0${index + 1}/04/2024\n\nDescription                 Qty   Unit      Amount\nParts                         2   £${15 + index}.00    £${30 + 2 * index}.00\nLabour                        4   £45.00    £180.00\nSubtotal                                £${210 + 2 * index}.00\nVAT 20%                                 £${42 + index}.00\nTotal due                               £${252 + 3 * index}.00\nPayment within 30 days to sort code 20-00-00.`;
const people = ['Mrs Patel', 'Herr Becker', 'Mr Owens', 'Frau Krause', 'Ms Lindqvist'];
const letter = (index: number) =>
  index % 2 === 0
    ? `Dear ${people[index]},\n\nthank you for your letter about the school fete in the spring, which we read with great pleasure at our last meeting.\nWe would be glad to help with the cake stall again this year and will bring the tables from the parish hall on the Friday evening.\nPlease let me know whether the raffle needs prizes as well, as several neighbours have offered to give something.\n\nKind regards,\nJoan`
    : `Sehr geehrte${index === 1 ? 'r' : ''} ${people[index]},\n\nvielen Dank für Ihre freundliche Nachricht zum Jubiläum unseres Vereins, über die wir uns im Vorstand sehr gefreut haben.\nGerne nehmen wir Ihre Einladung zum Sommerfest an und bringen, wie besprochen, die Bänke und den Grill aus dem Vereinsheim mit.\nBitte teilen Sie uns mit, ob wir auch beim Aufbau am Vormittag helfen können, denn einige Mitglieder haben Zeit.\n\nMit freundlichen Grüßen\nKarl Weiß`;

function example(text: string, type: string): TrainingExample {
  const { verdict } = seen(text);
  const input = { text, mime: 'text/plain', fileName: 'document.txt', metadata: {} };
  return { text, type, weight: 1, verdict, extra: extraFeatures(input, verdict, rules.typeScores(input)) };
}

describe('the learned model against the rules', () => {
  it('corrects a bill written as a letter, which the rules call a letter, once one such bill was corrected by hand', () => {
    // Four invoices the rules got right, one tradesman's account written as a letter that the user
    // corrected, and five letters.
    const corrected = `Northgate Plumbing\n4 Canal Row, Frome\n\nDear Mrs Ellis,\n\nthank you for calling me out last week. This is what the work came to:\n\n  12 May    replaced the kitchen tap and washers               £85.00\n  12 May    parts from the merchant                            £23.40\n  Total                                                        £108.40\n\nI would be grateful for payment within 30 days.\n\nKind regards,\nDan`;
    const training = [example(corrected, 'invoice'), ...[0, 1, 2, 3].map((index) => example(invoice(index), 'invoice')), ...[0, 1, 2, 3, 4].map((index) => example(letter(index), 'letter'))];
    expect(training[0]?.verdict).toBe('letter');
    const model = LearnedModel.train(training, { minExamples: 5 });
    const bill = `Sam Carter - Garden Care\n22 Mill Street, Frome\n\nDear Mr and Mrs Whitlock,\n\nthanks for having me back this month. Below is what I did and what I owe you an account for:\n\n  3 June    hedge cutting, front and side (5 hrs @ £22)        £110.00\n  10 June   lawn, edges, weeding beds (3 hrs @ £22)            £66.00\n  24 June   lawn, green waste removal (3 hrs @ £22)            £66.00\n            tip fee for green waste                            £12.50\n  Amount due                                                   £254.50\n\nPayment within 14 days, please, quoting SC-0619.\n\nBest wishes,\nSam`;
    const { verdict, features } = seen(bill);
    expect(verdict).toBe('letter');
    const prediction = model.predictType(features);
    expect(prediction?.label).toBe('invoice');
    expect(learnedDecides(verdict, prediction, scopeOf(model), config.learned.minConfidence)).toBe(true);
    // And a letter stays a letter.
    const next = seen(`Dear Mr Hughes,\n\nmany thanks for the photographs of the garden party, which everybody in the street has now seen and admired.\nWe hope to see you again at the autumn walk, and the Hendersons would like to borrow the ladder once more if you can spare it.\n\nBest wishes,\nAnna`);
    expect(model.predictType(next.features)?.label).toBe('letter');
  });
});

describe('what a corrected document teaches about documents in another language', () => {
  // A piano teacher's account and a dog walker's, each written as a letter: the rules call both letters.
  const bills = [
    `Liebe Frau Brandt,\n\nvielen Dank, dass Ihre Tochter auch in diesem Halbjahr bei mir Klavier lernt. Für die Stunden im Mai komme ich auf Folgendes:\n\n  06.05.2024   Unterricht 45 Minuten            32,00\n  13.05.2024   Unterricht 45 Minuten            32,00\n  27.05.2024   Unterricht 45 Minuten            32,00\n  Noten (Heft 2)                                 9,50\n  Zusammen                                     105,50 EUR\n\nIch freue mich auf die nächsten Stunden.\n\nHerzliche Grüße\nIlse Roth`,
    `Dear Mr Fenwick,\n\nmany thanks for letting me look after the dogs again while you were away. Here is what the fortnight came to:\n\n  1-7 July     daily walks (7 days @ £12)          £84.00\n  8-14 July    daily walks (7 days @ £12)          £84.00\n  14 July      vet run and waiting time            £15.00\n               Total                               £183.00\n\nNo rush, whenever suits you.\n\nAll the best,\nRuth`,
  ] as const;

  it('the lines of amounts of a bill written as a letter, corrected in one language, outweigh the letter in the other', () => {
    // They share almost no words: what carries over is how their lines look (dates, amounts, columns).
    for (const [corrected, next] of [bills, [...bills].reverse()] as const) {
      expect(seen(corrected).verdict).toBe('letter');
      const model = LearnedModel.train([example(corrected, 'invoice'), ...[0, 1, 2, 3].map((index) => example(invoice(index), 'invoice')), ...[0, 1, 2, 3, 4].map((index) => example(letter(index), 'letter'))], { minExamples: 5 });
      const { verdict, features } = seen(next);
      expect(verdict).toBe('letter');
      const prediction = model.predictType(features);
      expect(prediction?.label).toBe('invoice');
      expect(learnedDecides(verdict, prediction, scopeOf(model), config.learned.minConfidence)).toBe(true);
    }
  });
});

describe('training folds a text once', () => {
  it('gives the rules the same scores and the model the same features as folding twice', () => {
    for (const text of [invoice(0), invoice(1), letter(2), 'Straße «Über» Σίσυφος ΣΟΦΟΣ', '']) {
      const read = featureText(text);
      const input = { text, mime: 'text/plain', fileName: 'x.txt', metadata: {} };
      expect(rules.typeScores(input, { folded: `\n${read.folded}`, words: read.words })).toEqual(rules.typeScores(input));
      expect(documentFeatures(read, ['mime:text/plain'])).toEqual(documentFeatures(text, ['mime:text/plain']));
    }
  });
});

describe('line shapes', () => {
  it('see the same table of amounts in English and German number formats', () => {
    expect(lineShapes('Labour        4   £45.00    £1,180.00')).toEqual(['ends-amount', 'columns', 'ends-amount+columns']);
    expect(lineShapes('Arbeitszeit   4   45,00     1.180,00 EUR')).toEqual(['ends-amount', 'columns', 'ends-amount+columns']);
    expect(lineShapes('11.03.2024   Krankengymnastik   34,50')).toEqual(['ends-amount', 'starts-date', 'columns', 'ends-amount+starts-date']);
  });

  it('tell clauses, blanks to sign on, labels and prose apart', () => {
    expect(lineShapes('§ 3 Kündigung')).toEqual(['numbered']);
    expect(lineShapes('2. We will pay a fixed fee in three equal instalments.')).toEqual(['numbered']);
    expect(lineShapes('Signed: ____________________')).toEqual(['blank', 'label', 'blank+label']);
    expect(lineShapes('IBAN: DE89 3704 0044 0532 0130 00')).toEqual(['label', 'iban', 'label+iban']);
    expect(lineShapes('We would be glad to help with the cake stall again this year, and with the tables too.')).toEqual(['prose']);
    expect(lineShapes('Kontoauszug')).toEqual(['short']);
  });
});
