import * as z from 'zod';

export const documentTypeRuleSchema = z.object({
  name: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  keywords: z.array(z.string().min(1)).default([]).describe('words and phrases, matched whole, case and accents folded; "*word" also matches it at the end of a compound (Hausratversicherung), "word*" at the start'),
  titles: z.array(z.string().min(1)).default([]).describe('names of this kind of document ("payslip", "Kontoauszug"): near the top they count four times a keyword'),
  patterns: z.array(z.string().min(1)).default([]),
  mimeTypes: z.array(z.string().min(1)).default([]),
  weight: z.number().positive().default(1),
  tags: z.array(z.string().min(1)).default([]),
});

export const tagRuleSchema = z.object({
  tag: z.string().min(1),
  keywords: z.array(z.string().min(1)).default([]),
  patterns: z.array(z.string().min(1)).default([]),
});

export const LEARNED_DEFAULTS = { minExamples: 5, minConfidence: 0.9, automaticWeight: 0 };

export const learnedSchema = z.object({
  minExamples: z.number().int().min(1).default(LEARNED_DEFAULTS.minExamples).describe('documents labelled by hand a type, correspondent or tag needs before the model predicts it'),
  minConfidence: z.number().min(0).max(1).default(LEARNED_DEFAULTS.minConfidence).describe('the model decides only when at least this sure; below, the rules do'),
  automaticWeight: z.number().min(0).max(1).default(LEARNED_DEFAULTS.automaticWeight).describe('weight of labels set automatically (by rules or providers) as examples; 0 learns from labels set by hand only'),
});

export const pathRuleSchema = z
  .object({
    glob: z.string().min(1).describe('matched against the path below the ingested folder, e.g. "Tax/**" or "**/receipts/*.pdf"'),
    type: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').optional(),
    tags: z.array(z.string().min(1)).default([]),
    correspondent: z.string().min(1).optional(),
  })
  .refine((rule) => rule.type !== undefined || rule.tags.length > 0 || rule.correspondent !== undefined, 'a path rule sets a type, tags or a correspondent');

export type DocumentTypeRule = z.infer<typeof documentTypeRuleSchema>;
export type TagRule = z.infer<typeof tagRuleSchema>;
export type PathRule = z.infer<typeof pathRuleSchema>;
