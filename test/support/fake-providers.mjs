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
function promptOf(provider, body) {
    if (provider === 'anthropic') {
        const messages = body.messages;
        return `${String(body.system ?? '')}\n${messages.map((message) => message.content).join('\n')}`;
    }
    if (provider === 'openai')
        return body.messages.map((message) => message.content).join('\n');
    const contents = body.contents;
    const system = body.systemInstruction?.parts.map((part) => part.text).join('\n') ?? '';
    return `${system}\n${contents.flatMap((content) => content.parts.map((part) => part.text)).join('\n')}`;
}
const tokens = (text) => Math.max(1, Math.ceil(text.length / 4));
function success(provider, body, prompt, text, toolInput) {
    const model = String(body.model ?? 'gemini-2.5-flash');
    const input = tokens(prompt);
    const output = tokens(text);
    if (provider === 'anthropic') {
        const content = toolInput
            ? [{ type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: body.tool_choice?.name ?? 'record', input: toolInput }]
            : [{ type: 'text', text, citations: null }];
        return {
            id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
            type: 'message',
            role: 'assistant',
            model,
            content,
            stop_reason: toolInput ? 'tool_use' : 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
        };
    }
    if (provider === 'openai') {
        return {
            id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
            usage: {
                prompt_tokens: input,
                completion_tokens: output,
                total_tokens: input + output,
                prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
                completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
            service_tier: 'default',
            system_fingerprint: 'fp_50cad350e4',
        };
    }
    return {
        candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: input, candidatesTokenCount: output, totalTokenCount: input + output, promptTokensDetails: [{ modality: 'TEXT', tokenCount: input }] },
        modelVersion: model,
        responseId: 'mAitaLmkHPPlz7IPvtfUqQ4',
    };
}
function failure(provider, status, quota) {
    if (provider === 'anthropic') {
        const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 400 ? 'invalid_request_error' : 'api_error';
        return { type: 'error', error: { type, message: status === 401 ? 'invalid x-api-key' : `fake ${type}` }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' };
    }
    if (provider === 'openai') {
        if (status === 401)
            return { error: { message: 'Incorrect API key provided: sk-fake***************************1234. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
        if (status === 429 && quota)
            return { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } };
        return { error: { message: status === 429 ? 'Rate limit reached for requests' : `fake error ${status}`, type: status === 429 ? 'requests' : 'server_error', param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
    }
    const statusName = status === 429 ? 'RESOURCE_EXHAUSTED' : status === 503 ? 'UNAVAILABLE' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'PERMISSION_DENIED' : status === 400 ? 'INVALID_ARGUMENT' : 'INTERNAL';
    const message = status === 429 ? (quota ? 'You exceeded your current quota, please check your plan and billing details. Quota exceeded for metric: generate_content_free_tier_requests, limit: 50 per day.' : 'Resource has been exhausted (e.g. check quota) for requests per minute.') : `fake ${statusName}`;
    return { error: { code: status, message, status: statusName } };
}
export async function startFakeProviders() {
    const queues = { anthropic: [], openai: [], gemini: [] };
    const defaults = { anthropic: { kind: 'ok' }, openai: { kind: 'ok' }, gemini: { kind: 'ok' } };
    const requests = [];
    const sockets = new Set();
    const server = http.createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            const url = request.url ?? '';
            const provider = url.startsWith('/v1/messages') ? 'anthropic' : url.startsWith('/v1/chat/completions') ? 'openai' : /^\/v1beta\/models\/[^/]+:generateContent/.test(url) ? 'gemini' : undefined;
            if (!provider || request.method !== 'POST') {
                response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
                return;
            }
            let body = {};
            try {
                body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            }
            catch {
                response.writeHead(400).end();
                return;
            }
            if (provider === 'gemini')
                body.model = decodeURIComponent(/models\/([^:]+):/.exec(url)?.[1] ?? '');
            const prompt = promptOf(provider, body);
            requests.push({ provider, path: url, headers: request.headers, body, prompt, at: performance.now() });
            const behaviour = queues[provider].shift() ?? defaults[provider];
            const json = (status, value, headers = {}) => {
                const requestId = provider === 'anthropic' ? { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy' } : provider === 'openai' ? { 'x-request-id': 'req_a1b2c3d4e5' } : {};
                response.writeHead(status, { 'content-type': 'application/json', ...requestId, ...headers }).end(JSON.stringify(value));
            };
            switch (behaviour.kind) {
                case 'ok': {
                    const answer = behaviour.answer ?? defaultAnswer(prompt);
                    json(200, success(provider, body, prompt, JSON.stringify(answer), provider === 'anthropic' ? answer : undefined));
                    return;
                }
                case 'answer-text':
                    json(200, success(provider, body, prompt, behaviour.text, undefined));
                    return;
                case 'status': {
                    const headers = {};
                    if (behaviour.retryAfter !== undefined)
                        headers['retry-after'] = behaviour.retryAfter;
                    if (behaviour.retryAfterMs !== undefined)
                        headers['retry-after-ms'] = behaviour.retryAfterMs;
                    json(behaviour.status, failure(provider, behaviour.status, Boolean(behaviour.quota)), headers);
                    return;
                }
                case 'stall': {
                    const timer = setTimeout(() => json(200, success(provider, body, prompt, JSON.stringify(defaultAnswer(prompt)), provider === 'anthropic' ? defaultAnswer(prompt) : undefined)), behaviour.ms);
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
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        queue: (provider, ...behaviours) => queues[provider].push(...behaviours),
        setDefault: (provider, behaviour) => {
            defaults[provider] = behaviour;
        },
        count: (provider) => requests.filter((request) => request.provider === provider).length,
        reset: () => {
            requests.length = 0;
            for (const provider of Object.keys(queues)) {
                queues[provider] = [];
                defaults[provider] = { kind: 'ok' };
            }
        },
        close: async () => {
            for (const socket of sockets)
                socket.destroy();
            await new Promise((resolve) => server.close(() => resolve()));
        },
    };
}
