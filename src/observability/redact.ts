import { redactPii } from '../text/pii.js';
import { jsonForTerminal } from '../text/terminal.js';

/**
 * The last filter before anything reaches a log or stderr. Secrets doccat resolved itself are
 * masked by value wherever they appear; the rest is masked by shape (bearer tokens, URL
 * passwords, presigned-URL signatures, provider key formats) because an SDK or a server may
 * echo a credential doccat never saw.
 */

const knownSecrets = new Set<string>();
let piiPatterns: readonly string[] = [];
let builtInPii = false;

/** Remembers a resolved secret so that its value is masked in every later log line and error. */
export function registerSecret(value: string): void {
  // Very short values would mask ordinary words; no real credential is that short.
  if (value.length >= 6) knownSecrets.add(value);
}

/** Configured personal-data patterns (always) and the built-in kinds (with features.redaction). */
export function configureLogRedaction(options: { patterns: readonly string[]; builtIn: boolean }): void {
  piiPatterns = options.patterns;
  builtInPii = options.builtIn;
}

type Replacement = string | ((match: string, ...groups: string[]) => string);

const SHAPES: [RegExp, Replacement][] = [
  // Authorization: Bearer xyz / Basic xyz, as a header line or inside JSON.
  [/\b(authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^\s"',}]+/gi, (_match, prefix: string, scheme?: string) => `${prefix}${scheme ? `${scheme} ` : ''}[redacted]`],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // Passwords in connection URLs: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s@/"']+@/gi, '$1***@'],
  // Presigned S3 URLs: the signature and the credentials it was made with.
  [/(\b(?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)=)[^&\s"']+/gi, '$1[redacted]'],
  // Provider key formats: Anthropic, OpenAI, Google.
  [/\b(?:sk-ant-|sk-proj-|sk-)[A-Za-z0-9_*-]{8,}/g, '[key]'],
  [/\bAIza[A-Za-z0-9_*-]{8,}/g, '[key]'],
  // Header names that carry keys.
  [/\b((?:x-api-key|x-goog-api-key|api[_-]?key)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi, '$1[redacted]'],
];

/** One message or value: secrets by value and by shape, then personal data. */
export function redactText(text: string): string {
  let result = text;
  for (const secret of knownSecrets) if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  for (const [pattern, replacement] of SHAPES) result = typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement);
  if (piiPatterns.length > 0 || builtInPii) result = redactPii(result, piiPatterns, builtInPii).text;
  return result;
}

/**
 * One serialized log line. Only the strings inside it are redacted: a pattern for personal data
 * (six digits, a phone number) would otherwise eat the timestamp or a count and break the JSON.
 */
export function redactLogLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return redactText(line);
  }
  // Logs often go to a terminal (stderr): no raw C1 or bidi control from a document reaches it.
  return `${jsonForTerminal(JSON.stringify(redactValue(parsed)))}\n`;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactValue(child)]));
  return value;
}
