import { DoccatError, ExitCode } from '../../errors.js';

/** Filters on where a document's sources came from (migration 0014): repository, commit, run... */
export const PROVENANCE_FIELDS = ['repo', 'commit', 'branch', 'ref', 'run', 'label'] as const;

/**
 * The search query language, parsed into a syntax tree that each database dialect compiles with
 * bound parameters. Grammar (implicit AND between terms; OR binds looser; `-` negates):
 *
 *   query   := or
 *   or      := and ("OR" and)*
 *   and     := unary+
 *   unary   := "-" unary | primary
 *   primary := "(" or ")" | field ":" value | "\"phrase\"" | word ["*"]
 *
 * The tree has no redundant structure: runs of "-" collapse (--x is x) and a group inside a group
 * of the same kind merges into it. Its size is bounded (MAX_TERMS, MAX_DEPTH).
 */

export const FIELDS = ['type', 'tag', 'correspondent', 'date', 'after', 'before', 'added', 'method', 'mime', 'status', 'path', 'title', 'id', 'lang', 'total', 'currency', 'due', ...PROVENANCE_FIELDS, 'name', 'size'] as const;
/** Fields that also take a comparison in place of the colon: total>100, due<2024-05-01, size>10MB. */
const COMPARABLE: readonly string[] = ['total', 'due', 'size'];
export type FieldName = (typeof FIELDS)[number];

export type QueryNode =
  | { kind: 'term'; text: string; prefix: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'field'; field: FieldName; value: string; position: number }
  | { kind: 'not'; child: QueryNode }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] };

type Token =
  | { type: 'lparen' | 'rparen' | 'or' | 'minus'; position: number }
  | { type: 'word'; text: string; position: number }
  | { type: 'phrase'; text: string; position: number }
  | { type: 'field'; field: FieldName; value: string; position: number };

const MAX_QUERY_LENGTH = 4096;
/**
 * Bounds on what one query may ask, so that no query can exhaust an engine: nested NOTs deeper
 * than about 500 overflowed SQLite's parser ("Recursion limit"), AND chains of about 1000 its
 * expression depth, NOT chains of 256 FTS5's; and Postgres plans each filter on another table as
 * a join, which took 1.5 s for 32 ANDed tag: filters and 12.8 s for 64 (empty catalogue).
 */
export const MAX_DEPTH = 32;
export const MAX_TERMS = 32;

export function syntaxError(message: string, position: number): DoccatError {
  return new DoccatError('E_QUERY_SYNTAX', `${message} at position ${position + 1}`, {
    hint: 'quote phrases with "...", balance parentheses, and give a value after field: (e.g. type:invoice)',
    exitCode: ExitCode.usage,
  });
}

export function tooComplexError(message: string, position: number): DoccatError {
  return new DoccatError('E_QUERY_TOO_COMPLEX', `${message} at position ${position + 1}`, {
    hint: `search with at most ${MAX_TERMS} words, phrases and filters and at most ${MAX_DEPTH} levels of parentheses; a quoted "phrase" counts as one`,
    exitCode: ExitCode.usage,
  });
}

function isFieldName(name: string): name is FieldName {
  return (FIELDS as readonly string[]).includes(name);
}

function readQuoted(input: string, start: number): { text: string; end: number } {
  // A phrase runs to the next unescaped quote; \" inside it is a literal quote.
  let text = '';
  let index = start + 1;
  while (index < input.length) {
    const char = input[index] as string;
    if (char === '\\' && input[index + 1] === '"') {
      text += '"';
      index += 2;
      continue;
    }
    if (char === '"') return { text, end: index + 1 };
    text += char;
    index += 1;
  }
  throw syntaxError('unterminated quote', start);
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < input.length) {
    const char = input[index] as string;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    if (char === '(' || char === ')') {
      tokens.push({ type: char === '(' ? 'lparen' : 'rparen', position: index });
      index += 1;
      continue;
    }
    if (char === '"') {
      const { text, end } = readQuoted(input, index);
      tokens.push({ type: 'phrase', text, position: index });
      index = end;
      continue;
    }
    if (char === '-' && index + 1 < input.length && !/[\s)]/.test(input[index + 1] as string)) {
      tokens.push({ type: 'minus', position: index });
      index += 1;
      continue;
    }
    const start = index;
    const fieldMatch = /^([a-z]+)(:|>=|<=|>|<)/i.exec(input.slice(index, index + 20));
    const named = (fieldMatch?.[1] ?? '').toLowerCase();
    if (fieldMatch && isFieldName(named) && (fieldMatch[2] === ':' || COMPARABLE.includes(named))) {
      const field = named;
      // total>100 keeps its comparison in the value, as total:>100 does.
      const comparison = fieldMatch[2] === ':' ? '' : (fieldMatch[2] as string);
      index += fieldMatch[0].length;
      let value: string;
      if (input[index] === '"') {
        const quoted = readQuoted(input, index);
        value = quoted.text;
        index = quoted.end;
      } else {
        const valueStart = index;
        while (index < input.length && !/[\s()]/.test(input[index] as string)) index += 1;
        value = input.slice(valueStart, index);
      }
      if (value.trim() === '') throw syntaxError(`${field}: needs a value`, start);
      tokens.push({ type: 'field', field, value: comparison + value, position: start });
      continue;
    }
    while (index < input.length && !/[\s()"]/.test(input[index] as string)) index += 1;
    const text = input.slice(start, index);
    tokens.push(text === 'OR' ? { type: 'or', position: start } : { type: 'word', text, position: start });
  }
  return tokens;
}

export function parseQuery(input: string): QueryNode | undefined {
  if (input.length > MAX_QUERY_LENGTH) throw syntaxError(`query longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  if (input.includes('\0')) throw syntaxError('NUL character in query', input.indexOf('\0'));
  const tokens = tokenize(input);
  let position = 0;
  let terms = 0;
  const peek = () => tokens[position];
  const countTerm = (token: Token) => {
    terms += 1;
    if (terms > MAX_TERMS) throw tooComplexError(`more than ${MAX_TERMS} words, phrases and filters`, token.position);
  };

  const parseOr = (depth: number): QueryNode => {
    const children = [parseAnd(depth)];
    while (peek()?.type === 'or') {
      const orToken = tokens[position++] as Token;
      if (!peek() || peek()?.type === 'rparen' || peek()?.type === 'or') throw syntaxError('OR needs a term after it', orToken.position);
      children.push(parseAnd(depth));
    }
    return joined('or', children);
  };

  const parseAnd = (depth: number): QueryNode => {
    const children: QueryNode[] = [];
    while (peek() && peek()?.type !== 'or' && peek()?.type !== 'rparen') children.push(parseUnary(depth));
    if (children.length === 0) {
      const token = peek();
      throw syntaxError(token?.type === 'or' ? 'OR needs a term before it' : 'expected a term', token?.position ?? input.length);
    }
    return joined('and', children);
  };

  const parseUnary = (depth: number): QueryNode => {
    // A run of minus signs is read in a loop and collapsed: "--x" is x, so no chain of them
    // nests, however long.
    let negations = 0;
    while (peek()?.type === 'minus') {
      const token = tokens[position++] as Token;
      negations += 1;
      if (!peek() || peek()?.type === 'rparen' || peek()?.type === 'or') throw syntaxError('- needs a term after it', token.position);
    }
    const primary = parsePrimary(depth);
    return negations % 2 === 1 ? negate(primary) : primary;
  };

  const parsePrimary = (depth: number): QueryNode => {
    const token = tokens[position++] as Token;
    switch (token.type) {
      case 'lparen': {
        if (depth >= MAX_DEPTH) throw tooComplexError(`parentheses nested more than ${MAX_DEPTH} deep`, token.position);
        if (peek()?.type === 'rparen') throw syntaxError('empty parentheses', token.position);
        const inner = parseOr(depth + 1);
        if (peek()?.type !== 'rparen') throw syntaxError('missing )', token.position);
        position += 1;
        return inner;
      }
      case 'rparen':
        throw syntaxError('unexpected )', token.position);
      case 'phrase':
        if (!/[\p{L}\p{N}]/u.test(token.text)) throw syntaxError('phrase has no words', token.position);
        countTerm(token);
        return { kind: 'phrase', text: token.text };
      case 'field':
        countTerm(token);
        return { kind: 'field', field: token.field, value: token.value, position: token.position };
      case 'word': {
        const prefix = token.text.endsWith('*');
        const text = prefix ? token.text.replace(/\*+$/, '') : token.text;
        if (!/[\p{L}\p{N}]/u.test(text)) throw syntaxError(`"${token.text}" has no letters or digits`, token.position);
        countTerm(token);
        return { kind: 'term', text, prefix };
      }
      default:
        throw syntaxError('unexpected operator', token.position);
    }
  };

  if (tokens.length === 0) return undefined;
  const tree = parseOr(0);
  if (position < tokens.length) throw syntaxError('unexpected )', (tokens[position] as Token).position);
  return tree;
}

/** NOT of a node; NOT NOT x is x. */
function negate(node: QueryNode): QueryNode {
  return node.kind === 'not' ? node.child : { kind: 'not', child: node };
}

/** AND or OR of nodes, taking a group of the same kind into this one: (a (b c)) is (a b c). */
function joined(kind: 'and' | 'or', nodes: readonly QueryNode[]): QueryNode {
  const children = nodes.flatMap((node) => (node.kind === kind ? node.children : [node]));
  return children.length === 1 ? (children[0] as QueryNode) : { kind, children };
}

/**
 * A tree built elsewhere (the parsed query ANDed with filter flags), brought to the parser's
 * shape, with the same bounds: what every compiler gets.
 */
export function boundedQuery(tree: QueryNode | undefined): QueryNode | undefined {
  if (!tree) return undefined;
  let terms = 0;
  const visit = (node: QueryNode, depth: number): QueryNode => {
    // One level of parentheses holds at most a NOT, an OR and an AND on the way down.
    if (depth > 3 * MAX_DEPTH + 2) throw tooComplexError(`query nested more than ${MAX_DEPTH} deep`, 0);
    switch (node.kind) {
      case 'term':
      case 'phrase':
      case 'field':
        terms += 1;
        if (terms > MAX_TERMS) throw tooComplexError(`more than ${MAX_TERMS} words, phrases and filters`, node.kind === 'field' ? node.position : 0);
        return node;
      case 'not': {
        // Runs of NOT collapse here too, without counting as nesting.
        let inner: QueryNode = node;
        let negations = 0;
        while (inner.kind === 'not') {
          inner = inner.child;
          negations += 1;
        }
        const visited = visit(inner, depth + 1);
        return negations % 2 === 1 ? negate(visited) : visited;
      }
      default:
        return joined(node.kind, node.children.map((child) => visit(child, depth + 1)));
    }
  };
  return visit(tree, 0);
}

/** Words and phrases the user asked for (not negated), for ranking and highlighting. */
export function positiveTextNodes(node: QueryNode | undefined, negated = false): { text: string; prefix: boolean; phrase: boolean }[] {
  if (!node) return [];
  switch (node.kind) {
    case 'term':
      return negated ? [] : [{ text: node.text, prefix: node.prefix, phrase: false }];
    case 'phrase':
      return negated ? [] : [{ text: node.text, prefix: false, phrase: true }];
    case 'field':
      return [];
    case 'not':
      return positiveTextNodes(node.child, !negated);
    default:
      return node.children.flatMap((child) => positiveTextNodes(child, negated));
  }
}

/** How one full-text engine writes words, alternatives and conjunctions (FTS5 MATCH, tsquery). */
export interface TextSyntax {
  /** A word or phrase; undefined when the engine cannot say it. */
  word(text: string, prefix: boolean): string | undefined;
  any(parts: readonly string[]): string;
  all(positive: readonly string[], negative: readonly string[]): string;
}

/**
 * A subtree made only of words, phrases, OR and AND (with NOT inside an AND) as one engine
 * expression, or undefined when it holds field filters or a negation the engine cannot say alone.
 */
export function textExpression(node: QueryNode, syntax: TextSyntax): string | undefined {
  switch (node.kind) {
    case 'term':
      return syntax.word(node.text, node.prefix);
    case 'phrase':
      return syntax.word(node.text, false);
    case 'field':
    case 'not':
      return undefined;
    case 'or': {
      const parts = node.children.map((child) => textExpression(child, syntax));
      return parts.every((part) => part !== undefined) ? syntax.any(parts as string[]) : undefined;
    }
    case 'and': {
      const { expression, residual } = splitConjunction(node.children, syntax);
      return residual.length === 0 ? expression : undefined;
    }
  }
}

/** Splits AND-ed parts into one engine expression and the parts it cannot say (field filters). */
export function splitConjunction(parts: readonly QueryNode[], syntax: TextSyntax): { expression: string | undefined; residual: QueryNode[] } {
  const positive: string[] = [];
  const negative: string[] = [];
  const residual: QueryNode[] = [];
  for (const part of parts) {
    const expression = part.kind === 'not' ? undefined : textExpression(part, syntax);
    const negated = part.kind === 'not' ? textExpression(part.child, syntax) : undefined;
    if (expression !== undefined) positive.push(expression);
    else if (negated !== undefined) negative.push(negated);
    else residual.push(part);
  }
  if (positive.length === 0) return { expression: undefined, residual: [...parts] };
  return { expression: syntax.all(positive, negative), residual };
}
