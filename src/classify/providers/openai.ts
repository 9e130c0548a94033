import OpenAI from 'openai';
import { httpFailure, ProviderError, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';

/**
 * OpenAI Chat Completions with a strict JSON schema; with a baseURL, any OpenAI-compatible server
 * (Ollama, llama.cpp server, vLLM, LM Studio).
 */
export function createClient(connection: ProviderConnection): ProviderClient {
  // maxRetries 0: the service's policy is the one that retries, so attempts are counted once.
  const client = new OpenAI({ apiKey: connection.apiKey, maxRetries: 0, timeout: connection.timeoutMs, ...(connection.baseURL ? { baseURL: connection.baseURL } : {}) });
  // Compatible servers know the older max_tokens; OpenAI's newer models only max_completion_tokens.
  const limit = (tokens: number) => (connection.baseURL ? { max_tokens: tokens } : { max_completion_tokens: tokens });
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      try {
        const completion = await client.chat.completions.create(
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
        const message = completion.choices[0]?.message;
        if (message?.refusal) throw new ProviderError(connection.name, 'bad-output', `the model refused: ${message.refusal}`);
        return { text: message?.content ?? '', inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 };
      } catch (error) {
        throw translate(connection.name, connection.credential, error);
      }
    },
  };
}

function translate(provider: string, credential: string, error: unknown): unknown {
  if (error instanceof ProviderError || error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError(provider, 'timeout', 'no answer within the timeout', { cause: error });
  if (error instanceof OpenAI.APIError) {
    // A 429 with insufficient_quota will not pass by waiting: it is a billing state.
    return httpFailure(provider, error.status, error.headers, error.message, { credential, quota: error.code === 'insufficient_quota', cause: error });
  }
  return error;
}
