import * as z from 'zod';
import { listProviderTypes, providerType, providerTypeNames } from '../../classify/provider-types.js';
import { secretReference } from './secret.js';

export const providerSchema = z
  .object({
    name: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    type: z.enum(providerTypeNames()),
    model: z.string().min(1),
    apiKey: z
      .union([secretReference, z.array(secretReference).min(1)])
      .optional()
      .describe(`env:NAME, file:PATH or cmd:COMMAND, or a list of them: the next key takes over when one is refused (401/403) or out of quota or rate (429); default ${listProviderTypes((entry) => `env:${entry.defaultKeyVariable}`)}`),
    baseURL: z.string().url().optional().describe('another endpoint: a proxy, or for type openai any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio)'),
    timeoutMs: z.number().int().min(100).default(60_000),
    maxConcurrency: z.number().int().min(1).max(256).default(4),
    maxAttempts: z.number().int().min(1).max(10).default(4).describe('tries per document on 429, 5xx, timeouts and connection errors'),
    rpm: z.number().positive().optional().describe('requests per minute'),
    tpm: z.number().positive().optional().describe('tokens per minute (input + output)'),
    dailyTokenBudget: z.number().int().positive().optional().describe('tokens per UTC day; when spent the provider is skipped'),
    priority: z.number().int().default(100).describe('lower goes first (strategy fallback)'),
    weight: z.number().positive().default(1).describe('share of documents (strategy weighted)'),
    price: z
      .object({ inputPerMTok: z.number().min(0).default(0), outputPerMTok: z.number().min(0).default(0) })
      .default({ inputPerMTok: 0, outputPerMTok: 0 })
      .describe('USD per million tokens, for cost estimates and strategy cheapest'),
    breaker: z
      .object({ failures: z.number().int().min(1).default(5), cooldownMs: z.number().int().min(100).default(30_000) })
      .default({ failures: 5, cooldownMs: 30_000 })
      .describe('open after this many failures in a row; try again after the cooldown'),
  })
  .strict();

export type ProviderConfig = z.infer<typeof providerSchema>;

/**
 * The key references a provider names: its `apiKey` (one or a list), else its type's default
 * variable. `keyless`: a local server (a baseURL and no apiKey, for the types that allow it) needs none.
 */
export function apiKeyReferences(provider: ProviderConfig): { references: string[]; keyless: boolean } {
  if (provider.apiKey !== undefined) return { references: typeof provider.apiKey === 'string' ? [provider.apiKey] : provider.apiKey, keyless: false };
  const entry = providerType(provider.type);
  return { references: [`env:${entry.defaultKeyVariable}`], keyless: entry.keylessWithBaseURL === true && provider.baseURL !== undefined };
}
