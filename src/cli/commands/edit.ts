import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { formatDocumentId, resolveDocumentIds } from '../../app/ids.js';
import { writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import type { DocumentChanges, FieldValue } from '../../app/document-details.js';

const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_.\/-]{0,63}$/u;

/** `doccat tag ID... +tag -tag`: ids and tag edits may come in any order. */
export async function tagCommand(items: string[], command: Command): Promise<number> {
  const ids: string[] = [];
  const addTags: string[] = [];
  const removeTags: string[] = [];
  for (const item of items) {
    if (item.startsWith('+') || item.startsWith('-')) {
      const tag = item.slice(1);
      if (!TAG.test(tag)) throw usageError('E_USAGE', `not a tag: ${item}`, 'tags are letters, digits and _ . / -, e.g. +tax or -todo');
      (item.startsWith('+') ? addTags : removeTags).push(tag);
    } else ids.push(item);
  }
  if (ids.length === 0) throw usageError('E_USAGE', 'no document id given', 'e.g. doccat tag 12 +tax -todo');
  if (addTags.length + removeTags.length === 0) throw usageError('E_USAGE', 'no tag change given', 'add with +tag, remove with -tag');
  return applyChanges(ids, { addTags, removeTags }, command, 'tag');
}

export interface SetFlags {
  type?: string;
  title?: string;
  date?: string;
  correspondent?: string;
  field?: string[];
  unsetField?: string[];
}

export async function setCommand(ids: string[], options: SetFlags, command: Command): Promise<number> {
  const changes: DocumentChanges = {};
  if (options.type !== undefined) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(options.type)) throw usageError('E_USAGE', `not a type name: ${options.type}`, 'types are lower-case words with dashes, e.g. bank-statement');
    changes.type = options.type;
  }
  if (options.title !== undefined) changes.title = options.title;
  if (options.date !== undefined) {
    if (options.date === 'none') changes.date = null;
    else if (/^\d{4}-\d{2}-\d{2}$/.test(options.date) && !Number.isNaN(Date.parse(`${options.date}T00:00:00Z`))) changes.date = options.date;
    else throw usageError('E_USAGE', `not a date: ${options.date}`, 'give YYYY-MM-DD, or none to clear it');
  }
  if (options.correspondent !== undefined) changes.correspondent = options.correspondent === '' ? null : options.correspondent;
  const fields: Record<string, FieldValue | null> = {};
  for (const pair of options.field ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw usageError('E_USAGE', `--field wants key=value, not ${pair}`, 'e.g. --field total=12.50');
    fields[pair.slice(0, equals)] = await typedField(pair.slice(0, equals), pair.slice(equals + 1));
  }
  for (const key of options.unsetField ?? []) fields[key] = null;
  if (Object.keys(fields).length > 0) changes.fields = fields;
  if (Object.keys(changes).length === 0) throw usageError('E_USAGE', 'nothing to set', 'give --type, --title, --date, --correspondent or --field key=value');
  return applyChanges(ids, changes, command, 'set');
}

/** Money fields are stored as {amount, currency} whatever is typed, so that total>100 finds them. */
async function typedField(key: string, value: string): Promise<FieldValue> {
  if (!['total', 'subtotal', 'tax'].includes(key)) return value;
  const { findAmounts } = await import('../../classify/money.js');
  const amounts = findAmounts(value.trim());
  const only = amounts.length === 1 ? amounts[0] : undefined;
  if (!only || value.trim().length !== only.end - only.index) {
    throw usageError('E_USAGE', `--field ${key} wants an amount, not ${value}`, `e.g. --field ${key}=12.50, --field "${key}=1.234,56 EUR" or --field ${key}=USD12`);
  }
  return { amount: only.amount, currency: only.currency };
}

async function applyChanges(idTexts: string[], changes: DocumentChanges, command: Command, name: string): Promise<number> {
  const context = await createContext(command);
  const catalog = await openCatalog(context, { readonly: false });
  try {
    const ids = await resolveDocumentIds(catalog.repository, idTexts);
    const results: { id: number; changed: string[] }[] = [];
    for (const id of ids) results.push({ id, changed: await catalog.repository.applyManualChanges(id, changes, name, context.runId) });
    if (context.output.json) writeJson({ runId: context.runId, documents: results });
    else for (const { id, changed } of results) process.stdout.write(`${formatDocumentId(id)}: ${changed.length > 0 ? `changed ${changed.join(', ')}` : 'unchanged'}\n`);
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}
