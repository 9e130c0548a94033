// @ts-check
// A webhook receiver for tests on 127.0.0.1: keeps every request (headers, body, whether its
// X-Doccat-Signature matches the secret) and answers as told: a status (with headers), a redirect,
// or never.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export async function startWebhookReceiver(options = {}) {
  const requests = [];
  const queued = [];
  let fallback = { status: 200 };
  const sockets = new Set();
  const waiters = new Set();
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const given = String(request.headers['x-doccat-signature'] ?? '');
      const expected = options.secret ? `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}` : '';
      const signatureValid = options.secret ? given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected)) : undefined;
      const received = { method: request.method, path: request.url, headers: request.headers, body, json, signatureValid, at: Date.now() };
      requests.push(received);
      for (const wake of [...waiters]) wake();
      const behaviour = queued.shift() ?? fallback;
      if (behaviour.hang) return;
      const answer = () => {
        if (behaviour.location) response.writeHead(behaviour.status ?? 302, { location: behaviour.location }).end();
        else response.writeHead(behaviour.status ?? 200, { 'content-type': 'text/plain', ...behaviour.headers }).end(behaviour.body ?? 'ok');
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await /** @type {Promise<void>} */ (new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Answers for the next requests, in order; then the default. */
    queue: (...behaviours) => queued.push(...behaviours),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    /** Resolves once `predicate(requests)` holds, or rejects after timeoutMs. */
    until: (predicate, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(requests);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for webhook requests; got ${requests.length}: ${requests.map((r) => r.json?.event ?? r.path).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    reset: () => {
      requests.length = 0;
      queued.length = 0;
      fallback = { status: 200 };
    },
    close: () =>
      /** @type {Promise<void>} */ (new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}
