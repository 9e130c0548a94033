import OpenAI from 'openai';
import { ProviderError, type ModelLifecycle, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';
import { providerFailure } from '../provider-errors.js';

/**
 * OpenAI Chat Completions with a strict JSON schema; with a baseURL, any OpenAI-compatible server
 * (Ollama, llama.cpp server, vLLM, LM Studio).
 */

/**
 * OpenAI's reasoning models (o-series, GPT-5 and later) refuse `max_tokens`, count their reasoning
 * in `max_completion_tokens`, and reason at `medium` effort unless told otherwise: a classification
 * needs little, and `low` is the one effort every reasoning model takes.
 * https://platform.openai.com/docs/guides/reasoning ("Reasoning effort", "Allocating space for reasoning")
 */
const REASONING_MODEL = /^(o\d|gpt-(?:[5-9]|\d{2,}))/;
const REASONING_EFFORT: OpenAI.ReasoningEffort = 'low';
/** Output tokens left for reasoning on top of the answer's own allowance. */
const REASONING_ALLOWANCE = 1024;

export function createClient(connection: ProviderConnection): ProviderClient {
  // maxRetries 0: the service's policy is the one that retries, so attempts are counted once.
  const client = new OpenAI({ apiKey: connection.apiKey, maxRetries: 0, timeout: connection.timeoutMs, ...(connection.baseURL ? { baseURL: connection.baseURL } : {}) });
  const reasoning = REASONING_MODEL.test(connection.model);
  // Compatible servers know the older max_tokens; OpenAI's current models want max_completion_tokens.
  const limit = (tokens: number) =>
    reasoning ? { max_completion_tokens: tokens + REASONING_ALLOWANCE, reasoning_effort: REASONING_EFFORT } : connection.baseURL ? { max_tokens: tokens } : { max_completion_tokens: tokens };
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model: connection.model,
            messages: [
              { role: 'system', content: request.system },
              { role: 'user', content: request.prompt },
            ],
            response_format: { type: 'json_schema', json_schema: { name: request.schemaName, schema: request.schema, strict: true } },
            ...limit(request.maxOutputTokens),
          },
          { signal: request.signal },
        );
      } catch (error) {
        throw translate(connection.name, connection.credential, error);
      }
      // completion_tokens includes the reasoning tokens, which are billed as output.
      const usage = { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 };
      const choice = completion.choices[0];
      const message = choice?.message;
      // https://platform.openai.com/docs/guides/structured-outputs ("Refusals"): a refusal comes
      // in message.refusal instead of the content; content_filter means the answer was withheld.
      if (message?.refusal) throw new ProviderError(connection.name, 'refused', `the model refused: ${message.refusal}`, { usage });
      if (choice?.finish_reason === 'content_filter') throw new ProviderError(connection.name, 'refused', 'the answer was withheld by the content filter (finish_reason content_filter)', { usage });
      // finish_reason length: cut off by max_completion_tokens, possibly before any visible output.
      if (choice?.finish_reason === 'length') {
        const reasoningTokens = completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
        throw new ProviderError(connection.name, 'truncated', `the answer was cut off by the output limit (finish_reason length${reasoningTokens ? `, ${reasoningTokens} reasoning tokens` : ''})`, { usage });
      }
      return { text: message?.content ?? '', ...usage };
    },

    async describeModel(signal: AbortSignal): Promise<ModelLifecycle | undefined> {
      try {
        // shutdown_date is documented on the model object, though the SDK's type lacks it yet.
        // https://platform.openai.com/docs/deprecations ("check each model's optional shutdown_date field")
        const model = (await client.models.retrieve(connection.model, { signal })) as OpenAI.Models.Model & { shutdown_date?: string | null };
        if (model.shutdown_date) return { state: 'deprecated', retiresAt: model.shutdown_date, detail: `shutdown_date ${model.shutdown_date}` };
        return { state: 'active', detail: 'no shutdown date announced' };
      } catch (error) {
        // Compatible servers need not list their models: that says nothing about the model.
        if (error instanceof OpenAI.NotFoundError && connection.baseURL) return undefined;
        throw translate(connection.name, connection.credential, error);
      }
    },
  };
}

function translate(provider: string, credential: string, error: unknown): unknown {
  if (error instanceof ProviderError || error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError(provider, 'timeout', 'no answer within the timeout', { cause: error });
  if (error instanceof OpenAI.APIError) {
    const code = typeof error.code === 'string' ? error.code : null;
    const type = typeof error.type === 'string' ? error.type : null;
    const message = (error.error as { message?: string } | undefined)?.message ?? error.message;
    return providerFailure(provider, { provider: 'openai', status: error.status, type, code, headers: error.headers, message }, { credential, cause: error });
  }
  return error;
}
