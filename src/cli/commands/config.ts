import type { Command } from 'commander';
import { createContext } from '../context.js';
import { openCatalog } from '../../app/catalog.js';
import { formatDocumentId, parseDocumentId } from '../../app/ids.js';
import { paint, renderTable, truncateMiddle, writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { envOverrideNames } from '../../config/validate.js';
import { apiKeyReferences } from '../../config/schema.js';
import { modelWarnings } from '../../app/model-warnings.js';
import { maskSetting, maskUrlCredentials } from '../../config/mask.js';
import { backendType } from '../../storage/backend-types.js';

interface Setting {
  path: string;
  value: unknown;
  source: string;
}

/** The effective configuration, each value with where it came from; secrets never shown. */
export async function configShowCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const { config, fileConfig, filepath } = context.config;
  const overrides = envOverrideNames();
  const settings: Setting[] = [];
  const { overlayConfig, environment } = context.config;
  const walk = (value: unknown, fromFile: unknown, fromOverlay: unknown, at: string[]) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, isRecord(fromFile) ? fromFile[key] : undefined, isRecord(fromOverlay) ? fromOverlay[key] : undefined, [...at, key]);
      return;
    }
    const env = [...overrides.entries()].find(([name, leaf]) => leaf.path.join('.') === at.join('.') && process.env[name] !== undefined && process.env[name] !== '')?.[0];
    const source = env ? `env ${env}` : fromOverlay !== undefined ? `file ${filepath ?? ''} (environments.${environment ?? ''})` : fromFile !== undefined ? `file ${filepath ?? ''}` : 'default';
    settings.push({ path: at.join('.'), value: maskSetting(at.join('.'), value), source });
  };
  const { environments: _overlays, ...effective } = config;
  walk(effective, fileConfig, overlayConfig, []);
  if (context.output.json) writeJson({ file: filepath ?? null, environment: environment ?? null, catalog: context.config.catalogDir, settings });
  else process.stdout.write(`${await renderTable(['setting', 'value', 'from'], settings.map((setting) => [setting.path, truncateMiddle(JSON.stringify(setting.value) ?? '', 60), setting.source]), context.output.color)}\n`);
  return ExitCode.ok;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the configuration (loading does) and resolves every secret reference it names. */
export async function configCheckCommand(command: Command): Promise<number> {
  const context = await createContext(command);
  const { config, filepath } = context.config;
  const references: { setting: string; reference: string; optional: boolean }[] = [];
  if (config.database.url && /^(env|file|cmd):/.test(config.database.url)) references.push({ setting: 'database.url', reference: config.database.url, optional: false });
  for (const provider of config.ai.providers) {
    const { references: keys, keyless } = apiKeyReferences(provider);
    const setting = `ai.providers.${provider.name}.apiKey`;
    keys.forEach((reference, index) => references.push({ setting: Array.isArray(provider.apiKey) ? `${setting}[${index}]` : setting, reference, optional: keyless }));
  }
  for (const [name, backend] of Object.entries(config.storage.backends)) {
    for (const { option, optional } of backendType(backend.type).secretOptions) {
      // The registry names the options its schema declares as secret references: strings.
      const reference = (backend as Record<string, unknown>)[option] as string | undefined;
      if (reference) references.push({ setting: `storage.backends.${name}.${option}`, reference, optional });
    }
  }
  const results = references.map((reference) => {
    // A cmd: reference's command line may quote a URL with its password.
    const item = { ...reference, reference: maskUrlCredentials(reference.reference) };
    try {
      const secret = context.secret(reference.reference);
      return { ...item, present: secret !== undefined, keyId: secret?.id ?? null, error: null as string | null };
    } catch (error) {
      return { ...item, present: false, keyId: null, error: (error as Error).message };
    }
  });
  const missing = results.filter((item) => !item.present && !item.optional);
  // A deprecated model still answers, until the day it does not: a warning, not a failure.
  const warnings = await modelWarnings(config.ai.providers);
  if (context.output.json) writeJson({ file: filepath ?? null, valid: true, references: results, missing: missing.map((item) => item.setting), warnings });
  else {
    if (!context.output.quiet) process.stderr.write(`configuration ${filepath ?? '(defaults and environment only)'} is valid\n`);
    for (const warning of warnings) process.stderr.write(`warning: ${warning.setting}: ${warning.message} (${warning.hint})\n`);
    if (results.length > 0) {
      const color = context.output.color;
      const rows = results.map((item) => [item.setting, item.reference, item.present ? paint(color, 'green', `set (${item.keyId})`) : item.optional ? paint(color, 'dim', 'not set (optional)') : paint(color, 'red', item.error ?? 'missing')]);
      process.stdout.write(`${await renderTable(['setting', 'reference', 'state'], rows, color)}\n`);
    }
  }
  return missing.length > 0 ? ExitCode.usage : ExitCode.ok;
}

/** A deleted document keeps its audit trail: the id need not exist any more. */
function auditedId(text: string): number {
  const id = parseDocumentId(text);
  if (id === undefined) throw usageError('E_USAGE', `not a document id: ${text}`, 'ids look like 12 or D12');
  return id;
}

export interface AuditFlags {
  /** Entries without an id (default 50). */
  limit: number;
}

/** Every recorded change to documents: who, what, old -> new, when, by which command. */
export async function auditCommand(id: string | undefined, options: AuditFlags, command: Command): Promise<number> {
  const context = await createContext(command);
  const { limit } = options;
  const catalog = await openCatalog(context, { readonly: true });
  try {
    const rows = id === undefined ? await catalog.repository.recentAudit(limit) : await catalog.repository.getAudit(auditedId(id));
    const entries = rows.map((row) => ({ document: row.document_id, ref: row.document_id === null ? null : formatDocumentId(row.document_id), at: row.at, actor: row.actor, command: row.command, field: row.field, old: row.old_value, new: row.new_value, runId: row.run_id }));
    if (context.output.json) writeJson({ entries });
    else if (entries.length > 0) {
      process.stdout.write(`${await renderTable(['when', 'id', 'who', 'command', 'field', 'old', 'new'], entries.map((entry) => [entry.at.slice(0, 19), entry.ref ?? '', entry.actor, entry.command, entry.field, truncateMiddle(entry.old ?? '∅', 24), truncateMiddle(entry.new ?? '∅', 24)]), context.output.color)}\n`);
    }
    return ExitCode.ok;
  } finally {
    await catalog.close();
  }
}
