import * as z from 'zod';

/**
 * The one shape of a classification, from the classifier that decides it to the document row that
 * keeps it: classify/ produces it, pipeline/ passes it on, db/ stores it (a leaf, because classify/
 * and db/ never import each other). Other shapes derive from it (db/document-types.ts,
 * classify/parse-answer.ts).
 */

/** An amount of money: a number and its ISO 4217 currency (null when the document names none). */
export const moneySchema = z.object({ amount: z.number().finite(), currency: z.string().regex(/^[A-Z]{3}$/).nullable() });
/** A field is text (an invoice number, an ISO date, an IBAN) or money (total, subtotal, tax). */
export const fieldValueSchema = z.union([z.string(), moneySchema]);
export type FieldValue = z.infer<typeof fieldValueSchema>;

/** A field as people read it: "4904.94 EUR". */
export function formatFieldValue(value: FieldValue): string {
  return typeof value === 'string' ? value : `${value.amount.toFixed(2)}${value.currency ? ` ${value.currency}` : ''}`;
}

/** What every classifier (local rules now, AI providers later) returns, validated by this schema. */
export const classificationSchema = z.object({
  type: z.string().min(1),
  title: z.string(),
  tags: z.array(z.string()),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  correspondent: z.string().nullable(),
  language: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  /** Which rule or provider decided, so a user can see why. */
  rule: z.string(),
  classifier: z.string(),
  fields: z.record(z.string(), fieldValueSchema),
});
export type Classification = z.infer<typeof classificationSchema>;
