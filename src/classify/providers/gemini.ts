import { GoogleGenAI } from '@google/genai';
import { httpFailure, ProviderError, type ProviderClient, type ProviderConnection, type ProviderReply, type ProviderRequest } from '../provider.js';

/** Gemini generateContent with a response JSON schema, through @google/genai. */
export function createClient(connection: ProviderConnection): ProviderClient {
  // The SDK's ApiError keeps the status but not the headers, so failures are read here, where
  // retry-after is still visible; without retryOptions the SDK makes exactly one attempt.
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
    // Gemini says when to come back in the body (google.rpc.RetryInfo), rarely in a header.
    const retryDelay = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body)?.[1];
    const headers = { get: (name: string) => response.headers.get(name) ?? (name === 'retry-after' && retryDelay ? retryDelay : null) };
    throw httpFailure(connection.name, response.status, headers, errorMessage(body), { credential: connection.credential, quota: /quota|billing/i.test(body) && !/per minute|PerMinute/i.test(body) });
  };
  const client = new GoogleGenAI({
    apiKey: connection.apiKey,
    httpOptions: { timeout: connection.timeoutMs, fetch: readingFetch, ...(connection.baseURL ? { baseUrl: connection.baseURL } : {}) },
  });
  return {
    async complete(request: ProviderRequest): Promise<ProviderReply> {
      try {
        const response = await client.models.generateContent({
          model: connection.model,
          contents: request.prompt,
          config: {
            systemInstruction: request.system,
            responseMimeType: 'application/json',
            responseJsonSchema: request.schema,
            maxOutputTokens: request.maxOutputTokens,
            abortSignal: request.signal,
          },
        });
        return { text: response.text ?? '', inputTokens: response.usageMetadata?.promptTokenCount ?? 0, outputTokens: response.usageMetadata?.candidatesTokenCount ?? 0 };
      } catch (error) {
        if (error instanceof ProviderError || request.signal.aborted) throw error;
        if ((error as Error).name === 'AbortError' || /timed? ?out/i.test((error as Error).message)) throw new ProviderError(connection.name, 'timeout', 'no answer within the timeout', { cause: error });
        throw error;
      }
    },
  };
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string; status?: string } };
    return [parsed.error?.status, parsed.error?.message].filter(Boolean).join(': ') || body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
