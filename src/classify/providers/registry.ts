import type { ProviderFactory } from '../provider.js';

/**
 * Every AI provider type doccat knows, with everything the rest of the code needs about it: the
 * config schema's `type` values, the key variable used when `apiKey` is not set, what `doccat init`
 * and the example configuration propose, and the client file. Adding a provider is its client file
 * (providers/<type>.ts, exporting `createClient`) and one entry here.
 *
 * This module imports no SDK: the config schema reads it at start-up, and a command that never
 * calls a provider must not load one. The client file, with its SDK, is imported on first use.
 */
export interface ProviderType {
  type: string;
  /** How `doccat init` names the choice. */
  label: string;
  /** The provider's name in the config `doccat init` writes. */
  initName: string;
  /** The variable the key is read from when the provider's `apiKey` is not set. */
  defaultKeyVariable: string;
  /**
   * The model `doccat init` and the example propose: the provider's current small model for
   * high-volume classification, none in its SDK's deprecation data or on its provider's
   * deprecation page when chosen (November 2026). Check them again when upgrading an SDK:
   * `doccat config check` warns about configured models the installed SDK lists as deprecated.
   *   claude-haiku-5-5       https://platform.claude.com/docs/en/about-claude/models/overview
   *   gpt-5.6-luna           https://platform.openai.com/docs/models/gpt-5.6-luna
   *   gemini-3.5-flash-lite  https://ai.google.dev/gemini-api/docs/models ("replacement for Gemini 2.5 Flash")
   */
  defaultModel: string;
  /** List price of the default model, USD per million tokens, for the example configuration. */
  defaultPrice: { inputPerMTok: number; outputPerMTok: number };
  /** A `baseURL` without `apiKey` means a local server that wants no key (OpenAI-compatible ones). */
  keylessWithBaseURL?: boolean;
  load(): Promise<ProviderFactory>;
}

// `satisfies` keeps each literal `type`, so ProviderTypeName below is the union of them. Only
// data here: provider-types.ts derives the rest, so that a test can add an entry by mocking this
// module alone.
export const PROVIDER_TYPES = [
  { type: 'anthropic', label: 'Anthropic (Claude)', initName: 'claude', defaultKeyVariable: 'ANTHROPIC_API_KEY', defaultModel: 'claude-haiku-5-5', defaultPrice: { inputPerMTok: 0.1, outputPerMTok: 0.5 }, load: async () => (await import('./anthropic.js')).createClient },
  { type: 'openai', label: 'OpenAI', initName: 'gpt', defaultKeyVariable: 'OPENAI_API_KEY', defaultModel: 'gpt-5.6-luna', defaultPrice: { inputPerMTok: 0.2, outputPerMTok: 1.2 }, keylessWithBaseURL: true, load: async () => (await import('./openai.js')).createClient },
  { type: 'gemini', label: 'Google Gemini', initName: 'gemini', defaultKeyVariable: 'GEMINI_API_KEY', defaultModel: 'gemini-3.5-flash-lite', defaultPrice: { inputPerMTok: 0.3, outputPerMTok: 2.5 }, load: async () => (await import('./gemini.js')).createClient },
] as const satisfies readonly ProviderType[];

export type ProviderTypeName = (typeof PROVIDER_TYPES)[number]['type'];
