import { describe, expect, it } from 'vitest';
import { boundedQuery, MAX_DEPTH, MAX_TERMS, parseQuery, positiveTextNodes, type QueryNode } from '../../../src/db/search/query-parser.js';
import type { DoccatError } from '../../../src/errors.js';

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

  it('collapses runs of negation, however long: --x is x', () => {
    const word = { kind: 'term', text: 'invoice', prefix: false };
    expect(parseQuery(`${'-'.repeat(3000)}invoice`)).toEqual(word);
    expect(parseQuery(`${'-'.repeat(2999)}invoice`)).toEqual({ kind: 'not', child: word });
    expect(parseQuery('-(-invoice)')).toEqual(word);
    expect(parseQuery('-(-(-(a b)))')).toEqual({ kind: 'not', child: { kind: 'and', children: [{ kind: 'term', text: 'a', prefix: false }, { kind: 'term', text: 'b', prefix: false }] } });
  });

  it('takes a group into the group around it when both are AND or both OR', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((text) => ({ kind: 'term', text, prefix: false }));
    expect(parseQuery('a (b (c))')).toEqual({ kind: 'and', children: [a, b, c] });
    expect(parseQuery('a OR (b OR c)')).toEqual({ kind: 'or', children: [a, b, c] });
    expect(parseQuery('((((a))))')).toEqual(a);
  });

  const words = (count: number, separator: string, word = (index: number) => `w${index}`) => Array.from({ length: count }, (_, index) => word(index)).join(separator);
  it.each([
    ['3,000 opening parentheses', `${'('.repeat(3000)}a`, '('.repeat(MAX_DEPTH)],
    [`${MAX_DEPTH + 1} nested groups`, `${'(a '.repeat(MAX_DEPTH + 1)}b${')'.repeat(MAX_DEPTH + 1)}`, '(a '.repeat(MAX_DEPTH)],
    [`${MAX_TERMS + 1} words`, words(MAX_TERMS + 1, ' '), `${words(MAX_TERMS, ' ')} `],
    [`${MAX_TERMS + 1} alternatives`, words(MAX_TERMS + 1, ' OR ', (index) => `tag:t${index}`), `${words(MAX_TERMS, ' OR ', (index) => `tag:t${index}`)} OR `],
    ['NOT as a word 1,000 times', `${'NOT '.repeat(1000)}a`, 'NOT '.repeat(MAX_TERMS)],
  ])('rejects %s with E_QUERY_TOO_COMPLEX (exit 2) where the bound is passed', (_name, query, before) => {
    const error = syntaxErrorOf(query);
    expect(error.code).toBe('E_QUERY_TOO_COMPLEX');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`at position ${before.length + 1}`);
    expect(error.hint).toMatch(/at most 32 words/);
  });

  it(`accepts ${MAX_TERMS} terms and ${MAX_DEPTH} levels of parentheses`, () => {
    expect(parseQuery(words(MAX_TERMS, ' OR '))).toMatchObject({ kind: 'or' });
    expect(parseQuery(`${'(a OR -'.repeat(MAX_DEPTH - 1)}(b)${')'.repeat(MAX_DEPTH - 1)}`)).toMatchObject({ kind: 'or' });
  });

  it('holds trees built outside the parser (query plus filter flags) to the same bounds and shape', () => {
    const field = (value: string): QueryNode => ({ kind: 'field', field: 'tag', value, position: 0 });
    const parsed = parseQuery('a b') as QueryNode;
    expect(boundedQuery({ kind: 'and', children: [parsed, field('x')] })).toEqual({ kind: 'and', children: [{ kind: 'term', text: 'a', prefix: false }, { kind: 'term', text: 'b', prefix: false }, field('x')] });
    expect(boundedQuery({ kind: 'not', child: { kind: 'not', child: field('x') } })).toEqual(field('x'));
    let deep: QueryNode = field('x');
    for (let level = 0; level < 3000; level += 1) deep = { kind: 'not', child: deep };
    expect(boundedQuery(deep)).toEqual(field('x'));
    const many: QueryNode = { kind: 'and', children: [parsed, ...Array.from({ length: MAX_TERMS - 1 }, (_, index) => field(`t${index}`))] };
    expect(() => boundedQuery(many)).toThrow(expect.objectContaining({ code: 'E_QUERY_TOO_COMPLEX' }) as Error);
  });
});
