import * as z from 'zod';

export const ALERT_METRICS = ['failures', 'failureRate', 'providerErrorRate', 'providerBreakerOpen', 'tokenBudgetUsed', 'ocrConfidence', 'queueDepth', 'oldestJobAge', 'stageP95', 'hookFailures'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export const ALERT_STAGES = ['sniff', 'hash', 'extract', 'ocr', 'classify', 'store', 'commit', 'total'] as const;

export const alertRuleSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dots, dashes and underscores'),
    metric: z.enum(ALERT_METRICS).describe('failures, failureRate (0-1), providerErrorRate (0-1), providerBreakerOpen (0/1), tokenBudgetUsed (0-1 of dailyTokenBudget today), ocrConfidence (mean, 0-100), queueDepth, oldestJobAge (seconds), stageP95 (ms), hookFailures'),
    above: z.number().optional().describe('fires while the value is above this'),
    below: z.number().optional().describe('fires while the value is below this'),
    window: z.string().regex(/^\d+(min|h|d|w)$/, 'a duration such as 15min, 1h, 24h, 7d').default('1h').describe('how far back the metric looks'),
    provider: z.string().min(1).optional().describe('provider metrics: only this provider (default: any)'),
    stage: z.enum(ALERT_STAGES).optional().describe('stageP95: sniff, hash, extract, ocr, classify, store, commit or total'),
    minSamples: z.number().int().min(1).default(1).describe('rates, means and percentiles: fewer files or calls than this in the window count as no data (not firing)'),
  })
  .strict()
  .superRefine((rule, context) => {
    if ((rule.above === undefined) === (rule.below === undefined)) context.addIssue({ code: 'custom', path: ['above'], message: 'give exactly one of above and below' });
    if (rule.metric === 'stageP95' && rule.stage === undefined) context.addIssue({ code: 'custom', path: ['stage'], message: 'stageP95 needs a stage' });
  });
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertsSchema = z
  .object({
    rules: z
      .array(alertRuleSchema)
      .default([])
      .superRefine((rules, context) => {
        const seen = new Set<string>();
        for (const [index, rule] of rules.entries()) {
          if (seen.has(rule.name)) context.addIssue({ code: 'custom', path: [index, 'name'], message: `another rule is named "${rule.name}"` });
          seen.add(rule.name);
        }
      })
      .describe('{ name, metric, above | below, window }: checked at the end of each run and every intervalSeconds in watch and worker; a rule that starts or stops firing goes to hooks.onAlert and the log once'),
    intervalSeconds: z.number().int().min(1).default(60).describe('how often watch and worker check the rules'),
  })
  .strict()
  .default({ rules: [], intervalSeconds: 60 });
