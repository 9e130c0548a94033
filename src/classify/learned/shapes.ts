/**
 * What a document's lines look like, whatever its language: a line that ends in an amount, one
 * that starts with a date, a numbered clause, a blank to sign on, a label and its value, prose.
 * Five examples of a type written in two languages share few words, but an invoice's table of
 * amounts, a contract's numbered clauses and a letter's paragraphs look alike in any language,
 * so these are what a handful of examples can teach about documents worded unlike any of them.
 */

const AMOUNT = /(?:^|[\s(:])[-–]?(?:[€$£]|eur|usd|gbp|chf|rs\.?)?\s?\d{1,3}(?:[.,' \u00a0]\d{3})*[.,]\d{2}(?:\s?(?:[€$£]|eur|usd|gbp|chf))?(?=$|[\s),;])/i;
const ENDS_IN_AMOUNT = /\d[.,]\d{2}\s*(?:[€$£]|eur|usd|gbp|chf)?\s*$/i;
const DATE = /\b(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b/;
const NUMBERED = /^(?:\d{1,2}(?:\.\d{1,2})*[.)]|§\s*\d+|\(\w\)|[-•*–])\s/;
const BLANK = /_{4,}|\.{6,}/;
const LABEL = /^[^:]{2,40}:\s+\S/;
const PERCENT = /\d(?:[.,]\d+)?\s?%/;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}/;
const COLUMNS = / {3,}|\t/;
const SENTENCE_END = /[.!?]$/;
const CAPITAL = /^\p{Lu}/u;
const DIGIT = /\d/;

/** Text read for shapes: as much as the word features read. */
const SHAPE_LINES = 200;

/** The shapes of a text's lines, each line's first two also as a pair ("ends-amount+starts-date"). */
export function lineShapes(text: string): string[] {
  const shapes: string[] = [];
  let read = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if ((read += 1) > SHAPE_LINES) break;
    const found: string[] = [];
    if (AMOUNT.test(line)) found.push(ENDS_IN_AMOUNT.test(line) ? 'ends-amount' : 'has-amount');
    const date = DATE.exec(line);
    if (date) found.push(date.index < 3 ? 'starts-date' : 'has-date');
    if (NUMBERED.test(line)) found.push('numbered');
    if (BLANK.test(line)) found.push('blank');
    if (LABEL.test(line)) found.push('label');
    if (PERCENT.test(line)) found.push('percent');
    if (IBAN.test(line)) found.push('iban');
    if (COLUMNS.test(line)) found.push('columns');
    if (line.length > 70 && SENTENCE_END.test(line)) found.push('prose');
    else if (found.length === 0 && line.length < 40 && CAPITAL.test(line) && !DIGIT.test(line) && !SENTENCE_END.test(line)) found.push('short');
    for (const shape of found) shapes.push(shape);
    if (found.length >= 2) shapes.push(`${found[0]}+${found[1]}`);
  }
  return shapes;
}
