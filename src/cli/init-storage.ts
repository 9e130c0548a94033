import { Option } from 'commander';
import { usageError } from '../errors.js';
import { initBackendTypes, type InitField } from '../storage/backend-types.js';
import type { OptionDefinition } from './command-definition.js';

/**
 * `doccat init`'s storage part, all of it from the backend registry (storage/backends/registry.ts):
 * the `--storage` choices, each backend's flags, the answers they give, and the options written.
 * Nothing here names a backend, so that a new one is offered by init through its registry entry.
 */

/** Each offered backend type's answers by field name; an empty string is "not given". */
export type StorageAnswers = Record<string, Record<string, string>>;

const SECRET_REFERENCE = /^(env|file|cmd):.+/;
const SECRET_EXPECTED = 'env:NAME, file:PATH or cmd:COMMAND';

/** `a, b or c`, as the other choice lists of the command line read. */
function choiceList(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function defaultType(): string {
  return initBackendTypes()[0]?.type ?? 'local';
}

/** The options key commander reads a field's flag into (`--s3-bucket` is `s3Bucket`). */
function flagKey(field: InitField): string {
  return new Option(field.flag).attributeName();
}

/** `--s3-bucket`, without its value's name. */
function longFlag(field: InitField): string {
  return field.flag.split(' ')[0] ?? field.flag;
}

/** `--storage`'s help: the offered types, the default first. */
export function storageFlagHelp(): string {
  return choiceList(initBackendTypes().map((entry, index) => (index === 0 ? `${entry.type} (default)` : entry.type)));
}

/** The flags of every offered backend's questions, in registry order. */
export function backendFieldOptions(): OptionDefinition[] {
  return initBackendTypes().flatMap((entry) => entry.init.fields.map((field) => ({ flags: field.flag, description: field.default ? `${field.help} (default ${field.default})` : field.help })));
}

/** The wizard's check of a field's typed answer: secret references first, then the field's own. */
export function checkField(field: InitField, value: string): string | undefined {
  if (field.secret && !SECRET_REFERENCE.test(value)) return `${SECRET_EXPECTED} (a reference, never the secret itself)`;
  return field.validate?.(value);
}

/**
 * The backend type and the answers the flags give. Without --storage, a backend whose required
 * field's flag is given is meant (--s3-bucket alone means s3); else the first offered type.
 */
export function storageFromFlags(flags: Readonly<Record<string, unknown>>, storage: string | undefined, yes: boolean): { storage: string; backends: StorageAnswers } {
  const types = initBackendTypes();
  const given = (field: InitField): string | undefined => {
    const value = flags[flagKey(field)];
    return typeof value === 'string' ? value : undefined;
  };
  const chosen = storage ?? types.find((entry) => entry.init.fields.some((field) => field.required && given(field)))?.type ?? defaultType();
  const entry = types.find((candidate) => candidate.type === chosen);
  if (!entry) throw usageError('E_USAGE', `--storage ${chosen}: use ${choiceList(types.map((candidate) => candidate.type))}`);
  for (const field of entry.init.fields) {
    const value = given(field);
    if (field.required && !value && yes) throw usageError('E_USAGE', `--storage ${chosen} needs ${longFlag(field)}`, field.required.hint);
    // Only the variable's name goes in the file: a secret on the command line is not written down.
    if (field.secret && value !== undefined && !SECRET_REFERENCE.test(value)) throw usageError('E_USAGE', `${longFlag(field)} takes where the secret is (${SECRET_EXPECTED}), never the secret itself`, `e.g. ${longFlag(field)} ${field.default ?? 'env:NAME'}`);
  }
  const backends: StorageAnswers = {};
  for (const candidate of types) backends[candidate.type] = Object.fromEntries(candidate.init.fields.map((field) => [field.name, given(field) ?? field.default ?? '']));
  return { storage: chosen, backends };
}

/** The configuration's `storage` section for these answers; undefined for the default local folder. */
export function storageConfig(storage: string, answers: StorageAnswers): Record<string, unknown> | undefined {
  const entry = initBackendTypes().find((candidate) => candidate.type === storage);
  const options = entry?.init.options(answers[storage] ?? {});
  return options === undefined ? undefined : { backend: storage, backends: { [storage]: options } };
}

/** Refuses answers the backend says must not be written into the file. */
export function checkStorageAnswers(storage: string, answers: StorageAnswers): void {
  const refusal = initBackendTypes().find((candidate) => candidate.type === storage)?.init.refuse?.(answers[storage] ?? {});
  if (refusal) throw usageError('E_USAGE', refusal.message, refusal.hint);
}

/** The wizard's list of places for the originals, the default first. */
export function storageChoices(): { value: string; label: string; hint: string; fields: readonly InitField[] }[] {
  return initBackendTypes().map((entry) => ({ value: entry.type, label: entry.init.label, hint: entry.init.hint, fields: entry.init.fields }));
}
