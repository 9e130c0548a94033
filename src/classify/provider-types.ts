import { PROVIDER_TYPES, type ProviderType, type ProviderTypeName } from './providers/registry.js';

/** What the code asks of the provider registry (providers/registry.ts), derived from its entries. */

export type { ProviderType, ProviderTypeName };

/** The type names in registry order; the schema's enum wants a non-empty tuple, which it is. */
export function providerTypeNames(): [ProviderTypeName, ...ProviderTypeName[]] {
  return PROVIDER_TYPES.map((entry) => entry.type) as [ProviderTypeName, ...ProviderTypeName[]];
}

export function providerTypes(): readonly ProviderType[] {
  return PROVIDER_TYPES;
}

/** The registry entry of a type; the config schema only lets registered types through. */
export function providerType(type: ProviderTypeName): ProviderType {
  const entry: ProviderType | undefined = PROVIDER_TYPES.find((candidate) => candidate.type === type);
  if (!entry) throw new Error(`provider type "${type}" is not in the registry`);
  return entry;
}

/** "anthropic, openai or gemini": a list of types (or of something per type) as help and messages write it. */
export function listProviderTypes(format: (entry: ProviderType) => string = (entry) => entry.type): string {
  const names = PROVIDER_TYPES.map((entry) => format(entry));
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
