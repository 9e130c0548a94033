import type http from 'node:http';
export interface ReceivedWebhook {
  method: string | undefined;
  path: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the event fields it checks.
  json: any;
  /** Whether X-Doccat-Signature is the HMAC of the body with the receiver's secret (undefined: no secret given). */
  signatureValid: boolean | undefined;
  at: number;
}
export interface Behaviour {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** Answer with a redirect to this URL. */
  location?: string;
  /** Never answer. */
  hang?: boolean;
}
export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  queue(...behaviours: Behaviour[]): void;
  setDefault(behaviour: Behaviour): void;
  until(predicate: (requests: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  reset(): void;
  close(): Promise<void>;
}
export function startWebhookReceiver(options?: { secret?: string }): Promise<WebhookReceiver>;
