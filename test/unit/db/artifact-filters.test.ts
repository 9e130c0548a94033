import { describe, expect, it } from 'vitest';
import { parseSizeComparison } from '../../../src/db/search/artifact-filters.js';
import { parseQuery } from '../../../src/db/search/query-parser.js';

describe('artifact filters in the query language', () => {
  it('reads size comparisons as one filter, with their operator', () => {
    expect(parseQuery('size>10MB size<=1.5GB')).toEqual({
      kind: 'and',
      children: [
        { kind: 'field', field: 'size', value: '>10MB', position: 0 },
        { kind: 'field', field: 'size', value: '<=1.5GB', position: 10 },
      ],
    });
    // A word that merely starts with "size" is still a word.
    expect(parseQuery('sizes')).toEqual({ kind: 'term', text: 'sizes', prefix: false });
    expect(parseSizeComparison('>10MB', 0)).toEqual({ operator: '>', bytes: 10 * 1024 * 1024 });
    expect(parseSizeComparison('<=1.5GB', 0)).toEqual({ operator: '<=', bytes: 1.5 * 1024 ** 3 });
    expect(parseSizeComparison('1234', 0)).toEqual({ operator: '=', bytes: 1234 });
    expect(() => parseSizeComparison('>ten', 4)).toThrow(expect.objectContaining({ code: 'E_QUERY_SYNTAX' }));
  });

  it('reads provenance and name filters', () => {
    expect(parseQuery('repo:acme/app commit:3f2a1b9 branch:release/* run:8812 label:channel=nightly name:*.whl')).toMatchObject({
      kind: 'and',
      children: [
        { field: 'repo', value: 'acme/app' },
        { field: 'commit', value: '3f2a1b9' },
        { field: 'branch', value: 'release/*' },
        { field: 'run', value: '8812' },
        { field: 'label', value: 'channel=nightly' },
        { field: 'name', value: '*.whl' },
      ],
    });
  });
});
