import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DoccatError, ExitCode } from '../errors.js';
import { registerSecret } from '../observability/redact.js';

/**
 * Secrets are named by reference in configuration, never written in it:
 *   env:NAME     an environment variable
 *   file:PATH    a file (Docker and Kubernetes secrets), relative to the config file
 *   cmd:COMMAND  what a command prints (a password manager: `cmd:pass show doccat/openai`)
 * What is logged about a secret is its reference and a short fingerprint, never the value; every
 * value resolved is also masked in logs and errors. A `cmd:` reference reaches this module only
 * from a config file no one else can change (config/config-file.ts checks that when it reads the
 * file), from a DOCCAT_* variable or from a flag: those are the user's own.
 */

export interface ResolvedSecret {
  value: string;
  /** The reference and a fingerprint, e.g. "env:OPENAI_API_KEY#3fa2c1": safe to log and store. */
  id: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  baseDir?: string;
}

export const SECRET_SCHEMES = ['env', 'file', 'cmd'] as const;
/** A command that hangs (a locked password manager waiting for a PIN) must not hang doccat. */
const COMMAND_TIMEOUT_MS = 30_000;
/** Password managers are slow and may prompt: one run of each command per process. */
const commandCache = new Map<string, string | undefined>();

export function resolveSecret(reference: string, options: ResolveOptions = {}): ResolvedSecret | undefined {
  const env = options.env ?? process.env;
  const separator = reference.indexOf(':');
  const scheme = reference.slice(0, separator);
  const target = reference.slice(separator + 1);
  let value: string | undefined;
  if (scheme === 'env') value = env[target];
  else if (scheme === 'file') value = readSecretFile(path.resolve(options.baseDir ?? process.cwd(), target));
  else if (scheme === 'cmd') value = runSecretCommand(target, options);
  else {
    throw new DoccatError('E_SECRET_REFERENCE', `"${scheme}:" is not a secret reference doccat knows`, { hint: 'use env:NAME, file:PATH or cmd:COMMAND', exitCode: ExitCode.usage });
  }
  // Secret files and command output usually end in a newline that is not part of the key.
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  registerSecret(trimmed);
  return { value: trimmed, id: `${reference}#${fingerprint(trimmed)}` };
}

function readSecretFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DoccatError('E_SECRET_UNREADABLE', `cannot read the secret file ${file} (${code ?? 'error'})`, {
      hint: 'check the path and that this user may read it',
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
}

function runSecretCommand(command: string, options: ResolveOptions): string | undefined {
  if (commandCache.has(command)) return commandCache.get(command);
  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd: options.baseDir ?? process.cwd(),
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    // stdin closed: a command that would prompt fails instead of waiting for an answer.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? ((result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s` : result.error.message) : `exited with ${result.status ?? result.signal}`;
    // stderr, not stdout: what the command printed on stdout may be (part of) the secret.
    const detail = (result.stderr ?? '').trim().split('\n')[0]?.slice(0, 200);
    throw new DoccatError('E_SECRET_COMMAND', `the secret command "${command}" ${why}${detail ? `: ${detail}` : ''}`, {
      hint: 'run the command yourself; it must print the secret on stdout without asking for input',
      exitCode: ExitCode.usage,
    });
  }
  const value = result.stdout;
  commandCache.set(command, value);
  return value;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 6);
}

/** A secret reference's value, or undefined when it is not set; errors as resolveSecret's. */
export type SecretLookup = (reference: string) => ResolvedSecret | undefined;

/**
 * The one way stages get secrets: config/ turns the references a command's configuration names
 * into values (relative to the config file's folder, masked in logs), each reference once per
 * command. Asked when a stage opens what needs the secret, so that a command never runs the
 * password manager for a provider or backend it does not use.
 */
export function secretLookup(options: ResolveOptions = {}): SecretLookup {
  const resolved = new Map<string, ResolvedSecret | undefined>();
  return (reference) => {
    if (!resolved.has(reference)) resolved.set(reference, resolveSecret(reference, options));
    return resolved.get(reference);
  };
}

/** The value a setting needs from its reference; E_SECRET_MISSING naming the setting when it is empty or not set. */
export function requiredSecret(secret: SecretLookup, reference: string, setting: string, hint: string): string {
  const resolved = secret(reference);
  if (!resolved) throw new DoccatError('E_SECRET_MISSING', `${setting} names ${reference}, which is empty or not set`, { hint, exitCode: ExitCode.usage });
  return resolved.value;
}

/** A postgres:// URL as given, or the one an env:/file:/cmd: reference holds. */
export function databaseUrl(setting: string, secret: SecretLookup, option = 'database.url'): string {
  if (/^postgres(ql)?:\/\//.test(setting)) return setting;
  const hint = option === 'database.url' ? 'set it to a postgres://... URL, or remove database.url to use the SQLite catalogue' : 'set it to a postgres://... URL';
  return requiredSecret(secret, setting, option, hint);
}
