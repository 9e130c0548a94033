import { Option, type Command } from 'commander';
import { parseQuery, type FieldName, type QueryNode, type SortOrder } from '../app/query.js';
import { usageError } from '../errors.js';

// Beside buildTree for the commands that take filters only (list, manifest, prune).
export { hasText } from '../app/query.js';

/** The query language's field filters, also offered as flags (--type invoice == type:invoice). */
const FLAG_FIELDS: { flag: string; field: FieldName; description: string; repeatable?: boolean }[] = [
  { flag: 'type', field: 'type', description: 'document type, e.g. invoice', repeatable: true },
  { flag: 'tag', field: 'tag', description: 'has this tag (repeatable: all of them)', repeatable: true },
  { flag: 'correspondent', field: 'correspondent', description: 'correspondent contains this' },
  { flag: 'date', field: 'date', description: 'document date in a year, month or day: 2024, 2024-03' },
  { flag: 'after', field: 'after', description: 'document date on or after YYYY[-MM[-DD]]' },
  { flag: 'before', field: 'before', description: 'document date before YYYY[-MM[-DD]]' },
  { flag: 'added', field: 'added', description: 'added within 7d, 24h, 2w, 3m, 1y, or since a date' },
  { flag: 'method', field: 'method', description: 'text, text-layer, ocr, mixed, none' },
  { flag: 'mime', field: 'mime', description: 'MIME type contains this: pdf, image, ...' },
  { flag: 'lang', field: 'lang', description: 'language code: en, de, fr, ...' },
  { flag: 'status', field: 'status', description: 'catalogued, duplicate, or failed (failed files)' },
  { flag: 'path', field: 'path', description: 'a source path matches this glob', repeatable: true },
  { flag: 'total', field: 'total', description: "total amount: '>100', '<=49.90', '=12'", repeatable: true },
  { flag: 'currency', field: 'currency', description: 'currency of the total: EUR, USD, ...' },
  { flag: 'due', field: 'due', description: "due date: 2024-05, '<2024-05-01', '>=2024-05'", repeatable: true },
  { flag: 'repo', field: 'repo', description: 'seen in a build of this repository (owner/name, or name)' },
  { flag: 'commit', field: 'commit', description: 'seen in a build of this commit (4 or more hex digits)' },
  { flag: 'branch', field: 'branch', description: 'seen in a build of this branch (a glob: release/*)' },
  { flag: 'ref', field: 'ref', description: 'seen in a build of this branch or tag' },
  { flag: 'run', field: 'run', description: 'seen in this CI run (GitHub run, GitLab pipeline...) or doccat run id' },
  { flag: 'label', field: 'label', description: 'seen with this --label key=value (or key)', repeatable: true },
  { flag: 'name', field: 'name', description: 'file name matches this glob: *.whl', repeatable: true },
  { flag: 'size', field: 'size', description: 'size comparison: ">10MB", "<=1GB"' },
];

export function addFilterOptions(command: Command, paging = true): Command {
  for (const { flag, description, repeatable } of FLAG_FIELDS) {
    const option = new Option(`--${flag} <value>`, description);
    command.addOption(repeatable ? option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : option);
  }
  // Commands that act on every match (reclassify) take the filters without pages of 20.
  if (!paging) return command.option('-n, --limit <n>', 'at most this many documents', parseCount);
  return command
    .addOption(new Option('--sort <order>', 'relevance, date or added').choices(['relevance', 'date', 'added']))
    .option('-n, --limit <n>', 'at most this many results', parseCount, 20)
    .option('--offset <n>', 'skip this many results first', parseCount, 0);
}

export interface FilterFlags {
  sort?: SortOrder;
  limit: number;
  offset: number;
  [flag: string]: unknown;
}

/** Combines the parsed query with the filter flags into one tree (all ANDed). */
export function buildTree(query: string, flags: FilterFlags): QueryNode | undefined {
  const parsed = parseQuery(query);
  const nodes: QueryNode[] = parsed ? [parsed] : [];
  for (const { flag, field } of FLAG_FIELDS) {
    const raw = flags[flag];
    const values = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
    for (const value of values) nodes.push({ kind: 'field', field, value, position: 0 });
  }
  if (nodes.length === 0) return undefined;
  return nodes.length === 1 ? nodes[0] : { kind: 'and', children: nodes };
}

function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 1_000_000) throw usageError('E_USAGE', `not a count: ${value}`, 'give a whole number');
  return number;
}
