import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ProviderConfig } from '../../config/schema.js';

/**
 * Deprecated models as the installed SDKs list them. Only @anthropic-ai/sdk ships such a list
 * (internal/data/deprecated-models, which it also uses to warn on every call); the openai and
 * @google/genai packages carry none, so for them only the provider can tell (`health --deep`).
 * The file is not among the package's exports, so it is read by path; an SDK that moves it
 * simply yields no warnings.
 */

export interface SdkDeprecation {
  /** The end-of-life date as the SDK writes it, e.g. "November 30th, 2026". */
  endOfLife: string;
  /** Which SDK said so, with its version. */
  source: string;
}

const require = createRequire(import.meta.url);
let anthropic: { table: Record<string, string>; version: string } | null | undefined;

function anthropicData(): { table: Record<string, string>; version: string } | null {
  if (anthropic !== undefined) return anthropic;
  try {
    const root = path.dirname(require.resolve('@anthropic-ai/sdk'));
    const { DEPRECATED_MODELS } = require(path.join(root, 'internal', 'data', 'deprecated-models.js')) as { DEPRECATED_MODELS?: Record<string, string> };
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
    anthropic = DEPRECATED_MODELS ? { table: DEPRECATED_MODELS, version: version ?? '' } : null;
  } catch {
    anthropic = null;
  }
  return anthropic;
}

export function sdkDeprecation(type: ProviderConfig['type'], model: string): SdkDeprecation | undefined {
  if (type !== 'anthropic') return undefined;
  const data = anthropicData();
  const endOfLife = data?.table[model];
  return data && endOfLife ? { endOfLife, source: `@anthropic-ai/sdk ${data.version}`.trim() } : undefined;
}
