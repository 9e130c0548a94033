import { isHookUrl } from '../config/hook-url.js';
import type { DoccatConfig, HookTargetConfig } from '../config/schema.js';
import type { SecretLookup } from '../config/secrets.js';
import { DoccatError, ExitCode } from '../errors.js';
import { redactText } from '../observability/redact.js';
import type { HookList } from './events.js';

/** The configured hooks, with their secrets (from config/'s lookup) resolved once at start, so a missing one stops the run before any file. */

export interface CommandTarget {
  kind: 'command';
  /** How stats and logs name it: the start of the command. */
  label: string;
  command: string;
  /** The config file's folder: where the command runs. */
  cwd: string;
  timeoutMs: number;
}

export interface WebhookTarget {
  kind: 'webhook';
  /** How stats and logs name it: the URL without query, or the secret reference holding it. */
  label: string;
  url: string;
  secret: string | undefined;
  timeoutMs: number;
}

export type HookTarget = CommandTarget | WebhookTarget;

export type HookTargets = Record<HookList, HookTarget[]>;

export const HOOK_LISTS: readonly HookList[] = ['onDocument', 'onRun', 'onAlert'];

export function resolveHookTargets(hooks: DoccatConfig['hooks'], options: { baseDir: string; secret: SecretLookup }): HookTargets {
  const secretOf = (reference: string, setting: string): string => {
    const resolved = options.secret(reference);
    if (!resolved) throw new DoccatError('E_SECRET_MISSING', `${setting} names ${reference}, which is empty or not set`, { hint: 'set it, or remove the setting', exitCode: ExitCode.usage });
    return resolved.value;
  };
  const shared = hooks.secret ? secretOf(hooks.secret, 'hooks.secret') : undefined;
  const target = (entry: HookTargetConfig, setting: string): HookTarget => {
    if (typeof entry === 'string') return isHookUrl(entry) ? webhook(entry, entry, shared, hooks.timeoutMs) : command(entry, options.baseDir, hooks.timeoutMs);
    if ('command' in entry) return command(entry.command, options.baseDir, entry.timeoutMs ?? hooks.timeoutMs);
    const secret = entry.secret ? secretOf(entry.secret, `${setting}.secret`) : shared;
    if (isHookUrl(entry.url)) return webhook(entry.url, entry.url, secret, entry.timeoutMs ?? hooks.timeoutMs);
    const url = secretOf(entry.url, `${setting}.url`);
    if (!isHookUrl(url) || !isPlainUrl(url)) throw new DoccatError('E_CONFIG_INVALID', `${setting}.url: ${entry.url} does not hold an http:// or https:// URL without user:password@`, { hint: 'webhooks are POSTed to http(s) URLs only', exitCode: ExitCode.usage });
    // Named by its reference: the URL itself may carry a token.
    return { kind: 'webhook', label: entry.url, url, secret, timeoutMs: entry.timeoutMs ?? hooks.timeoutMs };
  };
  return {
    onDocument: hooks.onDocument.map((entry, index) => target(entry, `hooks.onDocument.${index}`)),
    onRun: hooks.onRun.map((entry, index) => target(entry, `hooks.onRun.${index}`)),
    onAlert: hooks.onAlert.map((entry, index) => target(entry, `hooks.onAlert.${index}`)),
  };
}

function webhook(url: string, shown: string, secret: string | undefined, timeoutMs: number): WebhookTarget {
  const parsed = new URL(shown);
  return { kind: 'webhook', label: redactText(`${parsed.origin}${parsed.pathname}`), url, secret, timeoutMs };
}

function command(text: string, cwd: string, timeoutMs: number): CommandTarget {
  const flat = text.replace(/\s+/g, ' ').trim();
  return { kind: 'command', label: redactText(flat.length > 60 ? `${flat.slice(0, 59)}…` : flat), command: text, cwd, timeoutMs };
}

function isPlainUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
