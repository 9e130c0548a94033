import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DoccatError, ExitCode } from '../errors.js';

/**
 * Secrets are named by reference in configuration (env:NAME, file:PATH), never written in it;
 * what is logged about a secret is its reference and a short fingerprint, never the value.
 */

export interface ResolvedSecret {
  value: string;
  /** The reference and a fingerprint, e.g. "env:OPENAI_API_KEY#3fa2c1": safe to log and store. */
  id: string;
}

export function resolveSecret(reference: string, options: { env?: NodeJS.ProcessEnv; baseDir?: string } = {}): ResolvedSecret | undefined {
  const env = options.env ?? process.env;
  const separator = reference.indexOf(':');
  const scheme = reference.slice(0, separator);
  const target = reference.slice(separator + 1);
  let value: string | undefined;
  if (scheme === 'env') value = env[target];
  else if (scheme === 'file') {
    const file = path.resolve(options.baseDir ?? process.cwd(), target);
    try {
      value = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new DoccatError('E_SECRET_UNREADABLE', `cannot read the secret file ${file} (${code ?? 'error'})`, {
        hint: 'check the path and that this user may read it',
        exitCode: ExitCode.usage,
        cause: error,
      });
    }
  } else {
    throw new DoccatError('E_SECRET_REFERENCE', `"${scheme}:" is not a secret reference doccat knows`, { hint: 'use env:NAME or file:PATH', exitCode: ExitCode.usage });
  }
  // Secret files usually end in a newline that is not part of the key.
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  return { value: trimmed, id: `${reference}#${fingerprint(trimmed)}` };
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 6);
}
