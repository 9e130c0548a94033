import { describe, expect, it } from 'vitest';
import type { Classification, Classifier, ClassifyInput } from '../../../src/classify/classifier.js';
import { PathRulesClassifier } from '../../../src/classify/path-rules.js';
import { configSchema } from '../../../src/config/schema.js';

const inner: Classifier = {
  name: 'local',
  classify: async (): Promise<Classification> => ({ type: 'invoice', title: 'T', tags: ['rule-tag'], date: null, correspondent: 'Rule Corp', language: 'en', confidence: 0.7, rule: 'invoice: "vat"', classifier: 'local', fields: {} }),
};
const input = (relativePath?: string): ClassifyInput => ({ text: 'x', mime: 'text/plain', fileName: 'x.pdf', metadata: {}, ...(relativePath ? { relativePath } : {}) });

describe('path rules and folder tags', () => {
  const { classify } = configSchema.parse({
    classify: {
      folderTags: true,
      pathRules: [
        { glob: 'Tax/**', type: 'tax', tags: ['tax'] },
        { glob: '*.scan.pdf', tags: ['scanned'] },
        { glob: 'Work/Payslips/*', type: 'payslip', correspondent: 'Acme Logistics Ltd' },
      ],
    },
  });
  const classifier = new PathRulesClassifier(inner, classify.pathRules, classify.folderTags);

  it('sets the type of the first rule that names one and adds the folders as tags', async () => {
    const result = await classifier.classify(input('Tax/2024/notice.pdf'));
    expect(result).toMatchObject({ type: 'tax', confidence: 1, tags: ['2024', 'rule-tag', 'tax'] });
    expect(result.rule).toMatch(/^path rule "Tax\/\*\*": tax; local said invoice/);
  });

  it('matches a glob without a slash against the file name anywhere, ignoring case', async () => {
    expect((await classifier.classify(input('inbox/Letter.SCAN.pdf'))).tags).toEqual(['inbox', 'rule-tag', 'scanned']);
  });

  it('sets the correspondent a rule names', async () => {
    expect(await classifier.classify(input('Work/Payslips/2024-03.pdf'))).toMatchObject({ type: 'payslip', correspondent: 'Acme Logistics Ltd', tags: ['payslips', 'rule-tag', 'work'] });
  });

  it('leaves documents found outside any rule, or without a path, as classified', async () => {
    expect(await classifier.classify(input('loose.pdf'))).toMatchObject({ type: 'invoice', tags: ['rule-tag'], correspondent: 'Rule Corp' });
    expect(await classifier.classify(input())).toMatchObject({ type: 'invoice', tags: ['rule-tag'] });
  });

  it('refuses a rule that sets nothing', () => {
    expect(configSchema.safeParse({ classify: { pathRules: [{ glob: 'x/**' }] } }).success).toBe(false);
  });
});
