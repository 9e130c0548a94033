import type { z } from 'zod';
import { isRecord, mergeOverlay } from './overlay.js';
import { configSchema, type DoccatConfig } from './schema.js';
import { DoccatError, ExitCode } from '../errors.js';

/**
 * Checking a configuration against the schema, and what needs the schema to be built: loaded by
 * load.ts only when parsed-cache.ts has no answer, since building the schema is most of what a
 * short command spends before its own work.
 */

/**
 * A run parses its configuration once: zod's compiled fast path (generated with `new Function` on
 * an object schema's first parse) costs several times what it saves then, about 7 ms of every
 * command's start.
 */
const PARSE_ONCE = { jitless: true } as const;

/**
 * Precedence, lowest first: schema defaults, the file, the file's environments.<name> overlay,
 * DOCCAT_* variables, command-line flags (applied by the commands). `merged` is the file with the
 * chosen overlay; `raw` the file as written, whose other overlays are checked too.
 */
export function validateConfig(raw: unknown, merged: unknown, environment: string | undefined, filepath: string | undefined, env: NodeJS.ProcessEnv): DoccatConfig {
  const parsed = configSchema.safeParse(applyEnvOverrides(merged, env), PARSE_ONCE);
  const where = filepath ? ` in ${filepath}` : '';
  const hint = 'fix the values above; doccat.config.example.json shows every option';
  if (!parsed.success) {
    const chosen = environment ? ` (environment ${environment})` : '';
    throw new DoccatError('E_CONFIG_INVALID', `invalid configuration${where}${chosen}:\n${formatIssues(parsed.error.issues)}`, { hint, exitCode: ExitCode.usage });
  }
  // An overlay that is not in use today is still checked: a typo in production's settings should
  // show up when the file is edited, not at the next deploy.
  const overlayIssues = otherOverlayIssues(raw, environment);
  if (overlayIssues.length > 0) throw new DoccatError('E_CONFIG_INVALID', `invalid configuration${where}:\n${overlayIssues.join('\n')}`, { hint, exitCode: ExitCode.usage });
  return parsed.data;
}

function otherOverlayIssues(raw: unknown, chosen: string | undefined): string[] {
  if (!isRecord(raw) || !isRecord(raw.environments)) return [];
  const issues: string[] = [];
  for (const [name, overlay] of Object.entries(raw.environments)) {
    if (name === chosen || !isRecord(overlay)) continue;
    const result = configSchema.safeParse(mergeOverlay(raw, overlay), PARSE_ONCE);
    if (!result.success) issues.push(...result.error.issues.map((issue) => `  environments.${name}.${issue.path.join('.')}: ${issue.message}`));
  }
  return issues;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/**
 * DOCCAT_<PATH> variables override single leaves of the schema, e.g. DOCCAT_OCR_LANGUAGES=eng,deu
 * or DOCCAT_INGEST_JOBS=4. Names come from the schema so every option has one.
 */
export function envOverrideNames(): Map<string, { path: string[]; kind: LeafKind }> {
  const names = new Map<string, { path: string[]; kind: LeafKind }>();
  walkLeaves(configSchema, [], (leafPath, kind) => {
    const name = 'DOCCAT_' + leafPath.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
    names.set(name, { path: leafPath, kind });
  });
  return names;
}

type LeafKind = 'string' | 'number' | 'boolean' | 'string[]' | 'other';

interface SchemaDef {
  type: string;
  innerType?: { _zod: { def: SchemaDef } };
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
}

function walkLeaves(schema: { _zod: { def: unknown } }, at: string[], visit: (leafPath: string[], kind: LeafKind) => void): void {
  let def = schema._zod.def as SchemaDef;
  while ((def.type === 'default' || def.type === 'optional') && def.innerType) def = def.innerType._zod.def;
  if (def.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) walkLeaves(child, [...at, key], visit);
    return;
  }
  if (def.type === 'array') {
    let element = def.element?._zod.def;
    while (element && (element.type === 'default' || element.type === 'optional') && element.innerType) element = element.innerType._zod.def;
    visit(at, element?.type === 'string' ? 'string[]' : 'other');
    return;
  }
  const kind: LeafKind = def.type === 'string' || def.type === 'enum' ? 'string' : def.type === 'number' ? 'number' : def.type === 'boolean' ? 'boolean' : 'other';
  visit(at, kind);
}

function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const result: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  for (const [name, { path: leafPath, kind }] of envOverrideNames()) {
    const value = env[name];
    if (value === undefined || value === '' || kind === 'other') continue;
    let target: Record<string, unknown> = result;
    for (const key of leafPath.slice(0, -1)) {
      const next = target[key];
      if (!isRecord(next)) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const leaf = leafPath[leafPath.length - 1] as string;
    target[leaf] = parseEnvValue(value, kind);
  }
  return result;
}

function parseEnvValue(value: string, kind: LeafKind): unknown {
  switch (kind) {
    case 'number': {
      const number = Number(value);
      // Leave invalid numbers as strings so validation reports them with the variable's path.
      return Number.isFinite(number) ? number : value;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      return value;
    case 'string[]':
      return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
    default:
      return value;
  }
}
