import Anthropic from '@anthropic-ai/sdk';
import { ProviderError, type ModelLifecycle, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';
import { providerFailure } from '../provider-errors.js';

/** Anthropic Messages API; structured output by forcing one tool whose input is the answer. */
export function createClient(connection: ProviderConnection): ProviderClient {
  // maxRetries 0: the service's policy is the one that retries, so attempts are counted once.
  const client = new Anthropic({ apiKey: connection.apiKey, maxRetries: 0, timeout: connection.timeoutMs, ...(connection.baseURL ? { baseURL: connection.baseURL } : {}) });
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(
          {
            model: connection.model,
            max_tokens: request.maxOutputTokens,
            system: request.system,
            messages: [{ role: 'user', content: request.prompt }],
            tools: [{ name: request.schemaName, description: 'Record the classification of the document.', input_schema: request.schema as Anthropic.Tool.InputSchema }],
            tool_choice: { type: 'tool', name: request.schemaName },
            // Newer models think unless told not to, and a forced tool_choice is refused while
            // thinking; classification needs none. "disabled" is accepted by models without
            // thinking too. https://docs.claude.com/en/docs/build-with-claude/extended-thinking
            // ("Tool use with thinking": only tool_choice auto or none)
            thinking: { type: 'disabled' },
          },
          { signal: request.signal },
        );
      } catch (error) {
        throw translate(connection.name, connection.credential, error);
      }
      // output_tokens includes any thinking tokens, which are billed as output.
      const usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
      // https://docs.claude.com/en/api/handling-stop-reasons
      switch (message.stop_reason) {
        case 'refusal': {
          const details = message.stop_details;
          throw new ProviderError(connection.name, 'refused', `the model refused${details?.category ? ` (${details.category})` : ''}${details?.explanation ? `: ${details.explanation}` : ''}`, { usage });
        }
        case 'max_tokens':
          // A tool call cut off by max_tokens is incomplete, whatever its input looks like.
          throw new ProviderError(connection.name, 'truncated', 'the answer was cut off by the output limit (stop_reason max_tokens)', { usage });
        case 'model_context_window_exceeded':
          throw new ProviderError(connection.name, 'bad-request', 'the request does not fit the model\'s context window', { usage, hint: 'lower ai.maxInputTokens' });
        default:
          break;
      }
      const tool = message.content.find((block) => block.type === 'tool_use');
      const text = tool ? JSON.stringify(tool.input) : message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { text, ...usage };
    },

    async describeModel(signal: AbortSignal): Promise<ModelLifecycle | undefined> {
      try {
        const model = await client.models.retrieve(connection.model, {}, { signal });
        const lifecycle = model.lifecycle ?? 'active';
        return { state: lifecycle, ...(model.retires_at ? { retiresAt: model.retires_at } : {}), detail: `lifecycle ${lifecycle}${model.retires_at ? `, retires ${model.retires_at}` : ''}` };
      } catch (error) {
        throw translate(connection.name, connection.credential, error);
      }
    },
  };
}

function translate(provider: string, credential: string, error: unknown): unknown {
  if (error instanceof ProviderError || error instanceof Anthropic.APIUserAbortError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new ProviderError(provider, 'timeout', 'no answer within the timeout', { cause: error });
  if (error instanceof Anthropic.APIError) {
    // errorCode is error.details.error_code: it tells a spend limit from a rate limit on a 429.
    return providerFailure(provider, { provider: 'anthropic', status: error.status, type: error.type, code: error.errorCode, headers: error.headers, message: error.apiMessage ?? error.message }, { credential, cause: error });
  }
  return error;
}
