import type { DocumentTypeRule, TagRule } from '../../config/schema.js';
import { classificationSchema, type Classification, type Classifier, type ClassifyInput, type FieldValue } from '../classifier.js';
import { foldText } from '../../text/fold.js';
import { detectLanguage } from '../language.js';
import { chooseTitle, documentDate, findCorrespondent } from '../facts.js';
import { findInvoiceFields, findValidIban } from '../invoice-fields.js';
import { dominantCurrency } from '../money.js';
import { FALLBACK_TYPE, mergeTypes } from '../taxonomy.js';

export interface LocalClassifierOptions {
  types: readonly DocumentTypeRule[];
  tags: readonly TagRule[];
  /** Score a type needs before it is chosen over "other". */
  minScore: number;
}

/** A MIME type rule is decisive: an .eml is an e-mail whatever it says. */
const MIME_SCORE = 100;
/** Words near the top (letterhead, heading) say more about the type than words in the body. */
const HEAD_CHARS = 600;
/** A title in the heading: four keywords' worth. */
const TITLE_SCORE = 4;

export interface CompiledType {
  name: string;
  weight: number;
  tags: string[];
  mimeTypes: Set<string>;
  keywords: Phrase[];
  titles: Phrase[];
  patterns: RegExp[];
}

/** A keyword as folded words: matched against the words of a text, not by a regex per keyword. */
interface Phrase {
  text: string;
  /** Folded words joined by one space. */
  words: string;
  parts: string[];
  single: boolean;
  /** "*word": also the end of a compound; "word*": also its start. */
  suffix: boolean;
  prefix: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A text's words, folded, once: keywords are set lookups and substring searches in it, which
 * keeps classifying (and the learned model's rule features) well under a millisecond per keyword
 * list where a regular expression per keyword took ten milliseconds on a long page.
 */
class WordIndex {
  readonly words: Set<string>;
  /** The words joined by spaces, made only once a phrase whose words all occur needs it. */
  private joined: string | undefined;

  constructor(
    folded: string,
    private readonly list: readonly string[] = folded.match(WORD) ?? [],
  ) {
    this.words = new Set(list);
  }

  has(phrase: Phrase): boolean {
    if (phrase.suffix || phrase.prefix) {
      for (const word of this.words) if ((phrase.suffix && word.endsWith(phrase.words)) || (phrase.prefix && word.startsWith(phrase.words))) return true;
      return false;
    }
    if (phrase.single) return this.words.has(phrase.words);
    // Most phrases have a word the text lacks: a set lookup rules them out before a search.
    if (!phrase.parts.every((part) => this.words.has(part))) return false;
    this.joined ??= ` ${this.list.join(' ')} `;
    return this.joined.includes(` ${phrase.words} `);
  }
}

/**
 * A text already folded, with its words: a caller that folds the same text for something else
 * (the learned model's features) hands it over instead of having it folded twice.
 */
export interface FoldedText {
  /** foldText(`${subject}\n${body}`), as typeScores would fold it. */
  folded: string;
  words?: readonly string[];
}

function phrase(keyword: string): Phrase {
  const suffix = keyword.startsWith('*');
  const prefix = keyword.endsWith('*') && keyword.length > 1;
  const words = (foldText(keyword.slice(suffix ? 1 : 0, prefix ? -1 : undefined)).match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
  return { text: keyword, words, parts: words.split(' '), single: !words.includes(' '), suffix, prefix };
}

/** Rules over the text: works offline, never fails, and says which rule decided. */
export class LocalClassifier implements Classifier {
  readonly name = 'local';
  private readonly types: CompiledType[];
  private readonly tagRules: { tag: string; patterns: RegExp[] }[];

  constructor(private readonly options: LocalClassifierOptions) {
    // Types the user configured come first, so that they win ties against the built-in ones.
    const configured = new Set(options.types.map((type) => type.name));
    const merged = mergeTypes(options.types);
    this.types = [...merged.filter((type) => configured.has(type.name)), ...merged.filter((type) => !configured.has(type.name))].map((type) => ({
      name: type.name,
      weight: type.weight,
      tags: type.tags,
      mimeTypes: new Set(type.mimeTypes),
      keywords: type.keywords.map(phrase).filter((keyword) => keyword.words !== ''),
      titles: type.titles.map(phrase).filter((title) => title.words !== ''),
      patterns: type.patterns.map(compilePattern),
    }));
    this.tagRules = options.tags.map((rule) => ({
      tag: rule.tag,
      patterns: [...rule.keywords.map(wordPattern), ...rule.patterns.map(compilePattern)],
    }));
  }

  /** Every type's score for a document, best first: what the rules see, also a feature to learn from. */
  typeScores(input: ClassifyInput, prepared?: FoldedText): { type: CompiledType; score: number; reasons: string[] }[] {
    const folded = prepared?.folded ?? foldText(`${input.metadata.subject ?? ''}\n${input.text.slice(0, 100_000)}`);
    const head = folded.slice(0, HEAD_CHARS);
    const text = { folded, all: new WordIndex(folded, prepared?.words), head: new WordIndex(head), heading: new WordIndex(headingOf(head)) };
    return this.types.map((type) => scoreType(type, input, text)).sort((a, b) => b.score - a.score);
  }

  /** The type the rules decide ("other" when none scores minScore): what they would answer. */
  verdict(input: ClassifyInput, scores: readonly { type: CompiledType; score: number }[] = this.typeScores(input)): string {
    const best = scores[0];
    return best && best.score >= this.options.minScore ? best.type.name : FALLBACK_TYPE;
  }

  async classify(input: ClassifyInput): Promise<Classification> {
    const body = input.text.slice(0, 100_000);
    const folded = foldText(`${input.metadata.subject ?? ''}\n${body}`);
    const scored = this.typeScores(input, { folded });
    const best = scored[0];
    const runnerUp = scored[1];
    const chosen = best && best.score >= this.options.minScore ? best : undefined;
    const type = chosen?.type.name ?? FALLBACK_TYPE;
    const language = await detectLanguage(body);
    const fields = this.fieldsFor(type, body, language, input.layoutText);
    const tags = new Set<string>(chosen?.type.tags ?? []);
    for (const rule of this.tagRules) if (rule.patterns.some((pattern) => pattern.test(folded))) tags.add(rule.tag);
    const confidence = chosen
      ? Math.min(0.95, 0.5 + 0.45 * (1 - (runnerUp?.score ?? 0) / chosen.score) * Math.min(1, chosen.score / (this.options.minScore * 3)))
      : body.trim().length === 0 ? 0.2 : 0.3;
    return classificationSchema.parse({
      type,
      title: chooseTitle(body, input.fileName, input.metadata.title),
      tags: [...tags].sort(),
      date: documentDate(body, monthFirst(language, body), input.metadata.date),
      correspondent: findCorrespondent(body, input.metadata.from),
      language,
      confidence: Math.round(confidence * 100) / 100,
      rule: chosen ? `${chosen.type.name}: ${chosen.reasons.slice(0, 5).join(', ')}` : `no type scored ${this.options.minScore} or more`,
      classifier: this.name,
      fields,
    });
  }

  /** The typed fields a document of this type has: money and references on invoices and receipts. */
  fieldsFor(type: string, body: string, language: string | null, layoutText?: string): Record<string, FieldValue> {
    const fields: Record<string, FieldValue> = {};
    if (type === 'invoice' || type === 'receipt') {
      for (const [key, value] of Object.entries(findInvoiceFields(body, monthFirst(language, body), layoutText))) if (value !== undefined) fields[key] = value;
    } else if (type === 'bank-statement') {
      const iban = findValidIban(body);
      if (iban) fields.iban = iban;
    }
    return fields;
  }
}

/**
 * US English writes 03/08/2024 for March 8th; the rest of the world, most of the English-speaking
 * world too, for August 3rd. Language detection says only "en", so the money says which English:
 * a document in pounds, euros, rupees or Australian dollars is not American. A date that settles
 * it (25/03/2024) settles it for the whole document (facts.ts settledMonthFirst).
 */
function monthFirst(language: string | null, body: string): boolean {
  if (language !== 'en' && language !== null) return false;
  const currency = dominantCurrency(body.slice(0, 20_000));
  return currency === null || MONTH_FIRST_CURRENCIES.has(currency);
}

/** Currencies of the English-writing countries that put the month first: the United States, the Philippines. */
const MONTH_FIRST_CURRENCIES = new Set(['USD', 'PHP']);

/** Words per line up to which a line of the head reads as a heading, not as prose. */
const HEADING_WORDS = 8;

/**
 * The heading lines of a document's head: short lines (a title, a letterhead, "Rechnung Nr. 12"),
 * and the first words of longer ones. A title further into a sentence is a mention ("the work was
 * billed on invoice no. 118"): a letter that cites an invoice does not call itself one.
 */
function headingOf(head: string): string {
  return head
    .split('\n')
    .map((line) => {
      const words = line.match(/[\p{L}\p{N}]+/gu) ?? [];
      return words.length <= HEADING_WORDS ? words.join(' ') : words.slice(0, 3).join(' ');
    })
    .join('\n');
}

function scoreType(type: CompiledType, input: ClassifyInput, text: { folded: string; all: WordIndex; head: WordIndex; heading: WordIndex }): { type: CompiledType; score: number; reasons: string[] } {
  const { folded } = text;
  let score = 0;
  const reasons: string[] = [];
  if (type.mimeTypes.has(input.mime)) {
    score += MIME_SCORE;
    reasons.push(`mime ${input.mime}`);
  }
  for (const title of type.titles) {
    if (!text.all.has(title)) continue;
    // What a document calls itself in its heading says most about it; further down it may be
    // a mention ("your invoice"), worth a keyword.
    const inHead = text.heading.has(title);
    score += inHead ? TITLE_SCORE : 1;
    reasons.push(inHead ? `title "${title.text}"` : `"${title.text}"`);
  }
  for (const keyword of type.keywords) {
    if (!text.all.has(keyword)) continue;
    // Each keyword counts once; in the heading area it counts double.
    score += text.head.has(keyword) ? 2 : 1;
    reasons.push(`"${keyword.text}"`);
  }
  for (const pattern of type.patterns) {
    if (!pattern.test(folded)) continue;
    score += 1.5;
    reasons.push(`/${pattern.source}/`);
  }
  return { type, score: score * type.weight, reasons };
}

/**
 * A configured pattern, case-insensitive and multi-line. Unicode mode only when the pattern needs
 * it (\p{...}): with it, V8 runs \b and case folding about ten times slower.
 */
function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern, /\\[pPu]\{/.test(pattern) ? 'imu' : 'im');
}

/** A keyword as a whole word or phrase; "*word" also at the end of a compound, "word*" at its start. */
function wordPattern(keyword: string): RegExp {
  const suffix = keyword.startsWith('*');
  const prefix = keyword.endsWith('*') && keyword.length > 1;
  const bare = keyword.slice(suffix ? 1 : 0, prefix ? -1 : undefined);
  const escaped = foldText(bare).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '[\\s\'’-]+');
  return new RegExp(`${suffix ? '' : '(?<![\\p{L}\\p{N}])'}${escaped}${prefix ? '' : '(?![\\p{L}\\p{N}])'}`, 'u');
}
