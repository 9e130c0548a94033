import { describe, expect, it } from 'vitest';
import { parseQuery, positiveTextNodes } from '../../../src/db/search/query-parser.js';
import { markSnippet } from '../../../src/db/search/tsquery.js';

// Postgres snippets are cut in JavaScript from a hit's whole text (db/search/tsquery.ts): these
// pin what they say, with FTS5's markers shown as [ and ].
const snippet = (text: string, query: string) => markSnippet(text, positiveTextNodes(parseQuery(query)))?.replace(/\u0002/g, '[').replace(/\u0003/g, ']');
const words = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `w${from + index}`).join(' ');

describe('markSnippet', () => {
  it('shows sixteen words from three before the first match, with an ellipsis each side that was cut', () => {
    expect(snippet(`${words(0, 40)} payment due ${words(40, 80)}`, 'payment due')).toBe('…w37 w38 w39 [payment] [due] w40 w41 w42 w43 w44 w45 w46 w47 w48 w49 w50…');
  });

  it('keeps sixteen words when the first match is near the end, and no ellipsis after the last word', () => {
    expect(snippet(`${words(0, 30)} payment ${words(30, 32)}`, 'payment')).toBe('…w17 w18 w19 w20 w21 w22 w23 w24 w25 w26 w27 w28 w29 [payment] w30 w31');
  });

  it('marks a phrase as one highlight, and only where the words follow each other', () => {
    expect(snippet('due payment. Total due: the total is due on receipt', '"total due"')).toBe('due payment. [Total due]: the total is due on receipt');
  });

  it('matches folded words (accents, ß, case) and prefixes, and says nothing when no word matches', () => {
    expect(snippet('Grüße an die STRASSE der Müllerin', 'strasse grusse mull*')).toBe('[Grüße] an die [STRASSE] der [Müllerin]');
    expect(snippet('nothing here', 'payment')).toBeUndefined();
    expect(snippet('', 'payment')).toBeUndefined();
  });

  it('cuts the excerpt from the start of a very long document', () => {
    const long = `payment ${words(0, 200_000)}`;
    expect(snippet(long, 'payment')).toBe(`[payment] ${words(0, 15)}…`);
  });
});
