// @ts-check
import http from 'node:http';

/**
 * One local HTTP server speaking the wire formats of the three providers, for the real SDKs to
 * talk to (through a baseURL, or through each SDK's own base-URL environment variable):
 *   Anthropic  POST /v1/messages, GET /v1/models/{id}              (requests carry anthropic-version)
 *   OpenAI     POST /v1/chat/completions, GET /v1/models/{id}
 *   Gemini     POST /v1beta/models/{model}:generateContent
 *
 * It refuses what the real services refuse, with their error bodies: a missing or unknown key, a
 * missing required field or header, an OpenAI strict schema that strict mode would reject, a
 * parameter the model does not take (max_tokens on a reasoning model, thinking switched off on a
 * model that cannot, a forced tool while thinking), and a model it does not know (the list is
 * configurable). Every refusal is kept in `rejections`, so a test can say that none happened.
 *
 * Models think as the real ones do: a reasoning model spends output tokens on reasoning at its
 * effort, a thinking Gemini model on thoughts (dynamic when not told otherwise), and an answer
 * that does not fit the output limit comes back cut off (finish_reason length, MAX_TOKENS).
 *
 * Each provider has a queue of behaviours (one per generation request) and a default for when the
 * queue is empty; `reply` behaviours give the real-world answers by name (see REPLIES).
 */

/** Answers like a sensible model would: the type from the words in the document. */
export function defaultAnswer(prompt) {
    const document = prompt.slice(prompt.indexOf('<document>'));
    const type = /invoice|rechnung/i.test(document) ? 'invoice' : /receipt/i.test(document) ? 'receipt' : /dear|sincerely/i.test(document) ? 'letter' : 'other';
    return {
        type,
        title: `AI ${type} title`,
        tags: type === 'invoice' ? ['finance'] : [],
        date: '2024-03-15',
        correspondent: 'ACME Corporation',
        language: 'en',
        summary: `A ${type}.`,
        confidence: 0.9,
        total: type === 'invoice' ? '196.35' : null,
        currency: type === 'invoice' ? 'EUR' : null,
        invoiceNumber: null,
        dueDate: null,
    };
}

/**
 * The models each fake knows, with what matters for the requests doccat sends. Figures for
 * reasoning and thoughts are what the fake spends, not measurements of the real models.
 */
export function defaultModels() {
    return {
        openai: {
            // Reasoning models: max_completion_tokens only; reasoning_effort as listed.
            'gpt-5.6-luna': { reasoning: { efforts: ['none', 'low', 'medium', 'high', 'xhigh', 'max'], default: 'medium' } },
            'gpt-5.6-terra': { reasoning: { efforts: ['none', 'low', 'medium', 'high', 'xhigh', 'max'], default: 'medium' } },
            'gpt-5-mini': { reasoning: { efforts: ['minimal', 'low', 'medium', 'high'], default: 'medium' }, shutdownDate: '2026-12-11' },
            // Chat models: no reasoning_effort; max_tokens still taken.
            'gpt-4o-mini': { shutdownDate: '2027-01-14' },
            'gpt-4.1-mini': { shutdownDate: '2027-01-14' },
        },
        anthropic: {
            // thinking: what happens when the request says nothing ('adaptive' thinks), and whether it may be switched off.
            'claude-haiku-5-5': { thinking: { default: 'adaptive', canDisable: true }, lifecycle: 'active' },
            'claude-sonnet-5-5': { thinking: { default: 'adaptive', canDisable: true }, lifecycle: 'active' },
            'claude-opus-5-5': { thinking: { default: 'adaptive', canDisable: false }, lifecycle: 'active' },
            'claude-haiku-4-5': { thinking: { default: 'disabled', canDisable: true }, lifecycle: 'active' },
            'claude-sonnet-4-5': { thinking: { default: 'disabled', canDisable: true }, lifecycle: 'deprecated', retiresAt: '2026-11-30T00:00:00Z' },
        },
        gemini: {
            // thinking by level (Gemini 3 and later) or by budget (2.5); thoughts spent when nothing is said.
            'gemini-3.5-flash-lite': { thinking: { control: 'level', levels: ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'], default: 'MINIMAL' } },
            'gemini-3.8-flash': { thinking: { control: 'level', levels: ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'], default: 'HIGH' } },
            'gemini-3.1-pro-preview': { thinking: { control: 'level', levels: ['LOW', 'HIGH'], default: 'HIGH' } },
            'gemini-2.5-flash': { thinking: { control: 'budget', min: 0, max: 24576, canDisable: true, dynamic: 1200 }, modelStatus: { modelStage: 'DEPRECATED', retirementTime: '2026-12-01T00:00:00Z', message: 'gemini-2.5-flash is deprecated; use gemini-3.5-flash-lite' } },
            'gemini-2.5-flash-lite': { thinking: { control: 'budget', min: 512, max: 24576, canDisable: true, dynamic: 0 } },
            'gemini-2.5-pro': { thinking: { control: 'budget', min: 128, max: 32768, canDisable: false, dynamic: 2000 } },
        },
    };
}

/** Output tokens a reasoning model spends before answering, by effort; thoughts by Gemini thinking level. */
const REASONING_TOKENS = { none: 0, minimal: 0, low: 120, medium: 900, high: 2400, xhigh: 5000, max: 9000 };
const THINKING_LEVEL_TOKENS = { MINIMAL: 0, LOW: 150, MEDIUM: 600, HIGH: 2000 };

/**
 * Real-world replies by name. Bodies as the services send them (see the citations in
 * src/classify/provider-errors.ts); `retryAfter` (seconds) goes where each service puts it: a
 * header for OpenAI and Anthropic, google.rpc.RetryInfo in the body for Gemini.
 */
export const REPLIES = {
    openai: ['invalid-key', 'rate-limit', 'insufficient_quota', 'credit_balance_exhausted', 'organization_usage_limit_exceeded', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded', 'overloaded', 'refusal', 'length', 'content-filter'],
    anthropic: ['invalid-key', 'rate-limit', 'enforced_spend_limit_reached', 'contract_spend_limit_reached', 'ramp_limit_exceeded', 'billing', 'overloaded', 'refusal', 'max-tokens'],
    gemini: ['invalid-key', 'rate-limit', 'quota-per-minute', 'quota-per-day', 'quota-zero', 'billing-required', 'overloaded', 'safety', 'blocked', 'max-tokens'],
};

const tokens = (text) => Math.max(1, Math.ceil(text.length / 4));

function promptOf(provider, body) {
    const text = (content) => (typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => part?.text ?? '').join('\n') : '');
    if (provider === 'anthropic')
        return `${text(body.system ?? '')}\n${(body.messages ?? []).map((message) => text(message.content)).join('\n')}`;
    if (provider === 'openai')
        return (body.messages ?? []).map((message) => text(message.content)).join('\n');
    const system = body.systemInstruction?.parts?.map((part) => part.text).join('\n') ?? '';
    return `${system}\n${(body.contents ?? []).flatMap((content) => (content.parts ?? []).map((part) => part.text)).join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Error bodies, shaped as each service sends them.

/**
 * @param {number} status
 * @param {string} message
 * @param {{ type?: string, param?: string | null, code?: string | null }} [details]
 */
function openaiError(status, message, { type = 'invalid_request_error', param = null, code = null } = {}) {
    return { status, body: { error: { message, type, param, code } } };
}
function anthropicError(status, type, message, details) {
    return { status, body: { type: 'error', error: { type, message, ...(details ? { details } : {}) }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' } };
}
const GOOGLE_STATUS = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };
function geminiError(status, message, details, statusName = GOOGLE_STATUS[status] ?? 'UNKNOWN') {
    return { status, body: { error: { code: status, message, status: statusName, ...(details ? { details } : {}) } } };
}
const retryInfo = (seconds) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` });
const quotaFailure = (quotaId, quotaValue, model) => ({
    '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
    violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId, quotaDimensions: { location: 'global', model }, quotaValue }],
});
const rateLimitHelp = { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] };

/** A generic error of this status in the provider's envelope (behaviour `status`). */
function genericFailure(provider, status, retryAfter) {
    if (provider === 'anthropic') {
        const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 400 ? 'invalid_request_error' : status === 402 ? 'billing_error' : 'api_error';
        return anthropicError(status, type, status === 401 ? 'invalid x-api-key' : status === 529 ? 'Overloaded' : `fake ${type}`);
    }
    if (provider === 'openai') {
        if (status === 401)
            return openaiError(401, 'Incorrect API key provided: sk-fake***************************1234. You can find your API key at https://platform.openai.com/account/api-keys.', { code: 'invalid_api_key' });
        if (status === 429)
            return openaiError(429, 'Rate limit reached for gpt-5.6-luna in organization org-fake on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.', { type: 'requests', code: 'rate_limit_exceeded' });
        return openaiError(status, `fake error ${status}`, { type: status >= 500 ? 'server_error' : 'invalid_request_error' });
    }
    if (status === 429)
        return geminiError(429, 'Resource has been exhausted (e.g. check quota).', retryAfter === undefined ? undefined : [retryInfo(retryAfter)]);
    if (status === 503)
        return geminiError(503, 'The model is overloaded. Please try again later.');
    return geminiError(status, `fake ${GOOGLE_STATUS[status] ?? 'error'}`);
}

/** Where a named reply is an error: its status and body (and headers). */
function namedFailure(provider, name, model, retryAfter) {
    if (provider === 'openai') {
        switch (name) {
            case 'invalid-key': return genericFailure('openai', 401);
            case 'rate-limit': return { ...genericFailure('openai', 429), headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) } };
            case 'insufficient_quota': return openaiError(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', { type: 'insufficient_quota', code: 'insufficient_quota' });
            case 'credit_balance_exhausted':
            case 'organization_usage_limit_exceeded':
            case 'organization_spend_limit_exceeded':
            case 'project_spend_limit_exceeded':
                // The type may still be insufficient_quota: the code says which limit.
                return openaiError(429, 'You exceeded your current quota, please check your plan and billing details.', { type: 'insufficient_quota', code: name });
            case 'overloaded': return openaiError(503, 'The server is overloaded or not ready yet.', { type: 'server_error', code: 'server_is_overloaded' });
        }
    }
    if (provider === 'anthropic') {
        switch (name) {
            case 'invalid-key': return anthropicError(401, 'authentication_error', 'invalid x-api-key');
            case 'rate-limit': return { ...anthropicError(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.'), headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) } };
            case 'enforced_spend_limit_reached': return anthropicError(429, 'rate_limit_error', 'Your organization has reached the monthly usage threshold of its API tier.', { error_code: name });
            case 'contract_spend_limit_reached': return anthropicError(429, 'rate_limit_error', 'Your organization has reached the spend limit of its contract.', { error_code: name });
            case 'ramp_limit_exceeded': return { ...anthropicError(429, 'rate_limit_error', 'This request would exceed your ramp limit.', { error_code: name }), headers: { 'retry-after': String(retryAfter ?? 1) } };
            case 'billing': return anthropicError(402, 'billing_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
            case 'overloaded': return anthropicError(529, 'overloaded_error', 'Overloaded');
        }
    }
    if (provider === 'gemini') {
        switch (name) {
            case 'invalid-key':
                return geminiError(400, 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }, { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' }]);
            case 'rate-limit':
                // What most 429s say: no quota named, a delay in the body, no header.
                return geminiError(429, 'Resource has been exhausted (e.g. check quota).', retryAfter === undefined ? undefined : [retryInfo(retryAfter)]);
            case 'quota-per-minute':
                return geminiError(429, `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: ${model}\nPlease retry in ${retryAfter ?? 1}s.`, [rateLimitHelp, quotaFailure('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '10', model), retryInfo(retryAfter ?? 1)]);
            case 'quota-per-day':
                return geminiError(429, `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 20, model: ${model}\nPlease retry in 9h54m2.1s.`, [rateLimitHelp, quotaFailure('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '20', model), retryInfo(retryAfter ?? 35642)]);
            case 'quota-zero':
                return geminiError(429, `You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: ${model}`, [rateLimitHelp, quotaFailure('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '0', model), retryInfo(retryAfter ?? 37025)]);
            case 'billing-required':
                return geminiError(400, 'Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.', undefined, 'FAILED_PRECONDITION');
            case 'overloaded': return genericFailure('gemini', 503);
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// What the real services refuse in a request.

/** OpenAI strict mode: every object closes its properties and requires all of them, recursively. */
function strictSchemaProblem(schema, at = '()') {
    if (!schema || typeof schema !== 'object')
        return undefined;
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.includes('object')) {
        if (schema.additionalProperties !== false)
            return `In context=${at}, 'additionalProperties' is required to be supplied and to be false.`;
        const keys = Object.keys(schema.properties ?? {});
        const missing = keys.filter((key) => !(schema.required ?? []).includes(key));
        if (!Array.isArray(schema.required) || missing.length > 0)
            return `In context=${at}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0] ?? ''}'.`;
        for (const key of keys) {
            const problem = strictSchemaProblem(schema.properties[key], `('properties', '${key}')`);
            if (problem)
                return problem;
        }
    }
    if (types.includes('array'))
        return strictSchemaProblem(schema.items, `${at}, 'items'`);
    return undefined;
}

function bearer(headers) {
    const match = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''));
    return match?.[1];
}

function checkOpenai(request, body, models, keys) {
    const key = bearer(request.headers);
    if (!key)
        return openaiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.");
    if (keys && !keys.includes(key))
        return genericFailure('openai', 401);
    if (!body.model)
        return openaiError(400, 'you must provide a model parameter');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
        return openaiError(400, "Missing required parameter: 'messages'.", { param: 'messages', code: 'missing_required_parameter' });
    const model = models[body.model];
    if (!model)
        return openaiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });
    if (model.retired)
        return openaiError(404, `The model \`${body.model}\` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations`, { code: 'model_not_found' });
    if (model.reasoning && body.max_tokens !== undefined)
        return openaiError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", { param: 'max_tokens', code: 'unsupported_parameter' });
    if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
        if (!model.reasoning)
            return openaiError(400, "Unrecognized request argument supplied: reasoning_effort", { param: 'reasoning_effort', code: 'unsupported_parameter' });
        if (!model.reasoning.efforts.includes(body.reasoning_effort))
            return openaiError(400, `Unsupported value: 'reasoning_effort' does not support '${body.reasoning_effort}' with this model. Supported values are: ${model.reasoning.efforts.map((effort) => `'${effort}'`).join(', ')}.`, { param: 'reasoning_effort', code: 'unsupported_value' });
    }
    const format = body.response_format;
    if (format?.type === 'json_schema') {
        if (!format.json_schema?.name)
            return openaiError(400, "Missing required parameter: 'response_format.json_schema.name'.", { param: 'response_format.json_schema.name', code: 'missing_required_parameter' });
        if (format.json_schema.strict) {
            const problem = strictSchemaProblem(format.json_schema.schema);
            if (problem)
                return openaiError(400, `Invalid schema for response_format '${format.json_schema.name}': ${problem}`, { param: 'response_format', code: 'invalid_json_schema' });
        }
    }
    return undefined;
}

function checkAnthropic(request, body, models, keys) {
    const key = request.headers['x-api-key'] ?? bearer(request.headers);
    if (!key)
        return anthropicError(401, 'authentication_error', 'x-api-key header is required');
    if (keys && !keys.includes(key))
        return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    if (!request.headers['anthropic-version'])
        return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!body.model)
        return anthropicError(400, 'invalid_request_error', 'model: Field required');
    if (body.max_tokens === undefined)
        return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
        return anthropicError(400, 'invalid_request_error', 'messages: Field required');
    const model = models[body.model];
    if (!model || model.lifecycle === 'retired')
        return anthropicError(404, 'not_found_error', `model: ${body.model}`);
    const thinking = body.thinking?.type ?? model.thinking?.default ?? 'disabled';
    if (body.thinking?.type === 'disabled' && model.thinking && !model.thinking.canDisable)
        return anthropicError(400, 'invalid_request_error', `thinking.type: 'disabled' is not supported for model ${body.model}`);
    if (body.thinking?.type === 'enabled' && !(body.thinking.budget_tokens >= 1024 && body.thinking.budget_tokens < body.max_tokens))
        return anthropicError(400, 'invalid_request_error', 'thinking.budget_tokens: must be >= 1024 and less than max_tokens');
    const choice = body.tool_choice?.type;
    if ((choice === 'tool' || choice === 'any') && thinking !== 'disabled')
        return anthropicError(400, 'invalid_request_error', 'Thinking may not be enabled when tool_choice forces tool use.');
    if (choice === 'tool' && !(body.tools ?? []).some((tool) => tool.name === body.tool_choice.name))
        return anthropicError(400, 'invalid_request_error', `tool_choice: Tool '${body.tool_choice.name}' not found in 'tools'`);
    for (const tool of body.tools ?? [])
        if (tool.input_schema?.type !== 'object')
            return anthropicError(400, 'invalid_request_error', `tools.0.custom.input_schema.type: Input should be 'object'`);
    return undefined;
}

function checkGemini(request, body, modelName, models, keys, url) {
    const key = request.headers['x-goog-api-key'] ?? new URL(url, 'http://fake').searchParams.get('key');
    if (!key)
        return geminiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    if (keys && !keys.includes(key))
        return namedFailure('gemini', 'invalid-key', modelName);
    const model = models[modelName];
    if (!model || model.retired)
        return geminiError(404, `models/${modelName} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
    if (!Array.isArray(body.contents) || body.contents.length === 0)
        return geminiError(400, '* GenerateContentRequest.contents: contents is not specified\n');
    const config = body.generationConfig ?? {};
    if ((config.responseJsonSchema || config.responseSchema) && config.responseMimeType !== 'application/json')
        return geminiError(400, 'response_mime_type: must be application/json when a response schema is set');
    const thinking = config.thinkingConfig;
    if (thinking) {
        const spec = model.thinking;
        if (thinking.thinkingBudget !== undefined && thinking.thinkingLevel !== undefined)
            return geminiError(400, 'You can only set only one of thinking budget and thinking level.');
        if (!spec && (thinking.thinkingBudget !== undefined || thinking.thinkingLevel !== undefined))
            return geminiError(400, 'Thinking is not supported by this model.');
        if (thinking.thinkingLevel !== undefined && (spec.control !== 'level' || !spec.levels.includes(thinking.thinkingLevel)))
            return geminiError(400, `Thinking level ${thinking.thinkingLevel} is not supported for this model.${spec.control === 'level' ? ` Supported levels: ${spec.levels.join(', ')}.` : ''}`);
        if (thinking.thinkingBudget !== undefined && thinking.thinkingBudget !== -1 && spec.control === 'budget') {
            if (thinking.thinkingBudget === 0 && !spec.canDisable)
                return geminiError(400, 'Budget 0 is invalid. This model only works in thinking mode.');
            if (thinking.thinkingBudget !== 0 && (thinking.thinkingBudget < spec.min || thinking.thinkingBudget > spec.max))
                return geminiError(400, `The thinking budget ${thinking.thinkingBudget} is invalid. Please choose a value between ${spec.min} and ${spec.max}.`);
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Successful answers.

/** Output tokens spent on reasoning or thoughts before the answer, as the request set them. */
function thinkingSpent(provider, body, spec) {
    if (provider === 'openai') {
        if (!spec.reasoning)
            return 0;
        return REASONING_TOKENS[body.reasoning_effort ?? spec.reasoning.default] ?? 0;
    }
    if (provider === 'anthropic') {
        const type = body.thinking?.type ?? spec.thinking?.default ?? 'disabled';
        return type === 'disabled' ? 0 : type === 'enabled' ? Math.min(body.thinking.budget_tokens, 1500) : 700;
    }
    const thinking = spec.thinking;
    if (!thinking)
        return 0;
    const asked = body.generationConfig?.thinkingConfig ?? {};
    if (thinking.control === 'level')
        return THINKING_LEVEL_TOKENS[asked.thinkingLevel ?? thinking.default] ?? 0;
    const budget = asked.thinkingBudget;
    if (budget === undefined || budget === -1)
        return thinking.dynamic;
    return Math.min(budget, thinking.dynamic === 0 ? budget : Math.max(thinking.dynamic, budget));
}

function outputLimit(provider, body) {
    if (provider === 'openai')
        return body.max_completion_tokens ?? body.max_tokens ?? Number.POSITIVE_INFINITY;
    if (provider === 'anthropic')
        return body.max_tokens;
    return body.generationConfig?.maxOutputTokens ?? 65536;
}

/**
 * A 200 answer whose text (or forced tool input) is `answer`, or what the named reply makes of it:
 * cut off when thinking and answer do not fit the output limit, as the real services do.
 */
function success(provider, body, modelSpec, prompt, answerText, toolInput, reply) {
    const model = String(body.model);
    const input = tokens(prompt);
    const limit = outputLimit(provider, body);
    // Gemini's named MAX_TOKENS reply: thoughts took the whole output limit.
    const thought = reply === 'max-tokens' && provider === 'gemini' ? limit : thinkingSpent(provider, body, modelSpec);
    let text = answerText;
    const overflow = thought + tokens(text) > limit;
    const cut = overflow || reply === 'length' || reply === 'max-tokens';
    if (overflow)
        text = text.slice(0, Math.max(0, (limit - thought) * 4 - 1));
    else if (cut)
        text = text.slice(0, Math.floor(text.length / 2));
    if (thought >= limit)
        text = '';
    const output = Math.min(limit, thought + (text ? tokens(text) : 0));
    if (provider === 'anthropic') {
        const forced = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
        if (reply === 'refusal') {
            return {
                id: 'msg_01RefusalExample000000000', type: 'message', role: 'assistant', model, content: [],
                stop_reason: 'refusal', stop_details: { type: 'refusal', category: 'general_harms', explanation: 'This request may relate to a harmful area.' }, stop_sequence: null,
                usage: { input_tokens: input, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
            };
        }
        let content;
        if (forced) {
            // A forced tool always comes back as a tool_use block; cut off, its input is incomplete.
            const whole = toolInput ?? parseObject(answerText) ?? {};
            const kept = cut ? Object.fromEntries(Object.entries(whole).slice(0, 2)) : whole;
            content = [{ type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: forced, input: kept, caller: { type: 'direct' } }];
        } else {
            content = text ? [{ type: 'text', text, citations: null }] : [];
        }
        return {
            id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model, content,
            stop_reason: cut ? 'max_tokens' : forced ? 'tool_use' : 'end_turn', stop_details: null, stop_sequence: null,
            usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard', output_tokens_details: { thinking_tokens: thought } },
        };
    }
    if (provider === 'openai') {
        const refusal = reply === 'refusal' ? "I'm sorry, I can't help with that request." : null;
        const finish = reply === 'content-filter' ? 'content_filter' : cut ? 'length' : 'stop';
        return {
            id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: refusal || reply === 'content-filter' ? null : text, refusal, annotations: [] }, logprobs: null, finish_reason: finish }],
            usage: {
                prompt_tokens: input,
                completion_tokens: output,
                total_tokens: input + output,
                prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
                completion_tokens_details: { reasoning_tokens: thought, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
            service_tier: 'default',
            system_fingerprint: 'fp_50cad350e4',
        };
    }
    const usageMetadata = { promptTokenCount: input, totalTokenCount: input + output, promptTokensDetails: [{ modality: 'TEXT', tokenCount: input }] };
    if (output - thought > 0)
        usageMetadata.candidatesTokenCount = output - thought;
    if (thought > 0)
        usageMetadata.thoughtsTokenCount = thought;
    const status = modelSpec.modelStatus ? { modelStatus: modelSpec.modelStatus } : {};
    if (reply === 'blocked') {
        return { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: input, totalTokenCount: input }, modelVersion: model, responseId: 'mAitaLmkHPPlz7IPvtfUqQ4', ...status };
    }
    if (reply === 'safety') {
        return {
            candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] }],
            usageMetadata: { promptTokenCount: input, totalTokenCount: input }, modelVersion: model, responseId: 'mAitaLmkHPPlz7IPvtfUqQ4', ...status,
        };
    }
    return {
        // A thinking model's answer with no text left has no parts at all.
        candidates: [{ content: text ? { parts: [{ text }], role: 'model' } : { role: 'model' }, finishReason: cut ? 'MAX_TOKENS' : 'STOP', index: 0 }],
        usageMetadata,
        modelVersion: model,
        responseId: 'mAitaLmkHPPlz7IPvtfUqQ4',
        ...status,
    };
}

function parseObject(text) {
    try {
        const value = JSON.parse(text);
        return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
    }
    catch {
        return undefined;
    }
}

function modelInfo(provider, id, spec) {
    if (provider === 'anthropic') {
        return {
            type: 'model', id, display_name: id, created_at: '2026-10-07T00:00:00Z', capabilities: null, line: null, max_input_tokens: 1_000_000, max_tokens: 128_000,
            lifecycle: spec.lifecycle ?? 'active', deprecated_at: spec.lifecycle === 'deprecated' ? '2026-05-30T00:00:00Z' : null, retires_at: spec.retiresAt ?? null,
        };
    }
    // OpenAI documents shutdown_date on the model object; the SDK's type does not list it yet.
    return { id, object: 'model', created: 1_760_000_000, owned_by: 'system', shutdown_date: spec.shutdownDate ?? null };
}

// ---------------------------------------------------------------------------------------------

export async function startFakeProviders(options = {}) {
    const queues = { anthropic: [], openai: [], gemini: [] };
    const defaults = { anthropic: { kind: 'ok' }, openai: { kind: 'ok' }, gemini: { kind: 'ok' } };
    const initialModels = () => {
        const base = defaultModels();
        for (const provider of Object.keys(base))
            base[provider] = { ...base[provider], ...(options.models?.[provider] ?? {}) };
        return base;
    };
    let models = initialModels();
    let keys = { ...(options.keys ?? {}) };
    const requests = [];
    const modelLookups = [];
    const rejections = [];
    const sockets = new Set();
    const server = http.createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            const url = request.url ?? '';
            const pathname = url.split('?')[0] ?? '';
            const send = (provider, status, value, headers = {}) => {
                const requestId = provider === 'anthropic' ? { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy' } : provider === 'openai' ? { 'x-request-id': 'req_a1b2c3d4e5' } : {};
                response.writeHead(status, { 'content-type': 'application/json', ...requestId, ...headers }).end(JSON.stringify(value));
            };
            const refuse = (provider, refusal, body) => {
                rejections.push({ provider, path: pathname, status: refusal.status, message: JSON.stringify(refusal.body), body });
                send(provider, refusal.status, refusal.body, refusal.headers);
            };

            // Model lookups: Anthropic's SDK always sends anthropic-version, OpenAI's never does.
            const lookup = /^\/v1\/models\/([^/]+)$/.exec(pathname);
            if (lookup && request.method === 'GET') {
                const provider = request.headers['anthropic-version'] ? 'anthropic' : 'openai';
                const id = decodeURIComponent(lookup[1]);
                modelLookups.push({ provider, model: id, headers: request.headers });
                const denied = provider === 'anthropic'
                    ? (!(request.headers['x-api-key'] ?? bearer(request.headers)) ? anthropicError(401, 'authentication_error', 'x-api-key header is required') : undefined)
                    : (!bearer(request.headers) ? genericFailure('openai', 401) : undefined);
                if (denied)
                    return refuse(provider, denied, {});
                const spec = models[provider][id];
                if (!spec)
                    return send(provider, 404, provider === 'anthropic' ? anthropicError(404, 'not_found_error', `model: ${id}`).body : openaiError(404, `The model '${id}' does not exist`, { code: 'model_not_found' }).body);
                return send(provider, 200, modelInfo(provider, id, spec));
            }

            const provider = pathname === '/v1/messages' ? 'anthropic' : pathname === '/v1/chat/completions' ? 'openai' : /^\/v1beta\/models\/[^/]+:generateContent$/.test(pathname) ? 'gemini' : undefined;
            if (!provider || request.method !== 'POST') {
                response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
                return;
            }
            let body = {};
            try {
                body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            }
            catch {
                const malformed = provider === 'anthropic' ? anthropicError(400, 'invalid_request_error', 'There was an issue with the request body: invalid JSON') : provider === 'openai' ? openaiError(400, 'We could not parse the JSON body of your request.') : geminiError(400, 'Invalid JSON payload received.');
                return refuse(provider, malformed, {});
            }
            if (provider === 'gemini')
                body.model = decodeURIComponent(/models\/([^:]+):/.exec(pathname)?.[1] ?? '');
            const prompt = promptOf(provider, body);
            const refusal = provider === 'openai' ? checkOpenai(request, body, models.openai, keys.openai) : provider === 'anthropic' ? checkAnthropic(request, body, models.anthropic, keys.anthropic) : checkGemini(request, body, body.model, models.gemini, keys.gemini, url);
            if (refusal)
                return refuse(provider, refusal, body);
            requests.push({ provider, path: pathname, headers: request.headers, body, prompt, at: performance.now() });
            const spec = models[provider][body.model];
            const behaviour = queues[provider].shift() ?? defaults[provider];
            const answerFor = (answer) => success(provider, body, spec, prompt, JSON.stringify(answer), answer, undefined);
            switch (behaviour.kind) {
                case 'ok':
                    return send(provider, 200, answerFor(behaviour.answer ?? defaultAnswer(prompt)));
                case 'answer-text':
                    return send(provider, 200, success(provider, body, spec, prompt, behaviour.text, undefined, undefined));
                case 'reply': {
                    const failure = namedFailure(provider, behaviour.name, body.model, behaviour.retryAfter);
                    if (failure)
                        return send(provider, failure.status, failure.body, failure.headers ?? {});
                    if (!REPLIES[provider].includes(behaviour.name))
                        throw new Error(`fake ${provider}: no reply named ${behaviour.name}`);
                    const answer = defaultAnswer(prompt);
                    return send(provider, 200, success(provider, body, spec, prompt, JSON.stringify(answer), answer, behaviour.name));
                }
                case 'status': {
                    const failure = genericFailure(provider, behaviour.status, provider === 'gemini' ? behaviour.retryAfter : undefined);
                    const headers = {};
                    // Gemini says when to come back in its body, never in a header.
                    if (provider !== 'gemini' && behaviour.retryAfter !== undefined)
                        headers['retry-after'] = behaviour.retryAfter;
                    if (provider === 'openai' && behaviour.retryAfterMs !== undefined)
                        headers['retry-after-ms'] = behaviour.retryAfterMs;
                    return send(provider, behaviour.status, failure.body, headers);
                }
                case 'stall': {
                    const timer = setTimeout(() => send(provider, 200, answerFor(defaultAnswer(prompt))), behaviour.ms);
                    response.on('close', () => clearTimeout(timer));
                    return;
                }
                case 'reset':
                    request.socket.destroy();
                    return;
                case 'garbage':
                    response.writeHead(200, { 'content-type': 'application/json' }).end('<html><body>502 Bad Gateway</body></html>');
                    return;
            }
        });
    });
    server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    await /** @type {Promise<void>} */ (new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    const url = `http://127.0.0.1:${port}`;
    return {
        url,
        requests,
        modelLookups,
        rejections,
        officialEndpointEnv: () => ({ OPENAI_BASE_URL: `${url}/v1`, ANTHROPIC_BASE_URL: url, GOOGLE_GEMINI_BASE_URL: url }),
        queue: (provider, ...behaviours) => queues[provider].push(...behaviours),
        setDefault: (provider, behaviour) => {
            defaults[provider] = behaviour;
        },
        setModels: (provider, table) => {
            models[provider] = { ...table };
        },
        setKeys: (provider, list) => {
            keys = { ...keys, [provider]: list };
        },
        count: (provider) => requests.filter((request) => request.provider === provider).length,
        reset: () => {
            requests.length = 0;
            modelLookups.length = 0;
            rejections.length = 0;
            models = initialModels();
            keys = { ...(options.keys ?? {}) };
            for (const provider of Object.keys(queues)) {
                queues[provider] = [];
                defaults[provider] = { kind: 'ok' };
            }
        },
        close: async () => {
            for (const socket of sockets)
                socket.destroy();
            await /** @type {Promise<void>} */ (new Promise((resolve) => server.close(() => resolve())));
        },
    };
}
