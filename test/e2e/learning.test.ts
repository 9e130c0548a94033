import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, parseIngestJson, runDoccat, tempDir, type RunOptions } from '../support/cli.js';
import { DIALECTS } from '../support/catalogs.js';
import { createDatabase } from '../support/postgres.mjs';
import { startFakeProviders, type FakeProviders } from '../support/fake-providers.mjs';
import { killWatchers, startWatch } from '../support/watch.js';

/**
 * Classification that learns, through the binary: a user corrects five documents of a kind the
 * rules do not know, and the next one of that kind is classified right; `doccat train` and
 * `doccat eval` report on it.
 */

/** A utility's monthly bill and an employer's payslip: the recurring paperwork users correct. */
function bill(month: number): string {
  return [
    'Stadtwerke Oberau GmbH · Postfach 1120 · 82496 Oberau',
    `Ihre Verbrauchsabrechnung Strom und Wasser ${String(month).padStart(2, '0')}/2024`,
    'Vertragskonto 300 455 219 · Zählernummer 1ESY1160 4471',
    `Verbrauch im Zeitraum: ${180 + month * 13} kWh Strom, ${4 + (month % 3)} m³ Wasser`,
    `Abschlag für den nächsten Monat: ${48 + month},00 €`,
    'Der Betrag wird zum 15. des Monats von Ihrem Konto abgebucht. Fragen? Kundenservice 08821 7710.',
  ].join('\n');
}

function payslip(month: number): string {
  return [
    'Kestrel Logistics Ltd — Employee pay advice',
    `Pay date 28/${String(month).padStart(2, '0')}/2024   Employee 0458   Grace Okafor`,
    `Basic salary ${1900 + month * 3}.00   Night shift premium ${200 + month}.50`,
    `Income tax ${160 + month}.40   National Insurance 84.12   Pension ${110 + month}.23`,
    `Net pay ${1700 + month * 2}.75, paid to account ending 5521`,
  ].join('\n');
}

interface ShowJson {
  document: { type: string; correspondent: string | null; tags: string[]; language: string | null; text?: string; classification: { classifier: string; rule: string }; fields: Record<string, unknown> };
}

for (const dialect of DIALECTS) describe(`learning from corrections (${dialect})`, () => {
  const home = tempDir();
  const inbox = tempDir('doccat-learn-inbox-');
  const later = tempDir('doccat-learn-later-');
  let env: NodeJS.ProcessEnv = {};
  const ids: number[] = [];
  let bill9 = 0;
  let bill10 = 0;
  const run = (args: string[], options: RunOptions = {}) => runDoccat(args, { home, ...options, env: { ...env, ...options.env } });
  const show = async (id: number) => JSON.parse((await run(['show', String(id), '--json'])).stdout) as ShowJson;
  // A test that failed midway must not leave its watcher running.
  afterEach(() => killWatchers());

  beforeAll(async () => {
    env = dialect === 'postgres' ? { DOCCAT_DATABASE_URL: await createDatabase(inject('pgUrl')) } : {};
    for (let month = 1; month <= 5; month += 1) {
      fs.writeFileSync(path.join(inbox, `bill-${month}.txt`), bill(month));
      fs.writeFileSync(path.join(inbox, `pay-${month}.txt`), payslip(month));
    }
    const report = parseIngestJson(await run(['ingest', inbox, '--json']));
    for (const file of report.files.sort((a, b) => a.path.localeCompare(b.path))) ids.push(file.documentId as number);
  });

  it('classifies with the rules alone before anything was corrected', async () => {
    const first = await show(ids[0] as number);
    expect(first.document.classification.classifier).toBe('local');
    expect(first.document.type).not.toBe('utility-bill');
    const train = await run(['train', '--json']);
    expect(train.code).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ trained: false });
  });

  it('learns five corrections per kind at the start of the next ingest and applies them', async () => {
    for (const [index, id] of ids.entries()) {
      const bills = index < 5;
      const set = await run(['set', String(id), '--type', bills ? 'utility-bill' : 'payslip', '--correspondent', bills ? 'Stadtwerke Oberau' : 'Kestrel Logistics']);
      expect(set.code, set.stderr).toBe(0);
    }
    fs.writeFileSync(path.join(later, 'bill-9.txt'), bill(9));
    fs.writeFileSync(path.join(later, 'pay-9.txt'), payslip(9));
    // No `doccat train` in between: ingest retrains at its start because the labels changed.
    const ingest = await run(['ingest', later, '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const files = parseIngestJson(ingest).files.sort((a, b) => a.path.localeCompare(b.path));
    bill9 = files[0]?.documentId as number;
    const newBill = await show(bill9);
    expect(newBill.document).toMatchObject({ type: 'utility-bill', correspondent: 'Stadtwerke Oberau', classification: { classifier: 'learned' } });
    expect(newBill.document.classification.rule).toMatch(/^learned: utility-bill \d\.\d\d from 5 examples/);
    expect((await show(files[1]?.documentId as number)).document).toMatchObject({ type: 'payslip', correspondent: 'Kestrel Logistics' });
  });

  it('trains on demand and says what it learned', async () => {
    const train = await run(['train', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const report = JSON.parse(train.stdout) as { trained: boolean; documents: number; summary: { learned: { types: string[]; correspondents: string[] } } };
    expect(report).toMatchObject({ trained: true, documents: 10 });
    expect(report.summary.learned).toMatchObject({ types: ['payslip', 'utility-bill'], correspondents: ['Kestrel Logistics', 'Stadtwerke Oberau'] });
    const people = await run(['train']);
    expect(people.stdout).toMatch(/trained on 10 documents in \d+ ms/);
    expect(people.stdout).toMatch(/\| type\s+\| utility-bill\s+\| 5\s+\| yes/);
  });

  it('evaluates the rules, the learned model and the chain on the documents labelled by hand', async () => {
    const result = await run(['eval', '--folds', '5', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { documents: number; folds: number; classifiers: Record<string, { accuracy: number; perType: Record<string, { precision: number | null; recall: number | null; support: number }>; confusion: Record<string, Record<string, number>> }> };
    expect(report).toMatchObject({ documents: 10, folds: 5 });
    expect(Object.keys(report.classifiers)).toEqual(['rules', 'learned', 'chain']);
    // The rules have no utility-bill type; the learned model, trained on the other folds, does.
    expect(report.classifiers.rules?.perType['utility-bill']).toMatchObject({ recall: 0, support: 5 });
    expect(report.classifiers.learned?.accuracy).toBe(1);
    expect(report.classifiers.chain?.confusion['utility-bill']).toEqual({ 'utility-bill': 5 });
    // More folds than documents: each document is a fold of its own, and the report says so.
    const most = await run(['eval', '--folds', '500', '--json']);
    expect(JSON.parse(most.stdout)).toMatchObject({ documents: 10, folds: 10 });
    const people = await run(['eval']);
    expect(people.stdout).toMatch(/10 documents with a type set by hand/);
    expect(people.stdout).toMatch(/\| chain\s+\| 100\.0%/);
  });

  it('keeps to the rules with features.learning off', async () => {
    fs.writeFileSync(path.join(later, 'bill-10.txt'), bill(10));
    const report = parseIngestJson(await run(['ingest', later, '--json'], { env: { DOCCAT_FEATURES_LEARNING: 'false' } }));
    const added = report.files.find((file) => file.path.endsWith('bill-10.txt'));
    bill10 = added?.documentId as number;
    expect((await show(bill10)).document.classification.classifier).toBe('local');
  });

  it('retrains at the start of watch and of reclassify too, when the labels changed', async () => {
    // bill-10, classified by the rules alone, set by hand: the sixth example of a utility bill.
    expect((await run(['set', String(bill10), '--type', 'utility-bill'])).code).toBe(0);
    const watched = tempDir('doccat-learn-watched-');
    fs.writeFileSync(path.join(watched, 'bill-11.txt'), bill(11));
    const watch = startWatch(home, [watched, '--stable', '300'], undefined, env);
    await watch.until((events) => events.some((event) => event.event === 'done' && event.path.endsWith('bill-11.txt')));
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    const bill11 = watch.events.find((event) => event.event === 'done')?.documentId as number;
    expect((await show(bill11)).document.classification.rule).toMatch(/^learned: utility-bill \d\.\d\d from 6 examples/);
    // bill-11 confirmed by hand: a seventh, which reclassify learns before it classifies again.
    expect((await run(['set', String(bill11), '--type', 'utility-bill'])).code).toBe(0);
    const reclassified = await run(['reclassify', 'type:utility-bill']);
    expect(reclassified.code, reclassified.stderr).toBe(0);
    // bill-9 was classified by the model trained on five bills; now by the one trained on seven.
    expect((await show(bill9)).document.classification.rule).toMatch(/^learned: utility-bill \d\.\d\d from 7 examples/);
  });
});

describe('eval with a provider (sqlite, a local fake of the OpenAI API)', () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  afterAll(async () => fake.close());

  it('asks the provider about every document labelled by hand and scores its answers beside the rules', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-eval-provider-');
    const config = path.join(home, 'doccat.config.json');
    fs.writeFileSync(config, JSON.stringify({ ai: { retryBaseDelayMs: 10, providers: [{ name: 'gpt', type: 'openai', model: 'gpt-5.6-luna', baseURL: `${fake.url}/v1`, apiKey: 'env:OPENAI_API_KEY', maxAttempts: 1 }] } }));
    const env = { OPENAI_API_KEY: 'sk-proj-e2e-TESTSECRET-0123456789' };
    fs.writeFileSync(path.join(inbox, 'invoice.txt'), 'INVOICE\nInvoice number 2024-17\nACME Corporation\nTotal due: 196.35 EUR\n');
    fs.writeFileSync(path.join(inbox, 'letter.txt'), 'Dear Ms Berg,\nthank you for your letter about the garden fence.\nSincerely,\nTom\n');
    const files = parseIngestJson(await runDoccat(['ingest', inbox, '--json', '--config', config], { home, env })).files;
    for (const file of files) expect((await runDoccat(['set', String(file.documentId), '--type', file.path.endsWith('invoice.txt') ? 'invoice' : 'letter', '--config', config], { home })).code).toBe(0);
    const result = await runDoccat(['eval', '--provider', 'gpt', '--folds', '2', '--json', '--config', config], { home, env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { documents: number; classifiers: Record<string, { accuracy: number }> };
    expect(report.documents).toBe(2);
    expect(Object.keys(report.classifiers)).toEqual(['rules', 'learned', 'chain', 'gpt']);
    expect(report.classifiers.gpt?.accuracy).toBe(1);
    // Ingest asked it about the same texts already: its answers come from the catalogue's cache.
    expect(fake.count('openai')).toBeGreaterThanOrEqual(2);
    expect(fake.rejections).toEqual([]);
  });
});

describe('what ingest reads besides the text (sqlite)', () => {
  const home = tempDir();
  const root = tempDir('doccat-paths-');
  const config = path.join(tempDir('doccat-paths-config-'), 'doccat.config.json');
  const run = (args: string[]) => runDoccat(['--config', config, ...args], { home });
  const show = async (id: number) => JSON.parse((await run(['show', String(id), '--json', '--text'])).stdout) as ShowJson;

  beforeAll(async () => {
    fs.writeFileSync(config, JSON.stringify({ classify: { folderTags: true, pathRules: [{ glob: 'Steuer/**', type: 'tax', tags: ['finanzamt'] }, { glob: '*.quittung.txt', type: 'receipt' }] } }));
    fs.mkdirSync(path.join(root, 'Steuer', '2024'), { recursive: true });
    fs.mkdirSync(path.join(root, 'Haus'), { recursive: true });
    fs.writeFileSync(path.join(root, 'Steuer', '2024', 'brief.txt'), 'Sehr geehrte Frau Roth,\nanbei die Unterlagen, um die Sie gebeten hatten.\nMit freundlichen Grüßen');
    fs.writeFileSync(path.join(root, 'Haus', 'maler.quittung.txt'), 'Malerbetrieb Sommer\nBetrag 240,00 EUR dankend erhalten.');
    // A legacy Russian text in windows-1251: not UTF-8, not windows-1252.
    fs.writeFileSync(
      path.join(root, 'Haus', 'schet.txt'),
      Buffer.from('d3e2e0e6e0e5ecfbe920eaebe8e5edf22c20ede0eff0e0e2ebffe5ec20e2e0ec20f1f7b8f220e7e020f3f1ebf3e3e820f1e2ffe7e820e7e020ece0f0f22e20ceefebe0f2e8f2fc20ede5eee1f5eee4e8ecee20e220f2e5f7e5ede8e520f2f0e8e4f6e0f2e820e4ede5e92e', 'hex'),
    );
    // Typed invoice fields.
    fs.writeFileSync(path.join(root, 'Haus', 'rechnung.txt'), 'Elektro Brandl GmbH\nRechnung Nr. 2024-1187\nRechnungsdatum: 05.02.2024\nNettobetrag 947,00 €\nzzgl. 19 % MwSt. 179,93 €\nRechnungsbetrag 1.126,93 €\nFällig am 19.02.2024\nIBAN DE89 3704 0044 0532 0130 00\nUSt-IdNr. DE 271 556 903');
    const ingest = await run(['ingest', root, '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
  });

  const idOf = async (name: string) => ((JSON.parse((await run(['search', `path:*${name}`, '--json'])).stdout) as { results: { id: number }[] }).results[0]?.id as number);

  it('tags documents with their folders and applies path rules, also when reclassifying', async () => {
    const letter = await idOf('brief.txt');
    expect((await show(letter)).document).toMatchObject({ type: 'tax', tags: ['2024', 'finanzamt', 'steuer'] });
    expect((await show(await idOf('maler.quittung.txt'))).document).toMatchObject({ type: 'receipt', tags: ['haus'] });
    expect((await run(['reclassify', `id:${letter}`])).code).toBe(0);
    expect((await show(letter)).document).toMatchObject({ type: 'tax', tags: ['2024', 'finanzamt', 'steuer'] });
  });

  it('decodes legacy text by its detected charset and detects its language', async () => {
    const shown = await show(await idOf('schet.txt'));
    expect(shown.document.text).toContain('Уважаемый клиент');
    expect(shown.document.language).toBe('ru');
    expect(JSON.parse((await run(['search', 'lang:ru', '--json'])).stdout)).toMatchObject({ total: 1 });
  });

  it('reads invoice fields as typed values the filters compute with', async () => {
    const id = await idOf('rechnung.txt');
    expect((await show(id)).document.fields).toEqual({
      total: { amount: 1126.93, currency: 'EUR' },
      subtotal: { amount: 947, currency: 'EUR' },
      tax: { amount: 179.93, currency: 'EUR' },
      invoiceNumber: '2024-1187',
      dueDate: '2024-02-19',
      iban: 'DE89370400440532013000',
      vatId: 'DE271556903',
    });
    const ids = async (...args: string[]) => (JSON.parse((await run(['list', ...args, '--json'])).stdout) as { results: { id: number }[] }).results.map((hit) => hit.id);
    expect(await ids('--total', '>1000', '--currency', 'EUR')).toEqual([id]);
    expect(await ids('--total', '<=1000')).toEqual([]);
    expect(await ids('--due', '<2024-03-01')).toEqual([id]);
    expect((await run(['search', 'total>1000 due:2024-02', '--json'])).stdout).toContain(`"id": ${id}`);
  });
});

describe('the labelled classification set', () => {
  it('lists every document it holds, with its split and licence', () => {
    const folder = path.join(REPO_ROOT, 'test', 'classify-set');
    const rows = fs.readFileSync(path.join(folder, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const files = fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !['MANIFEST.tsv', 'LICENSE.md'].includes(entry.name));
    expect(rows).toHaveLength(files.length);
    expect(rows.length).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map((row) => row[1])).size).toBe(16);
    expect(new Set(rows.map((row) => row[2]))).toEqual(new Set(['en', 'de']));
    expect(new Set(rows.map((row) => row[3]))).toEqual(new Set(['tuning', 'held-back']));
    for (const row of rows) expect(fs.existsSync(path.join(folder, row[0] as string)), row[0]).toBe(true);
    expect(rows.every((row) => row[5] === 'CC0-1.0')).toBe(true);
  });
});
