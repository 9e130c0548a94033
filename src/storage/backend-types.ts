import * as z from 'zod';
import { BACKEND_TYPES, type BackendInit, type BackendType } from './backends/registry.js';

/** What the code asks of the backend registry (backends/registry.ts), derived from its entries. */

export type { BackendInit, BackendType, InitField } from './backends/registry.js';

type Entries = typeof BACKEND_TYPES;
type SchemaOf<Entry> = Entry extends { schema: infer Schema extends z.ZodObject<{ type: z.ZodLiteral<string> }> } ? Schema : never;
/** A generic mapped type, so that the tuple stays a tuple (a union wants at least one option). */
type SchemasOf<List extends readonly unknown[]> = { -readonly [Index in keyof List]: SchemaOf<List[Index]> };
type OptionSchemas = SchemasOf<Entries>;

/** `storage.backends.<name>`: one of the registered types' options, told apart by `type`. */
export function backendOptionsSchema() {
  // map() loses the tuple's element types; the entries are the tuple's, in order.
  return z.discriminatedUnion('type', BACKEND_TYPES.map((entry) => entry.schema) as unknown as OptionSchemas);
}

export type BackendOptions = z.output<ReturnType<typeof backendOptionsSchema>>;

/** The registry entry of a backend's type; the config schema only lets registered types through. */
export function backendType(type: string): BackendType {
  // Widened on purpose: each entry's functions take its own type's options, and callers pass them
  // the options this entry's schema parsed (found by the same `type`).
  const entry = (BACKEND_TYPES as unknown as readonly BackendType[]).find((candidate) => candidate.type === type);
  if (!entry) throw new Error(`backend type "${type}" is not in the registry`);
  return entry;
}

/** The types `doccat init` offers, in registry order (the first is its default), each with its questions. */
export function initBackendTypes(): { type: string; init: BackendInit }[] {
  // Widened as in backendType(): init writes whatever options the entry's own `options` returns.
  return (BACKEND_TYPES as unknown as readonly BackendType[]).flatMap((entry) => (entry.init ? [{ type: entry.type, init: entry.init }] : []));
}
