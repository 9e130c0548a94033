import type { ProviderConfig } from '../config/schema.js';

/**
 * The models `doccat init` and the example configuration propose: each provider's current small
 * model for high-volume classification, none in its SDK's deprecation data or on its provider's
 * deprecation page when chosen (November 2026). Check them again when upgrading an SDK:
 * `doccat config check` warns about configured models the installed SDK lists as deprecated.
 *   claude-haiku-5-5       https://platform.claude.com/docs/en/about-claude/models/overview
 *   gpt-5.6-luna           https://platform.openai.com/docs/models/gpt-5.6-luna
 *   gemini-3.5-flash-lite  https://ai.google.dev/gemini-api/docs/models ("replacement for Gemini 2.5 Flash")
 */
export const DEFAULT_MODELS: Record<ProviderConfig['type'], string> = {
  anthropic: 'claude-haiku-5-5',
  openai: 'gpt-5.6-luna',
  gemini: 'gemini-3.5-flash-lite',
};

/** List prices per million tokens of the default models (input, output), for the example config. */
export const DEFAULT_PRICES: Record<ProviderConfig['type'], { inputPerMTok: number; outputPerMTok: number }> = {
  anthropic: { inputPerMTok: 0.1, outputPerMTok: 0.5 },
  openai: { inputPerMTok: 0.2, outputPerMTok: 1.2 },
  gemini: { inputPerMTok: 0.3, outputPerMTok: 2.5 },
};
