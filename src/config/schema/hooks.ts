import * as z from 'zod';
import { secretReference } from './secret.js';
import { isHookUrl } from '../hook-url.js';

const secretOrUrl = z.string().regex(/^(env:|file:|cmd:|https?:\/\/)/i, 'an http(s) URL, or a secret reference (env:NAME, file:PATH, cmd:COMMAND) holding one');
const hookTargetSchema = z.union([
  z
    .string()
    .min(1)
    // "ftp://...", "file:///..." would otherwise be run as shell commands.
    .refine((target) => isHookUrl(target) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(target), 'webhooks must be http:// or https:// URLs')
    .refine((target) => !isHookUrl(target) || isPlainHttpUrl(target), 'not a valid URL, or it carries user:password@ (give credentials as a secret reference instead)'),
  z
    .object({
      url: secretOrUrl.refine((url) => !isHookUrl(url) || isPlainHttpUrl(url), 'not a valid URL, or it carries user:password@').describe('webhook URL, or a secret reference holding it (a URL with a token in it, such as a chat webhook)'),
      secret: secretReference.optional().describe('HMAC key for this webhook instead of hooks.secret'),
      timeoutMs: z.number().int().min(100).optional(),
    })
    .strict(),
  z.object({ command: z.string().min(1), timeoutMs: z.number().int().min(100).optional() }).strict(),
]);
export type HookTargetConfig = z.infer<typeof hookTargetSchema>;

const hookList = z.array(hookTargetSchema).default([]);

export const hooksSchema = z
  .object({
    onDocument: hookList.describe('after a document is committed (catalogued, duplicate) or a file failed: shell commands (/bin/sh in the config file\'s folder, the event as JSON on stdin, DOCCAT_EVENT and DOCCAT_DOCUMENT_ID set) or webhook URLs (POST of the JSON)'),
    onRun: hookList.describe('when an ingest, watch or worker run ends: counts, duration, failures'),
    onAlert: hookList.describe('when an alert rule fires or is resolved'),
    secret: secretReference.optional().describe('key for webhooks\' X-Doccat-Signature: sha256=<HMAC-SHA256 of the body, hex>'),
    timeoutMs: z.number().int().min(100).default(10_000).describe('one delivery attempt (a command is killed after it)'),
    maxAttempts: z.number().int().min(1).max(10).default(3).describe('tries per event and hook; then the failure is recorded (doccat stats)'),
    retryDelayMs: z.number().int().min(1).default(1000).describe('first backoff delay; doubles with each try'),
    concurrency: z.number().int().min(1).max(64).default(4).describe('deliveries at once'),
    drainTimeoutMs: z.number().int().min(0).default(60_000).describe('how long the end of a run waits for deliveries still queued; those left are recorded as not sent'),
  })
  .strict()
  .default({ onDocument: [], onRun: [], onAlert: [], timeoutMs: 10_000, maxAttempts: 3, retryDelayMs: 1000, concurrency: 4, drainTimeoutMs: 60_000 })
  .describe('commands and webhooks run after documents, runs and alerts; they never fail or hold up a document');

function isPlainHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
