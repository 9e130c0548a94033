import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { documentFeatures, type ExtraFeature, type FeatureVector } from './features.js';
import { ALPHA, RULE_ALPHA, RULE_BITS, RULE_EVIDENCE_WEIGHT, SHARPNESS, newTable, addExample, ruleRow, scoring, scores, softmaxTop, learnable, tally, type LabelTable, type ScoringTable, type Prediction } from './tables.js';

/**
 * The learned classifier: multinomial naive Bayes over hashed word and word-pair features, one
 * model for the type, one for the correspondent, and one yes/no model per tag. Naive Bayes learns
 * from a handful of examples per class, trains in one pass over the documents (counting), and
 * predicts with one table lookup per feature and class, so it fits "train 10k documents in
 * seconds, predict in well under a millisecond" without a library or native code.
 *
 * Counts live in dense tables of 2^bits hashed rows per class: collisions are the price of a
 * model whose size does not grow with the vocabulary. The rules' evidence on a document (their
 * verdict and scores) has rows of its own after those, smoothed and weighed as a block (tables.ts).
 */

export type { Prediction } from './tables.js';

/**
 * 2: line shapes among the features, and the rules' verdict weighs less; 3: the rules' evidence in
 * rows of its own, smoothed apart; 4: line shapes weigh more. A stored model of another format is
 * retrained.
 */
export const MODEL_FORMAT = 4;

export interface TrainingExample {
  text: string;
  /** Facts outside the text: the file format, the rules' verdicts. */
  extra?: readonly ExtraFeature[];
  /** Labels known for this document; absent ones are not learned from it. */
  type?: string;
  correspondent?: string;
  tags?: readonly string[];
  /** 1 for labels set by hand; less for automatic labels taken as examples. */
  weight: number;
  /** The type the rules gave this document, so the model knows which of their verdicts it corrects. */
  verdict?: string;
}

export interface TrainingOptions {
  /** A class is learned only with at least this many examples (summed weights). */
  minExamples: number;
  maxCorrespondents?: number;
  maxTags?: number;
}


export interface ModelSummary {
  format: number;
  documents: number;
  /** Examples per label, including those with too few to be learned. */
  types: Record<string, number>;
  correspondents: Record<string, number>;
  tags: Record<string, number>;
  /**
   * The labels the model predicts: those with at least minExamples, when two types (or
   * correspondents) have that many; tags when as many documents were tagged by hand without them.
   */
  learned: { types: string[]; correspondents: string[]; tags: string[] };
  /** Documents whose tags were set by hand (summed weights); absent in models stored before it was kept. */
  tagged?: number;
  /** Per learned type, the rules' verdicts on its examples (summed weights). */
  verdicts: Record<string, Record<string, number>>;
  minExamples: number;
}

/** One trainer's counts, as ModelTrainer.counted() hands them to another (across threads too). */
export interface TrainerCounts {
  documents: number;
  verdicts: Record<string, Record<string, number>>;
  type: TableCounts;
  correspondent: TableCounts;
  tags: TableCounts;
}

type TableCounts = Pick<LabelTable, 'documents' | 'counts' | 'totals' | 'ruleTotals'>;

/** Labels of one document, without its text: what decides the classes before any text is read. */
export type Labels = Pick<TrainingExample, 'type' | 'correspondent' | 'tags' | 'weight' | 'verdict'>;

/**
 * Training in one streaming pass: the classes are decided from the labels alone, then each
 * document's features are counted and dropped, so 10k documents never sit in memory at once.
 */
export class ModelTrainer {
  private readonly tables: { type: LabelTable; correspondent: LabelTable; tags: LabelTable };
  private readonly typeIndex: Map<string, number>;
  private readonly correspondentIndex: Map<string, number>;
  private readonly tagIndex: Map<string, number>;
  private readonly summary: ModelSummary;
  private documents = 0;

  constructor(labelled: Iterable<Labels>, options: TrainingOptions) {
    const all = [...labelled];
    const typeCounts = tally(all.flatMap((labels) => (labels.type ? [[labels.type, labels.weight] as [string, number]] : [])));
    const correspondentCounts = tally(all.flatMap((labels) => (labels.correspondent ? [[labels.correspondent, labels.weight] as [string, number]] : [])));
    const tagCounts = tally(all.flatMap((labels) => (labels.tags ?? []).map((tag) => [tag, labels.weight] as [string, number])));
    // A model chooses between labels: one label with enough examples alone would be said of everything.
    const choice = (labels: string[]) => (labels.length >= 2 ? labels : []);
    const types = choice(learnable(typeCounts, options.minExamples));
    const correspondents = choice(learnable(correspondentCounts, options.minExamples, options.maxCorrespondents ?? 64));
    // A tag's yes/no model learns "no" from documents tagged by hand without it, as many as "yes" needs.
    const tagged = all.reduce((sum, labels) => sum + (labels.tags === undefined ? 0 : labels.weight), 0);
    const tagNames = learnable(new Map([...tagCounts].filter(([, count]) => tagged - count >= options.minExamples)), options.minExamples, options.maxTags ?? 64);
    this.tables = {
      type: newTable(18, types),
      correspondent: newTable(16, correspondents),
      // The last column counts every document whose tags were set: "without the tag" is that minus the tag.
      tags: newTable(16, [...tagNames, '']),
    };
    this.typeIndex = new Map(types.map((label, index) => [label, index]));
    this.correspondentIndex = new Map(correspondents.map((label, index) => [label, index]));
    this.tagIndex = new Map(tagNames.map((label, index) => [label, index]));
    this.summary = {
      format: MODEL_FORMAT,
      documents: 0,
      types: Object.fromEntries(typeCounts),
      correspondents: Object.fromEntries(correspondentCounts),
      tags: Object.fromEntries(tagCounts),
      learned: { types, correspondents, tags: tagNames },
      tagged,
      verdicts: {},
      minExamples: options.minExamples,
    };
  }

  /** True when some label of these is learned, so the document's text is worth reading. */
  wants(labels: Labels): boolean {
    return (labels.type !== undefined && this.typeIndex.has(labels.type)) || (labels.correspondent !== undefined && this.correspondentIndex.has(labels.correspondent)) || (labels.tags !== undefined && this.tagIndex.size > 0);
  }

  add(labels: Labels, features: FeatureVector): void {
    this.documents += 1;
    const type = labels.type === undefined ? undefined : this.typeIndex.get(labels.type);
    if (type !== undefined) {
      addExample(this.tables.type, features, type, labels.weight);
      if (labels.verdict !== undefined) {
        const verdicts = (this.summary.verdicts[labels.type as string] ??= {});
        verdicts[labels.verdict] = (verdicts[labels.verdict] ?? 0) + labels.weight;
      }
    }
    const correspondent = labels.correspondent === undefined ? undefined : this.correspondentIndex.get(labels.correspondent);
    if (correspondent !== undefined) addExample(this.tables.correspondent, features, correspondent, labels.weight);
    if (labels.tags !== undefined) {
      const tags = this.tables.tags;
      addExample(tags, features, tags.classes.length - 1, labels.weight);
      for (const tag of labels.tags) {
        const column = this.tagIndex.get(tag);
        if (column !== undefined) addExample(tags, features, column, labels.weight);
      }
    }
  }

  /**
   * What this trainer counted, for another trainer made from the same labels to add to its own:
   * counting is a sum, so documents can be counted in several threads and the counts added up.
   */
  counted(): TrainerCounts {
    const { type, correspondent, tags } = this.tables;
    const part = (table: LabelTable): TableCounts => ({ documents: table.documents, counts: table.counts, totals: table.totals, ruleTotals: table.ruleTotals });
    return { documents: this.documents, verdicts: this.summary.verdicts, type: part(type), correspondent: part(correspondent), tags: part(tags) };
  }

  /** Adds another trainer's counts (from counted()); both were made from the same labels. */
  merge(other: TrainerCounts): void {
    this.documents += other.documents;
    for (const [type, verdicts] of Object.entries(other.verdicts)) {
      const mine = (this.summary.verdicts[type] ??= {});
      for (const [verdict, weight] of Object.entries(verdicts)) mine[verdict] = (mine[verdict] ?? 0) + weight;
    }
    for (const name of ['type', 'correspondent', 'tags'] as const) {
      const table = this.tables[name];
      const part = other[name];
      if (part.counts.length !== table.counts.length) throw new Error(`merging a ${name} table of another shape: the trainers were made from different labels`);
      for (let index = 0; index < part.counts.length; index += 1) if (part.counts[index] !== 0) table.counts[index] = (table.counts[index] as number) + (part.counts[index] as number);
      for (let column = 0; column < table.classes.length; column += 1) {
        table.documents[column] = (table.documents[column] as number) + (part.documents[column] as number);
        table.totals[column] = (table.totals[column] as number) + (part.totals[column] as number);
        table.ruleTotals[column] = (table.ruleTotals[column] as number) + (part.ruleTotals[column] as number);
      }
    }
  }

  finish(): LearnedModel {
    return LearnedModel.build({ ...this.summary, documents: this.documents }, this.tables);
  }
}

export class LearnedModel {
  private readonly type: ScoringTable | undefined;
  private readonly correspondent: ScoringTable | undefined;
  /** Per tag: the tag's column, and the "all tagged documents" column last. */
  private readonly tags: ScoringTable | undefined;

  private constructor(
    readonly summary: ModelSummary,
    private readonly tables: { type?: LabelTable; correspondent?: LabelTable; tags?: LabelTable },
  ) {
    // A model needs two classes to choose between; one known class would be said of everything.
    this.type = tables.type && tables.type.classes.length >= 2 ? scoring(tables.type) : undefined;
    this.correspondent = tables.correspondent && tables.correspondent.classes.length >= 2 ? scoring(tables.correspondent) : undefined;
    this.tags = tables.tags && tables.tags.classes.length >= 2 ? scoring(tables.tags) : undefined;
  }

  static train(examples: readonly TrainingExample[], options: TrainingOptions): LearnedModel {
    const trainer = new ModelTrainer(examples, options);
    for (const example of examples) trainer.add(example, documentFeatures(example.text, example.extra));
    return trainer.finish();
  }

  /** Training from features already computed (cross-validation computes them once). */
  static fromFeatures(featured: readonly { example: TrainingExample; features: FeatureVector }[], options: TrainingOptions): LearnedModel {
    const trainer = new ModelTrainer(featured.map(({ example }) => example), options);
    for (const { example, features } of featured) trainer.add(example, features);
    return trainer.finish();
  }

  /** @internal for ModelTrainer */
  static build(summary: ModelSummary, tables: { type: LabelTable; correspondent: LabelTable; tags: LabelTable }): LearnedModel {
    return new LearnedModel(summary, tables);
  }

  /** True when the model can say anything at all. */
  get usable(): boolean {
    return this.type !== undefined || this.correspondent !== undefined || this.summary.learned.tags.length > 0;
  }

  get knownTypes(): readonly string[] {
    return this.type?.classes ?? [];
  }

  features(text: string, extra: readonly ExtraFeature[] = []): FeatureVector {
    return documentFeatures(text, extra);
  }

  predictType(features: FeatureVector): Prediction | undefined {
    return this.type ? softmaxTop(this.type, scores(this.type, features)) : undefined;
  }

  predictCorrespondent(features: FeatureVector): Prediction | undefined {
    return this.correspondent ? softmaxTop(this.correspondent, scores(this.correspondent, features)) : undefined;
  }

  /** Tags whose yes/no model says yes with at least this probability. */
  predictTags(features: FeatureVector, minConfidence: number): Prediction[] {
    const table = this.tags;
    const raw = this.tables.tags;
    if (!table || !raw) return [];
    const allColumn = table.classes.length - 1;
    const width = table.classes.length;
    const mask = (1 << table.bits) - 1;
    const rows = 1 << table.bits;
    const ruleRows = 1 << RULE_BITS;
    const allDocuments = raw.documents[allColumn] as number;
    const found: Prediction[] = [];
    for (let column = 0; column < allColumn; column += 1) {
      const withDocuments = raw.documents[column] as number;
      const withoutDocuments = allDocuments - withDocuments;
      if (withoutDocuments <= 0) continue;
      const withTotal = raw.totals[column] as number;
      const withoutTotal = (raw.totals[allColumn] as number) - withTotal;
      let withScore = Math.log(withDocuments / allDocuments);
      const withoutScore = Math.log(withoutDocuments / allDocuments);
      let likelihood = 0;
      let mass = 0;
      for (const [hash, value] of features.text) {
        const row = (hash & mask) * width;
        const count = raw.counts[row + column] as number;
        const all = raw.counts[row + allColumn] as number;
        likelihood += value * (Math.log(count + ALPHA) - Math.log(Math.max(0, all - count) + ALPHA));
        mass += value;
      }
      likelihood -= mass * (Math.log(withTotal + ALPHA * rows) - Math.log(Math.max(0, withoutTotal) + ALPHA * rows));
      // The rules' evidence as the type table weighs it (tables.ts).
      const withRuleTotal = raw.ruleTotals[column] as number;
      const withoutRuleTotal = (raw.ruleTotals[allColumn] as number) - withRuleTotal;
      let ruleLikelihood = 0;
      let ruleMass = 0;
      for (const [hash, value] of features.rules) {
        const row = ruleRow(table.bits, hash) * width;
        const count = raw.counts[row + column] as number;
        const all = raw.counts[row + allColumn] as number;
        ruleLikelihood += value * (Math.log(count + RULE_ALPHA) - Math.log(Math.max(0, all - count) + RULE_ALPHA));
        ruleMass += value;
      }
      ruleLikelihood -= ruleMass * (Math.log(withRuleTotal + RULE_ALPHA * ruleRows) - Math.log(Math.max(0, withoutRuleTotal) + RULE_ALPHA * ruleRows));
      withScore += SHARPNESS * (likelihood + RULE_EVIDENCE_WEIGHT * ruleLikelihood);
      const probability = 1 / (1 + Math.exp(withoutScore - withScore));
      if (probability >= minConfidence) found.push({ label: table.classes[column] as string, confidence: probability });
    }
    return found.sort((a, b) => b.confidence - a.confidence);
  }

  /** The model as bytes: a JSON header, then the count tables, deflated. */
  serialize(): Buffer {
    const parts: Buffer[] = [];
    const layout: { name: string; bits: number; classes: string[]; documents: number[]; totals: number[]; ruleTotals: number[]; bytes: number }[] = [];
    for (const [name, table] of Object.entries(this.tables) as [string, LabelTable][]) {
      const bytes = Buffer.from(table.counts.buffer, table.counts.byteOffset, table.counts.byteLength);
      layout.push({ name, bits: table.bits, classes: table.classes, documents: [...table.documents], totals: [...table.totals], ruleTotals: [...table.ruleTotals], bytes: bytes.length });
      parts.push(bytes);
    }
    const header = Buffer.from(JSON.stringify({ summary: this.summary, layout }), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    return deflateRawSync(Buffer.concat([length, header, ...parts]), { level: 1 });
  }

  static deserialize(stored: Uint8Array): LearnedModel {
    const bytes = inflateRawSync(stored);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as {
      summary: ModelSummary;
      layout: { name: 'type' | 'correspondent' | 'tags'; bits: number; classes: string[]; documents: number[]; totals: number[]; ruleTotals: number[]; bytes: number }[];
    };
    if (header.summary.format !== MODEL_FORMAT) throw new Error(`model format ${header.summary.format}, this doccat reads ${MODEL_FORMAT}`);
    let offset = 4 + headerLength;
    const tables: { type?: LabelTable; correspondent?: LabelTable; tags?: LabelTable } = {};
    for (const entry of header.layout) {
      // Copied out: the inflated buffer's offset need not be aligned for a Float32Array view.
      const counts = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + entry.bytes));
      offset += entry.bytes;
      tables[entry.name] = { bits: entry.bits, classes: entry.classes, documents: Float64Array.from(entry.documents), totals: Float64Array.from(entry.totals), ruleTotals: Float64Array.from(entry.ruleTotals), counts };
    }
    return new LearnedModel(header.summary, tables);
  }
}
