import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SqlDialect } from '../dialect/types.js';
import { parseAmount } from '../../text/amount.js';
import { syntaxError } from './query-parser.js';

/**
 * Filters on typed document fields (JSON in documents.fields): total>100, total<=50,
 * currency:EUR, due:<2024-05-01. A document whose field is missing or not of the type (a total
 * typed by hand as text) does not match. Comparisons are written `field>value` or `field:>value`.
 */

type Operator = '=' | '<' | '<=' | '>' | '>=';

function splitOperator(value: string): { operator: Operator; operand: string } {
  const match = /^(>=|<=|>|<|=)?\s*(.*)$/s.exec(value) as RegExpExecArray;
  return { operator: (match[1] as Operator | undefined) ?? '=', operand: (match[2] as string).trim() };
}

function comparison(operator: Operator): RawBuilder<unknown> {
  return sql.raw(operator);
}

const GROUPED = /^-?(?:[1-9]\d{0,2}(?:[.,' ]\d{3})+|[1-9]\d?(?:,\d{2})+,\d{3})(?:[.,]\d{1,2})?$/;
const PLAIN = /^-?\d+(?:[.,]\d+)?$/;

export function totalFilter(value: string, position: number, dialect: SqlDialect): RawBuilder<SqlBool> {
  const { operator, operand } = splitOperator(value);
  // Grouped thousands read as extraction and `doccat set --field` read them (total>1,000 is a
  // thousand, total>=1.190,00 too); a plain number as written (total<=49,90, total<0.125). What is
  // neither (5., 1,00,0) is a typo, not an amount.
  const amount = GROUPED.test(operand) ? parseAmount(operand) : PLAIN.test(operand) ? Number(operand.replace(',', '.')) : undefined;
  if (amount === undefined) throw syntaxError(`total: wants an amount such as total>100 or total<=49.90, not "${value}"`, position);
  return sql<SqlBool>`${dialect.search.fieldNumber(['total', 'amount'])} ${comparison(operator)} ${amount}`;
}

export function currencyFilter(value: string, position: number, dialect: SqlDialect): RawBuilder<SqlBool> {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw syntaxError(`currency: wants an ISO 4217 code such as EUR or USD, not "${value}"`, position);
  return sql<SqlBool>`${dialect.search.fieldText(['total', 'currency'])} = ${code}`;
}

/**
 * due:2024-05 (due in that month), due:<2024-05-01, due:>=2024-05. The bounds are computed by
 * the caller's date helpers (start and exclusive end of the period named).
 */
export function dueFilter(value: string, position: number, dialect: SqlDialect, period: (field: string, date: string, position: number) => { start: string; end: string }): RawBuilder<SqlBool> {
  const { operator, operand } = splitOperator(value);
  const { start, end } = period('due', operand, position);
  const due = dialect.search.fieldText(['dueDate']);
  switch (operator) {
    case '=':
      return sql<SqlBool>`(${due} >= ${start} AND ${due} < ${end})`;
    case '<':
      return sql<SqlBool>`${due} < ${start}`;
    case '<=':
      return sql<SqlBool>`${due} < ${end}`;
    case '>':
      return sql<SqlBool>`${due} >= ${end}`;
    case '>=':
      return sql<SqlBool>`${due} >= ${start}`;
  }
}
