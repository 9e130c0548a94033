import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/cli.js';

interface Detector {
  detect(text: string): { language: string; isReliable(): boolean; getScores(): Record<string, number> };
}

const SAMPLES = [
  'The invoice is due within thirty days of the date of delivery, and late payments carry interest.',
  'Die Rechnung ist innerhalb von dreißig Tagen nach Lieferung zu bezahlen, sonst fallen Zinsen an.',
  'La facture est payable dans les trente jours suivant la livraison, faute de quoi des intérêts sont dus.',
  'La factura debe pagarse dentro de los treinta días siguientes a la entrega del pedido completo.',
  'Счёт должен быть оплачен в течение тридцати дней с даты поставки товара покупателю.',
  '請求書は納品日から三十日以内にお支払いください。遅れた場合は利息が発生します。',
  'Faktura musi zostać opłacona w ciągu trzydziestu dni od daty dostawy towaru.',
];

describe('the language model in the bundle (scripts/build.mjs rewrites it as JSON)', () => {
  it('detects exactly what eld itself detects, with the same scores', async () => {
    const chunk = fs.readdirSync(path.join(REPO_ROOT, 'dist', 'app')).find((name) => /^static\.extrasmall-.*\.js$/.test(name));
    expect(chunk, 'npm test builds dist/app first').toBeDefined();
    const bundled = ((await import(pathToFileURL(path.join(REPO_ROOT, 'dist', 'app', chunk as string)).href)) as { eld: Detector }).eld;
    const original = ((await import('eld/extrasmall')) as { eld: Detector }).eld;
    // The chunk holds the model as a JSON string, not the 950 KB object literal.
    expect(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'app', chunk as string), 'utf8')).toContain('JSON.parse(');
    for (const text of SAMPLES) {
      const mine = bundled.detect(text);
      const theirs = original.detect(text);
      expect(mine.language, text).toBe(theirs.language);
      expect(mine.isReliable()).toBe(theirs.isReliable());
      expect(mine.getScores()).toEqual(theirs.getScores());
    }
    expect(SAMPLES.map((text) => bundled.detect(text).language)).toEqual(['en', 'de', 'fr', 'es', 'ru', 'ja', 'pl']);
  });
});
