import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureLogRedaction, redactLogLine, redactText } from '../../../src/observability/redact.js';
import { resolveSecret } from '../../../src/config/secrets.js';
import { createLogger } from '../../../src/observability/logger.js';

/** What never reaches a log line or stderr. */
describe('log redaction', () => {
  it('masks credentials by their shape', () => {
    const cases: [string, string, string][] = [
      ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9', 'Authorization: Bearer [redacted]'],
      ['{"authorization":"Basic dXNlcjpwYXNzd29yZA=="}', 'dXNlcjpwYXNzd29yZA', '"authorization":"Basic [redacted]"'],
      ['connect postgres://doccat:hunter2@db:5432/cat failed', 'hunter2', 'postgres://doccat:***@db:5432/cat'],
      [
        'GET https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261125&X-Amz-Signature=0123456789abcdef&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE',
        '0123456789abcdef',
        'X-Amz-Signature=[redacted]',
      ],
      ['401: Incorrect API key provided: sk-proj-abcdefghijklmnop1234', 'sk-proj-abcdefghijklmnop', 'Incorrect API key provided: [key]'],
      ['key=AIzaSyA1234567890abcdefghij', 'AIzaSyA1234567890', '[key]'],
      ['API key not valid: AIza****wxyz1234', 'wxyz1234', 'not valid: [key]'],
      ['headers {"x-api-key":"anthropic-key-value-123"}', 'anthropic-key-value-123', '"x-api-key":"[redacted]"'],
    ];
    for (const [input, secret, expected] of cases) {
      const output = redactText(input);
      expect(output, input).not.toContain(secret);
      expect(output, input).toContain(expected);
    }
    expect(redactText('X-Amz-Credential=AKIAEXAMPLE%2F20261125')).toBe('X-Amz-Credential=[redacted]');
  });

  it('masks every secret doccat resolved, wherever it shows up', () => {
    resolveSecret('env:ODD_SHAPED', { env: { ODD_SHAPED: 'plain-words-TESTSECRET-42' } });
    expect(redactText('the server said: token plain-words-TESTSECRET-42 is unknown')).toBe('the server said: token [redacted] is unknown');
  });

  it('masks configured personal-data patterns always, the built-in kinds when switched on', () => {
    configureLogRedaction({ patterns: [String.raw`\bK-\d{6}\b`], builtIn: false });
    expect(redactText('/inbox/K-123456 anna@example.org scan.pdf')).toBe('/inbox/[REDACTED] anna@example.org scan.pdf');
    configureLogRedaction({ patterns: [String.raw`\bK-\d{6}\b`], builtIn: true });
    expect(redactText('/inbox/K-123456 anna@example.org scan.pdf')).toBe('/inbox/[REDACTED] [EMAIL] scan.pdf');
    // In a log line only strings are touched: numbers that look like phone numbers stay numbers.
    const line = redactLogLine(`${JSON.stringify({ time: 1764100000000, pages: 123456, msg: 'customer K-654321 called +49 30 1234567' })}\n`);
    expect(JSON.parse(line)).toEqual({ time: 1764100000000, pages: 123456, msg: 'customer [REDACTED] called [PHONE]' });
    configureLogRedaction({ patterns: [], builtIn: false });
  });

  it('applies to every line the logger writes, message and fields alike', () => {
    // The logger doccat itself uses, writing to a file as with --log-file.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-log-')), 'run.log');
    const logger = createLogger({ level: 'warn', file, runId: 'run-1' });
    logger.warn(
      { apiKey: 'sk-ant-abcdefghijkl12345', headers: { 'x-api-key': 'anthropic-key-value-123', authorization: 'Bearer hdr-TESTSECRET' }, url: 'postgres://u:pw-TESTSECRET@h/db', err: 'Authorization: Bearer abcdefghijkl' },
      'request to https://x/y?X-Amz-Signature=feedbeef failed',
    );
    logger.info({ apiKey: 'sk-ant-below-the-level' }, 'not written');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/sk-ant-|anthropic-key-value|hdr-TESTSECRET|pw-TESTSECRET|abcdefghijkl|feedbeef/);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ runId: 'run-1', apiKey: '[redacted]', headers: { 'x-api-key': '[redacted]', authorization: '[redacted]' }, url: 'postgres://u:***@h/db', err: 'Authorization: Bearer [redacted]' });
    expect(lines[0]?.msg).toBe('request to https://x/y?X-Amz-Signature=[redacted] failed');
  });
});
