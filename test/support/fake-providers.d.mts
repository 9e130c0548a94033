import http from 'node:http';
/**
 * One local HTTP server speaking the wire formats of the three providers, for the real SDKs to
 * talk to through their base-URL options:
 *   Anthropic  POST /v1/messages
 *   OpenAI     POST /v1/chat/completions
 *   Gemini     POST /v1beta/models/{model}:generateContent
 * Bodies and error envelopes are shaped like the real APIs'. Each provider has a queue of
 * behaviours (one per request) and a default for when the queue is empty.
 */
export type ProviderKind = 'anthropic' | 'openai' | 'gemini';
export type Behaviour = {
    kind: 'ok';
    answer?: Record<string, unknown>;
}
/** A well-formed envelope whose answer text is this (fenced JSON, prose, invalid JSON...). */
 | {
    kind: 'answer-text';
    text: string;
} | {
    kind: 'status';
    status: number;
    retryAfter?: string;
    retryAfterMs?: string;
    quota?: boolean;
} | {
    kind: 'stall';
    ms: number;
} | {
    kind: 'reset';
}
/** HTTP 200 with a body that is not JSON at all. */
 | {
    kind: 'garbage';
};
export interface ReceivedRequest {
    provider: ProviderKind;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: Record<string, unknown>;
    /** The prompt text as the provider received it, whatever the envelope. */
    prompt: string;
    at: number;
}
export interface FakeProviders {
    url: string;
    requests: ReceivedRequest[];
    /** Queue behaviours for the next requests to this provider. */
    queue(provider: ProviderKind, ...behaviours: Behaviour[]): void;
    setDefault(provider: ProviderKind, behaviour: Behaviour): void;
    count(provider: ProviderKind): number;
    reset(): void;
    close(): Promise<void>;
}
/** Answers like a sensible model would: the type from the words in the document. */
export declare function defaultAnswer(prompt: string): Record<string, unknown>;
export declare function startFakeProviders(): Promise<FakeProviders>;
