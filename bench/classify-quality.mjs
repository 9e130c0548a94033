// @ts-check
// `npm run bench -- classify-quality`: how often the classifiers are right on the labelled set in
// test/classify-set (the rules on its tuning and held-back parts; the chain after 5 documents per
// type were labelled by hand), and how long training on 10k documents and predicting take.
// Figures, not tests: nothing here fails a build.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const DRAWS = 20;
const CORRECTIONS = 5;

function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pct = (right, total) => (total === 0 ? '-' : `${((100 * right) / total).toFixed(1)}% (${right}/${total})`);

export async function benchClassifyQuality(root) {
  const setDir = path.join(root, 'test', 'classify-set');
  const manifest = fs
    .readFileSync(path.join(setDir, 'MANIFEST.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [file, type, language, split] = line.split('\t');
      return { file, type, language, split };
    });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-quality-'));
  const bin = path.join(root, 'bin', 'doccat.js');
  // The documents go through the real pipeline (sniff, extract), as a user's would.
  await execFileAsync(process.execPath, [bin, 'ingest', setDir, '--catalog', home, '--no-ocr', '--exclude', '*.md', '--exclude', '*.tsv', '--json', '-q'], { maxBuffer: 64 * 1024 * 1024 });
  const { openSqliteDatabase } = await import(path.join(root, 'dist/db/database.js'));
  const { LocalClassifier } = await import(path.join(root, 'dist/classify/providers/local.js'));
  const { configSchema } = await import(path.join(root, 'dist/config/schema.js'));
  const { documentFeatures } = await import(path.join(root, 'dist/classify/learned/features.js'));
  const { LearnedModel, ModelTrainer } = await import(path.join(root, 'dist/classify/learned/model.js'));
  const { extraFeatures, learnedDecides, scopeOf } = await import(path.join(root, 'dist/classify/learned/classifier.js'));
  const config = configSchema.parse({});
  const rules = new LocalClassifier(config.classify);
  const catalog = await openSqliteDatabase({ path: path.join(home, 'catalog.db'), busyTimeoutMs: 5000 });
  const rows = await catalog.db
    .selectFrom('documents')
    .innerJoin('sources', 'sources.document_id', 'documents.id')
    .select(['documents.text', 'documents.mime', 'documents.metadata', 'documents.original_name', 'sources.path'])
    .execute();
  await catalog.close();
  const documents = [];
  for (const entry of manifest) {
    const row = rows.find((candidate) => candidate.path === path.join(setDir, entry.file));
    if (!row) throw new Error(`bench: ${entry.file} was not catalogued`);
    const input = { text: row.text, mime: row.mime, fileName: row.original_name, metadata: JSON.parse(row.metadata) };
    const ruled = await rules.classify(input);
    const ruleScores = rules.typeScores(input);
    documents.push({ ...entry, input, ruled: ruled.type, ruleScores, features: documentFeatures(input.text, extraFeatures(input, ruled.type, ruleScores)) });
  }

  console.log(`\nClassification quality: ${documents.length} labelled documents in test/classify-set (${new Set(documents.map((d) => d.type)).size} types, ${documents.filter((d) => d.language === 'de').length} German)`);
  // BENCH_TUNING_ONLY=1 prints the tuning part's figures only: what one tunes by, with nothing of
  // the held-back part in sight.
  const shown = process.env.BENCH_TUNING_ONLY ? ['tuning'] : ['tuning', 'held-back'];
  for (const split of shown) {
    const part = documents.filter((document) => document.split === split);
    console.log(`  rules, no training, ${split.padEnd(9)}          ${pct(part.filter((document) => document.ruled === document.type).length, part.length)}`);
  }
  // Only the tuning part's misses are named: the held-back part is measured, never looked into.
  const tuningMisses = documents.filter((document) => document.split === 'tuning' && document.ruled !== document.type).map((document) => `${document.file} -> ${document.ruled}`);
  if (tuningMisses.length > 0) console.log(`  tuning misses: ${tuningMisses.join(', ')}`);

  // After corrections: per draw, CORRECTIONS documents of each type are "labelled by hand" (a type
  // with fewer documents gives all but one), the model is trained on them, and the chain (model
  // when sure, else rules) classifies every other document. The figures are kept per part: only
  // the tuning part's may be tuned on (and only its misses are named); the held-back part's and
  // the whole's are measured.
  const random = seeded(16);
  const PARTS = ['tuning', 'held-back'];
  const tally = () => ({ total: 0, chain: 0, learned: 0, rules: 0, either: 0, overruled: 0, overruledRight: 0, overruledRulesRight: 0 });
  const byPart = Object.fromEntries(PARTS.map((part) => [part, tally()]));
  const tuningChainMisses = new Map();
  // Recurring paperwork: next month's copy of a corrected document (other numbers, dates, amounts).
  const digits = seeded(2024);
  const sibling = (document) => {
    const text = document.input.text.replace(/\d/g, () => String(Math.floor(digits() * 10)));
    const input = { ...document.input, text };
    // Features as LearnedClassifier computes them: with the copy's own verdict and scores.
    const ruleScores = rules.typeScores(input);
    const ruled = rules.verdict(input, ruleScores);
    return { ...document, input, ruled, features: documentFeatures(text, extraFeatures(input, ruled, ruleScores)) };
  };
  let siblingRules = 0;
  let siblingChain = 0;
  let siblings = 0;
  for (let draw = 0; draw < DRAWS; draw += 1) {
    const byType = new Map();
    for (const document of documents) byType.set(document.type, [...(byType.get(document.type) ?? []), document]);
    const labelled = new Set();
    for (const group of byType.values()) {
      const shuffled = group.map((document) => [random(), document]).sort((a, b) => a[0] - b[0]).map(([, document]) => document);
      for (const document of shuffled.slice(0, Math.min(CORRECTIONS, group.length - 1))) labelled.add(document);
    }
    const model = LearnedModel.fromFeatures([...labelled].map((document) => ({ example: { text: '', type: document.type, verdict: document.ruled, weight: 1 }, features: document.features })), { minExamples: config.classify.learned.minExamples });
    for (const document of documents) {
      if (labelled.has(document)) continue;
      const prediction = model.predictType(document.features);
      const chain = learnedDecides(document.ruled, prediction, scopeOf(model), config.classify.learned.minConfidence) ? prediction.label : document.ruled;
      const part = byPart[document.split];
      part.total += 1;
      if (chain !== document.ruled) {
        part.overruled += 1;
        if (chain === document.type) part.overruledRight += 1;
        if (document.ruled === document.type) part.overruledRulesRight += 1;
      }
      if (chain === document.type) part.chain += 1;
      else if (document.split === 'tuning') {
        const key = `${document.file} -> ${chain} (rules ${document.ruled}, model ${prediction?.label} ${prediction?.confidence.toFixed(2)})`;
        tuningChainMisses.set(key, (tuningChainMisses.get(key) ?? 0) + 1);
      }
      if (prediction?.label === document.type) part.learned += 1;
      if (document.ruled === document.type) part.rules += 1;
      if (document.ruled === document.type || prediction?.label === document.type) part.either += 1;
    }
    for (const document of labelled) {
      const next = sibling(document);
      const ruledNext = next.ruled;
      const prediction = model.predictType(next.features);
      const chain = learnedDecides(ruledNext, prediction, scopeOf(model), config.classify.learned.minConfidence) ? prediction.label : ruledNext;
      siblings += 1;
      if (ruledNext === document.type) siblingRules += 1;
      if (chain === document.type) siblingChain += 1;
    }
  }
  const whole = tally();
  for (const part of Object.values(byPart)) for (const key of Object.keys(whole)) whole[key] += part[key];
  const row = (label, key) => `    ${label.padEnd(37)}${shown.map((part) => `${part} ${pct(byPart[part][key], byPart[part].total)}`.padEnd(30)).join('')}${shown.length === PARTS.length ? `whole ${pct(whole[key], whole.total)}` : ''}`;
  console.log(`  after ${CORRECTIONS} corrections per type (${DRAWS} random draws, the other documents):`);
  console.log(row('rules alone', 'rules'));
  console.log(row('learned model alone', 'learned'));
  console.log(row('chain (model when sure, else rules)', 'chain'));
  // The ceiling of any rule for when the model may overrule: the documents one of the two got right.
  console.log(row('rules or model right (perfect gate)', 'either'));
  /** @type {[string, ReturnType<typeof tally>][]} */
  const parts = [...shown.map((split) => /** @type {[string, ReturnType<typeof tally>]} */ ([split, byPart[split]])), ...(shown.length === PARTS.length ? /** @type {[string, ReturnType<typeof tally>][]} */ ([['whole', whole]]) : [])];
  for (const [name, part] of parts) console.log(`    where the model overruled the rules, ${name.padEnd(9)}: ${part.overruled} times, model right ${part.overruledRight}, rules had been right ${part.overruledRulesRight}, both wrong ${part.overruled - part.overruledRight - part.overruledRulesRight}`);
  if (tuningChainMisses.size > 0) console.log(`  the chain's tuning misses (times in ${DRAWS} draws):\n${[...tuningChainMisses].sort((a, b) => b[1] - a[1]).map(([miss, times]) => `    ${times}x ${miss}`).join('\n')}`);
  if (shown.length === PARTS.length) {
    console.log(`  the next copy of each corrected document (its numbers, dates and amounts changed), ${DRAWS} draws:`);
    console.log(`    rules alone                          ${pct(siblingRules, siblings)}`);
    console.log(`    chain                                ${pct(siblingChain, siblings)}`);
  }

  // BENCH_QUALITY_ONLY=1 (or BENCH_TUNING_ONLY=1) skips the timings (and the 10k-document catalogue they build).
  if (process.env.BENCH_QUALITY_ONLY || process.env.BENCH_TUNING_ONLY) return;
  // Speed: 10k synthetic documents made of the set's lines (each of one type's documents mixed),
  // trained on in one streaming pass as `doccat train` does, then predicted one by one.
  const lines = new Map();
  for (const document of documents) lines.set(document.type, [...(lines.get(document.type) ?? []), ...document.input.text.split('\n').filter((line) => line.trim())]);
  const types = [...lines.keys()];
  const synthetic = Array.from({ length: 10_000 }, (_, index) => {
    const type = types[index % types.length];
    const pool = lines.get(type);
    const text = Array.from({ length: 40 }, () => pool[Math.floor(random() * pool.length)]).join('\n');
    return { type, input: { text, mime: 'text/plain', fileName: 'synthetic.txt', metadata: {} } };
  });
  const characters = synthetic.reduce((sum, document) => sum + document.input.text.length, 0);
  // CPU time beside wall time: on a machine shared with other work the wall clock says little.
  const cpuSeconds = (since) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let cpu = process.cpuUsage();
  let started = performance.now();
  const trainer = new ModelTrainer(synthetic.map((document) => ({ type: document.type, weight: 1 })), { minExamples: config.classify.learned.minExamples });
  // As `doccat train` counts each document (in one thread here).
  const { learnFrom } = await import(path.join(root, 'dist/classify/learned/training.js'));
  for (const document of synthetic) learnFrom(trainer, rules, { labels: { type: document.type, weight: 1 }, mime: 'text/plain', text: document.input.text });
  const trained = trainer.finish();
  const bytes = trained.serialize();
  const trainSeconds = (performance.now() - started) / 1000;
  const trainCpu = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  started = performance.now();
  for (const document of synthetic) {
    const scores = rules.typeScores(document.input);
    trained.predictType(documentFeatures(document.input.text, extraFeatures(document.input, rules.verdict(document.input, scores), scores)));
  }
  const predictMs = (performance.now() - started) / synthetic.length;
  const predictCpuMs = (cpuSeconds(cpu) * 1000) / synthetic.length;
  started = performance.now();
  for (const document of synthetic) trained.predictType(documentFeatures(document.input.text, ['mime:text/plain']));
  const modelOnlyMs = (performance.now() - started) / synthetic.length;
  console.log(`  training on 10,000 documents (${Math.round(characters / 10_000)} characters each on average, in process, one core):`);
  console.log(`    features, rule scores, counting, serialising   ${trainSeconds.toFixed(2)} s wall, ${trainCpu.toFixed(2)} s CPU (model ${(bytes.length / 1024 / 1024).toFixed(1)} MiB)`);
  console.log(`  predicting one document                          ${predictMs.toFixed(3)} ms wall, ${predictCpuMs.toFixed(3)} ms CPU (of which the rules' verdict: ${(predictMs - modelOnlyMs).toFixed(3)} ms wall)`);

  // The same 10k documents in a real catalogue, their types set by hand, and `doccat train` timed
  // as a whole process: start, reading the texts from SQLite, training, storing the model.
  const { DocumentRepository } = await import(path.join(root, 'dist/db/documents.js'));
  const { sql } = await import('kysely');
  const trainHome = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-bench-train-'));
  const big = await openSqliteDatabase({ path: path.join(trainHome, 'catalog.db'), busyTimeoutMs: 5000 });
  const repository = new DocumentRepository(big.db, 'bench');
  for (const [index, document] of synthetic.entries()) {
    await repository.commitDocument(
      { sha256: `${String(index).padStart(8, '0')}${'0'.repeat(56)}`, size: document.input.text.length, mime: 'text/plain', originalName: `${index}.txt`, blobBackend: 'local', blobKey: `bench/${index}`, method: 'text', pages: 1, words: 300, language: null, ocrConfidence: null, type: document.type, title: `${index}`, tags: [], documentDate: null, correspondent: null, classConfidence: 0.5, classRule: 'bench', classifier: 'local', fields: {}, warnings: [], text: document.input.text, metadata: {} },
      { path: `/bench/${index}.txt`, sha256: null, size: 1, mtimeMs: 1, runId: 'bench' },
    );
  }
  await sql`UPDATE documents SET manual_fields = '["type"]'`.execute(big.db);
  await big.close();
  started = performance.now();
  const { stdout } = await execFileAsync(process.execPath, [path.join(root, 'bin', 'doccat.js'), 'train', '--catalog', trainHome, '--json'], { maxBuffer: 16 * 1024 * 1024 });
  const processSeconds = (performance.now() - started) / 1000;
  const report = JSON.parse(stdout);
  console.log(`  doccat train on a SQLite catalogue of 10,000 documents labelled by hand: ${processSeconds.toFixed(2)} s wall for the whole process (training ${(report.trainMs / 1000).toFixed(2)} s of it, ${(report.cpuMs / 1000).toFixed(2)} s CPU in ${report.threads} thread${report.threads === 1 ? '' : 's'}, ${report.documents} documents)`);
  console.log(`  load average while measuring: ${os.loadavg().map((value) => value.toFixed(1)).join(', ')} on ${os.availableParallelism()} cores`);
  fs.rmSync(trainHome, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
}
