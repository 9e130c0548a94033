import { apiKeyReferences, type ProviderConfig } from './schema.js';
import type { SecretLookup } from './secrets.js';

/** A provider's API keys as the classifier is handed them: values, never references to resolve. */
export interface ProviderKeys {
  /** The keys that resolved, in the configured order; a key that does not resolve is left out. */
  keys: { value: string; id: string; reference: string }[];
  /** The references as configured, for messages: "env:A_KEY, cmd:pass show b". */
  credential: string;
}

export function resolveProviderKeys(provider: ProviderConfig, secret: SecretLookup): ProviderKeys {
  const { references, keyless } = apiKeyReferences(provider);
  const keys: ProviderKeys['keys'] = [];
  for (const reference of references) {
    const resolved = secret(reference);
    if (resolved) keys.push({ value: resolved.value, id: resolved.id, reference });
  }
  // A local server that wants no key may still be given one; the SDK needs a string either way.
  if (keys.length === 0 && keyless) keys.push({ value: 'unused', id: 'none', reference: 'none' });
  return { keys, credential: references.join(', ') };
}

/** Every configured provider's keys by provider name, resolved when the classifier is set up. */
export function resolveAllProviderKeys(providers: readonly ProviderConfig[], secret: SecretLookup): Map<string, ProviderKeys> {
  return new Map(providers.map((provider) => [provider.name, resolveProviderKeys(provider, secret)]));
}
