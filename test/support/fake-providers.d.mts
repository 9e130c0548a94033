import http from 'node:http';
/**
 * One local HTTP server speaking the wire formats of the three providers, strict about what it
 * accepts (keys, required fields and headers, strict schemas, parameters per model, known models)
 * and able to answer as the real services do in their edge cases. See fake-providers.mjs.
 */
export type ProviderKind = 'anthropic' | 'openai' | 'gemini';
export type OpenaiReply = 'invalid-key' | 'rate-limit' | 'insufficient_quota' | 'credit_balance_exhausted' | 'organization_usage_limit_exceeded' | 'organization_spend_limit_exceeded' | 'project_spend_limit_exceeded' | 'overloaded' | 'refusal' | 'length' | 'content-filter';
export type AnthropicReply = 'invalid-key' | 'rate-limit' | 'enforced_spend_limit_reached' | 'contract_spend_limit_reached' | 'ramp_limit_exceeded' | 'billing' | 'overloaded' | 'refusal' | 'max-tokens';
export type GeminiReply = 'invalid-key' | 'rate-limit' | 'quota-per-minute' | 'quota-per-day' | 'quota-zero' | 'billing-required' | 'overloaded' | 'safety' | 'blocked' | 'max-tokens';
export type Behaviour = {
    kind: 'ok';
    answer?: Record<string, unknown>;
}
/** A well-formed envelope whose answer text is this (fenced JSON, prose, invalid JSON...). */
 | {
    kind: 'answer-text';
    text: string;
}
/** A real-world reply by name; retryAfter in seconds, where the service puts it. */
 | {
    kind: 'reply';
    name: OpenaiReply | AnthropicReply | GeminiReply;
    retryAfter?: number;
}
/** A generic error of this status in the provider's envelope (Gemini: retryAfter as RetryInfo). */
 | {
    kind: 'status';
    status: number;
    retryAfter?: string;
    retryAfterMs?: string;
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
export interface OpenaiModel {
    reasoning?: { efforts: string[]; default: string };
    shutdownDate?: string;
    retired?: boolean;
}
export interface AnthropicModel {
    thinking?: { default: 'adaptive' | 'disabled'; canDisable: boolean };
    lifecycle?: 'active' | 'deprecated' | 'retired';
    retiresAt?: string;
}
export interface GeminiModel {
    thinking?: { control: 'level'; levels: string[]; default: string } | { control: 'budget'; min: number; max: number; canDisable: boolean; dynamic: number };
    modelStatus?: { modelStage: string; retirementTime?: string; message?: string };
    retired?: boolean;
}
export interface ModelTables {
    openai: Record<string, OpenaiModel>;
    anthropic: Record<string, AnthropicModel>;
    gemini: Record<string, GeminiModel>;
}
export interface ReceivedRequest {
    provider: ProviderKind;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: Record<string, unknown>;
    /** The prompt text as the provider received it, whatever the envelope. */
    prompt: string;
    at: number;
}
export interface Rejection {
    provider: ProviderKind;
    path: string;
    status: number;
    message: string;
    body: Record<string, unknown>;
}
export interface FakeProviders {
    url: string;
    /** Generation requests the fake accepted (refused ones are in rejections). */
    requests: ReceivedRequest[];
    modelLookups: { provider: ProviderKind; model: string; headers: http.IncomingHttpHeaders }[];
    /** Requests the fake refused as the real service would: a test expecting none checks this is empty. */
    rejections: Rejection[];
    /** Each SDK's own base-URL variable pointed here, so doccat sends its official-endpoint requests. */
    officialEndpointEnv(): Record<string, string>;
    /** Queue behaviours for the next generation requests to this provider. */
    queue(provider: ProviderKind, ...behaviours: Behaviour[]): void;
    setDefault(provider: ProviderKind, behaviour: Behaviour): void;
    setModels<P extends ProviderKind>(provider: P, table: ModelTables[P]): void;
    /** Only these keys are accepted (any key when never set). */
    setKeys(provider: ProviderKind, keys: string[]): void;
    count(provider: ProviderKind): number;
    reset(): void;
    close(): Promise<void>;
}
export declare const REPLIES: Record<ProviderKind, string[]>;
/** Answers like a sensible model would: the type from the words in the document. */
export declare function defaultAnswer(prompt: string): Record<string, unknown>;
export declare function defaultModels(): ModelTables;
export declare function startFakeProviders(options?: { models?: Partial<ModelTables>; keys?: Partial<Record<ProviderKind, string[]>> }): Promise<FakeProviders>;
