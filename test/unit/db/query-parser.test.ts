import { describe, expect, it } from 'vitest';
import { parseQuery, positiveTextNodes } from '../../../src/db/query-parser.js';
import { DoccatError } from '../../../src/errors.js';

function syntaxErrorOf(query: string): DoccatError {
  try {
    parseQuery(query);
  } catch (error) {
    return error as DoccatError;
  }
  throw new Error(`no error for ${query}`);
}

describe('query parser', () => {
  it('reads words as an implicit AND', () => {
    expect(parseQuery('acme invoice')).toEqual({ kind: 'and', children: [{ kind: 'term', text: 'acme', prefix: false }, { kind: 'term', text: 'invoice', prefix: false }] });
  });

  it('reads phrases, prefixes, OR, negation and groups', () => {
    expect(parseQuery('"payment terms" insur* (tax OR vat) -draft')).toEqual({
      kind: 'and',
      children: [
        { kind: 'phrase', text: 'payment terms' },
        { kind: 'term', text: 'insur', prefix: true },
        { kind: 'or', children: [{ kind: 'term', text: 'tax', prefix: false }, { kind: 'term', text: 'vat', prefix: false }] },
        { kind: 'not', child: { kind: 'term', text: 'draft', prefix: false } },
      ],
    });
  });

  it('binds OR looser than AND', () => {
    expect(parseQuery('a b OR c')).toEqual({ kind: 'or', children: [{ kind: 'and', children: [{ kind: 'term', text: 'a', prefix: false }, { kind: 'term', text: 'b', prefix: false }] }, { kind: 'term', text: 'c', prefix: false }] });
  });

  it('reads field filters, with quoted values', () => {
    expect(parseQuery('type:invoice correspondent:"ACME GmbH"')).toEqual({
      kind: 'and',
      children: [
        { kind: 'field', field: 'type', value: 'invoice', position: 0 },
        { kind: 'field', field: 'correspondent', value: 'ACME GmbH', position: 13 },
      ],
    });
  });

  it('treats unknown "name:" prefixes and lower-case "or" as words', () => {
    expect(parseQuery('re:meeting or')).toEqual({ kind: 'and', children: [{ kind: 'term', text: 're:meeting', prefix: false }, { kind: 'term', text: 'or', prefix: false }] });
  });

  it.each([
    ['"unterminated', 1],
    ['(tax OR vat', 1],
    ['tax)', 4],
    ['OR tax', 1],
    ['tax OR', 5],
    ['type:', 1],
    ['()', 1],
    ['-', 1],
    ['***', 1],
  ])('rejects %j with E_QUERY_SYNTAX at position %i', (query, position) => {
    const error = syntaxErrorOf(query);
    expect(error.code).toBe('E_QUERY_SYNTAX');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`position ${position}`);
  });

  it('lists the positive words for ranking, not the excluded ones', () => {
    expect(positiveTextNodes(parseQuery('a -b -(c OR d) "e f" g*'))).toEqual([
      { text: 'a', prefix: false, phrase: false },
      { text: 'e f', prefix: false, phrase: true },
      { text: 'g', prefix: true, phrase: false },
    ]);
  });
});
