import type { ProviderConfig } from '../config/schema.js';

export interface ModelWarning {
  setting: string;
  model: string;
  message: string;
  hint: string;
}

/**
 * Configured models the installed SDKs list as deprecated, for `config check` and `health`: a
 * deprecated model still answers until its end-of-life date, so this warns and never fails.
 */
export async function modelWarnings(providers: readonly ProviderConfig[]): Promise<ModelWarning[]> {
  if (providers.length === 0) return [];
  const [{ sdkDeprecation }, { providerType }] = await Promise.all([import('../classify/providers/model-deprecations.js'), import('../classify/provider-types.js')]);
  return providers.flatMap((provider) => {
    const deprecation = sdkDeprecation(provider.type, provider.model);
    if (!deprecation) return [];
    return [
      {
        setting: `ai.providers.${provider.name}.model`,
        model: provider.model,
        message: `${provider.model} is deprecated and reaches end of life on ${deprecation.endOfLife} (${deprecation.source})`,
        hint: `choose a current model, e.g. ${providerType(provider.type).defaultModel}`,
      },
    ];
  });
}
