import type { ProviderClient, ProviderConnection } from '../../src/classify/provider.js';
import { defaultAnswer } from './fake-providers.mjs';

/**
 * A provider file as a new provider would add one (see the provider registry test): no SDK, no
 * network; it answers as a sensible model would and remembers which key and model it was given,
 * so a test can see that the configured values reached it.
 */
export const connections: ProviderConnection[] = [];

export function createClient(connection: ProviderConnection): ProviderClient {
  connections.push(connection);
  return {
    async complete(request) {
      return { text: JSON.stringify(defaultAnswer(request.prompt)), inputTokens: Math.ceil(request.prompt.length / 4), outputTokens: 60 };
    },
    async describeModel() {
      return { state: 'active', detail: `echo serves ${connection.model}` };
    },
  };
}
