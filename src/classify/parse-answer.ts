import * as z from 'zod';
import { foldText } from '../text/fold.js';
import type { Taxonomy } from './prompts/classify-v1.js';
import type { Classification, FieldValue } from './classifier.js';
import { parseAmount } from '../text/amount.js';
import { currencyCode } from './money.js';

/**
 * Reads a provider's answer leniently (code fences, prose around the JSON), validates it, and
 * keeps types and tags inside the taxonomy: the nearest allowed value, or dropped.
 */

const answerSchema = z.object({
  type: z.string().min(1),
  title: z.string().min(1).max(300),
  tags: z.array(z.string()).default([]),
  date: z.string().nullable().optional(),
  correspondent: z.string().nullable().optional(),
  language: z.string().nullable().optional(),
  summary: z.string().nullable().optional(),
  confidence: z.coerce.number().min(0).max(1),
  total: z.union([z.string(), z.number()]).nullable().optional(),
  currency: z.string().nullable().optional(),
  invoiceNumber: z.union([z.string(), z.number()]).nullable().optional(),
  dueDate: z.string().nullable().optional(),
});

/** A classification but for who decided it (the service adds the provider and its rule). */
export type ParsedAnswer = Omit<Classification, 'rule' | 'classifier'> & {
  /** What was changed to fit the taxonomy, for the record of why. */
  adjustments: string[];
};

export type ParseResult = { ok: true; answer: ParsedAnswer } | { ok: false; problems: string };

export function parseAnswer(text: string, taxonomy: Taxonomy, fallbackType: string, allowNewTags: boolean): ParseResult {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, problems: 'the answer holds no JSON object' };
  const checked = answerSchema.safeParse(json);
  if (!checked.success) {
    return { ok: false, problems: checked.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ') };
  }
  const answer = checked.data;
  const adjustments: string[] = [];
  let type = nearest(answer.type, taxonomy.types);
  if (type === undefined) {
    adjustments.push(`type "${answer.type}" is not allowed: ${fallbackType}`);
    type = fallbackType;
  } else if (type !== answer.type) adjustments.push(`type "${answer.type}" read as ${type}`);
  const tags = new Set<string>();
  for (const tag of answer.tags) {
    const known = nearest(tag, taxonomy.tags);
    if (known !== undefined) tags.add(known);
    else if (allowNewTags && normaliseTag(tag)) tags.add(normaliseTag(tag));
    else adjustments.push(`tag "${tag}" dropped`);
  }
  const fields: Record<string, FieldValue> = {};
  const total = answer.total === null || answer.total === undefined ? undefined : parseAmount(String(answer.total).replace(/[^\d.,' -]/g, '').trim());
  if (total !== undefined) fields.total = { amount: total, currency: currencyCode(answer.currency?.trim() || undefined) ?? null };
  if (answer.invoiceNumber !== null && answer.invoiceNumber !== undefined && String(answer.invoiceNumber).trim()) fields.invoiceNumber = String(answer.invoiceNumber).trim();
  const dueDate = isoDate(answer.dueDate);
  if (dueDate) fields.dueDate = dueDate;
  if (answer.summary?.trim()) fields.summary = answer.summary.trim();
  const correspondent = answer.correspondent?.trim() ? nearest(answer.correspondent, taxonomy.correspondents) ?? answer.correspondent.trim() : null;
  return {
    ok: true,
    answer: {
      type,
      title: answer.title.trim().slice(0, 200),
      tags: [...tags].sort(),
      date: isoDate(answer.date) ?? null,
      correspondent,
      language: /^[a-z]{2}$/i.test(answer.language ?? '') ? (answer.language as string).toLowerCase() : null,
      confidence: Math.round(answer.confidence * 100) / 100,
      fields,
      adjustments,
    },
  };
}

/** The first balanced JSON object in the text, whatever surrounds it. */
export function extractJson(text: string): unknown {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  for (let start = unfenced.indexOf('{'); start >= 0; start = unfenced.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let index = start; index < unfenced.length; index += 1) {
      const char = unfenced[index];
      if (inString) {
        if (char === '\\') index += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{') depth += 1;
      else if (char === '}' && --depth === 0) {
        try {
          return JSON.parse(unfenced.slice(start, index + 1));
        } catch {
          break;
        }
      }
    }
  }
  return undefined;
}

function isoDate(value: string | null | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[0] ? undefined : match[0];
}

function normaliseTag(tag: string): string {
  return foldText(tag).trim().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 40);
}

/**
 * The allowed value a provider meant: equal once folded, one the other's plural, or at most a
 * couple of letters apart (proportionally to length); otherwise none.
 */
export function nearest(value: string, allowed: readonly string[]): string | undefined {
  const wanted = normaliseTag(value);
  if (!wanted) return undefined;
  let best: { value: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const folded = normaliseTag(candidate);
    if (folded === wanted || folded.replace(/-/g, '') === wanted.replace(/-/g, '')) return candidate;
    if (folded === `${wanted}s` || `${folded}s` === wanted) return candidate;
    const distance = editDistance(folded, wanted);
    const tolerance = Math.min(2, Math.floor(Math.min(folded.length, wanted.length) / 4));
    if (distance <= tolerance && (!best || distance < best.distance)) best = { value: candidate, distance };
  }
  return best?.value;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
