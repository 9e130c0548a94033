import Anthropic from '@anthropic-ai/sdk';
import { httpFailure, ProviderError, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';

/** Anthropic Messages API; structured output by forcing one tool whose input is the answer. */
export function createClient(connection: ProviderConnection): ProviderClient {
  // maxRetries 0: the service's policy is the one that retries, so attempts are counted once.
  const client = new Anthropic({ apiKey: connection.apiKey, maxRetries: 0, timeout: connection.timeoutMs, ...(connection.baseURL ? { baseURL: connection.baseURL } : {}) });
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      try {
        const message = await client.messages.create(
          {
            model: connection.model,
            max_tokens: request.maxOutputTokens,
            system: request.system,
            messages: [{ role: 'user', content: request.prompt }],
            tools: [{ name: request.schemaName, description: 'Record the classification of the document.', input_schema: request.schema as Anthropic.Tool.InputSchema }],
            tool_choice: { type: 'tool', name: request.schemaName },
          },
          { signal: request.signal },
        );
        const tool = message.content.find((block) => block.type === 'tool_use');
        const text = tool ? JSON.stringify(tool.input) : message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
        return { text, inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
      } catch (error) {
        throw translate(connection.name, connection.credential, error);
      }
    },
  };
}

function translate(provider: string, credential: string, error: unknown): unknown {
  if (error instanceof ProviderError || error instanceof Anthropic.APIUserAbortError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new ProviderError(provider, 'timeout', 'no answer within the timeout', { cause: error });
  if (error instanceof Anthropic.APIError) return httpFailure(provider, error.status, error.headers, error.message, { credential, cause: error });
  return error;
}
