import { GoogleGenAI, ThinkingLevel, type GenerateContentResponse, type ThinkingConfig } from '@google/genai';
import { ProviderError, type ModelLifecycle, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';
import { geminiFacts, providerFailure } from '../provider-errors.js';

/** Gemini generateContent with a response JSON schema, through @google/genai. */

/**
 * As little thinking as each model allows, so thoughts cannot eat the answer's output tokens.
 * https://ai.google.dev/gemini-api/docs/thinking: 2.5 Flash and Flash-Lite switch thinking off
 * with budget 0; 2.5 Pro cannot (128 to 32768); Gemini 3 takes a thinking level instead, MINIMAL
 * on Flash models and LOW at least on Pro. A model that keeps thinking gets its bounded thoughts
 * on top of the answer's output allowance.
 */
interface ThinkingPlan {
  config: ThinkingConfig | undefined;
  /** Output tokens added for thoughts that cannot be switched off. */
  allowance: number;
}
const THINKING_BUDGET = 512;
const THINKING_LEVEL_ALLOWANCE = 1024;

export function thinkingPlan(model: string): ThinkingPlan {
  const name = model.replace(/^models\//, '');
  if (/^gemini-2\.5-flash/.test(name)) return { config: { thinkingBudget: 0 }, allowance: 0 };
  if (/^gemini-2\.5-pro/.test(name)) return { config: { thinkingBudget: THINKING_BUDGET }, allowance: THINKING_BUDGET };
  if (/^gemini-(?:[3-9]|\d{2,})[.-].*pro/.test(name) || name === 'gemini-pro-latest') return { config: { thinkingLevel: ThinkingLevel.LOW }, allowance: THINKING_LEVEL_ALLOWANCE };
  if (/^gemini-(?:[3-9]|\d{2,})[.-]/.test(name) || /^gemini-(flash|flash-lite)-latest$/.test(name)) return { config: { thinkingLevel: ThinkingLevel.MINIMAL }, allowance: THINKING_LEVEL_ALLOWANCE };
  // Older and other models (gemma, 2.0) have no thinking to configure.
  return { config: undefined, allowance: 0 };
}

/** Finish reasons meaning the answer was withheld. https://ai.google.dev/api/generate-content#FinishReason */
const WITHHELD = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'LANGUAGE']);

export function createClient(connection: ProviderConnection): ProviderClient {
  // The SDK's ApiError keeps the status but not the body's details or the headers, so failures
  // are read here, where google.rpc.RetryInfo and QuotaFailure are still visible; without
  // retryOptions the SDK makes exactly one attempt.
  const readingFetch: typeof fetch = async (input, init) => {
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new ProviderError(connection.name, 'connection', `no answer: ${(error as Error).message}`, { cause: error });
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    throw providerFailure(connection.name, geminiFacts(response.status, body, response.headers), { credential: connection.credential });
  };
  const client = new GoogleGenAI({
    apiKey: connection.apiKey,
    httpOptions: { timeout: connection.timeoutMs, fetch: readingFetch, ...(connection.baseURL ? { baseUrl: connection.baseURL } : {}) },
  });
  const thinking = thinkingPlan(connection.model);
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({
          model: connection.model,
          contents: request.prompt,
          config: {
            systemInstruction: request.system,
            responseMimeType: 'application/json',
            responseJsonSchema: request.schema,
            maxOutputTokens: request.maxOutputTokens + thinking.allowance,
            ...(thinking.config ? { thinkingConfig: thinking.config } : {}),
            abortSignal: request.signal,
          },
        });
      } catch (error) {
        if (error instanceof ProviderError || request.signal.aborted) throw error;
        if ((error as Error).name === 'AbortError' || /timed? ?out/i.test((error as Error).message)) throw new ProviderError(connection.name, 'timeout', 'no answer within the timeout', { cause: error });
        throw error;
      }
      const metadata = response.usageMetadata;
      // Thoughts are billed as output but not counted in candidatesTokenCount.
      // https://ai.google.dev/gemini-api/docs/thinking#pricing
      const usage = { inputTokens: metadata?.promptTokenCount ?? 0, outputTokens: (metadata?.candidatesTokenCount ?? 0) + (metadata?.thoughtsTokenCount ?? 0) };
      const blocked = response.promptFeedback?.blockReason;
      if (blocked) throw new ProviderError(connection.name, 'refused', `the prompt was blocked (blockReason ${blocked})`, { usage });
      const candidate = response.candidates?.[0];
      const finish = candidate?.finishReason;
      if (finish && WITHHELD.has(finish)) throw new ProviderError(connection.name, 'refused', `the answer was blocked (finishReason ${finish})`, { usage });
      const text = candidate?.content?.parts?.filter((part) => !part.thought).map((part) => part.text ?? '').join('') ?? '';
      if (finish === 'MAX_TOKENS') {
        const thoughts = metadata?.thoughtsTokenCount ?? 0;
        throw new ProviderError(connection.name, 'truncated', `the answer was cut off by the output limit (finishReason MAX_TOKENS${thoughts ? `, ${thoughts} thought tokens` : ''}${text.trim() ? '' : ', no text'})`, { usage });
      }
      return { text, ...usage, ...(response.modelStatus ? { model: lifecycleOf(response.modelStatus) } : {}) };
    },
  };
}

/** Gemini's modelStatus: EXPERIMENTAL, PREVIEW, STABLE, LEGACY, DEPRECATED or RETIRED. */
function lifecycleOf(status: NonNullable<GenerateContentResponse['modelStatus']>): ModelLifecycle {
  const stage = status.modelStage ?? 'MODEL_STAGE_UNSPECIFIED';
  const state = stage === 'RETIRED' ? 'retired' : stage === 'DEPRECATED' || stage === 'LEGACY' ? 'deprecated' : stage === 'MODEL_STAGE_UNSPECIFIED' ? 'unknown' : 'active';
  return { state, ...(status.retirementTime ? { retiresAt: status.retirementTime } : {}), detail: `modelStage ${stage}${status.retirementTime ? `, retirement ${status.retirementTime}` : ''}${status.message ? ` (${status.message})` : ''}` };
}
