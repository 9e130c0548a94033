import { describe, expect, it } from 'vitest';
import { decideUnread, unreadResult } from '../../../src/pipeline/artifact-policy.js';

describe('files doccat stores without reading', () => {
  it('types legacy Office files by their format, as documents, not build artifacts', () => {
    expect(unreadResult('application/vnd.ms-excel').artifact?.type).toBe('spreadsheet');
    expect(unreadResult('application/vnd.ms-powerpoint').artifact?.type).toBe('presentation');
    expect(unreadResult('application/vnd.ms-outlook').artifact?.type).toBe('email');
    expect(unreadResult('application/msword').artifact?.type).toBe('other');
    expect(unreadResult('application/msword').warnings.map((warning) => warning.code)).toEqual(['W_NOT_READ']);
  });

  it('leaves an unknown binary an artifact, with no warning', () => {
    const result = unreadResult('application/octet-stream');
    expect(result.artifact?.type).toBe('artifact');
    expect(result.warnings).toEqual([]);
    expect(decideUnread('application/octet-stream', 'catalogue')).toEqual({ action: 'catalogue' });
  });
});
