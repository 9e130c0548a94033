import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from './context.js';
import { openCatalog, type OpenCatalog } from './catalog.js';
import { blobStores } from './stores.js';
import { OCR_PROBE_PNG, OCR_PROBE_TEXT, runCheck, type CheckResult, type HealthCheck } from '../observability/health.js';
import { backendNames } from '../storage/registry.js';
import { makeFolder } from '../system/folders.js';

export interface HealthOptions {
  /** Ask each provider a test request, not only check that its credentials are there. */
  deep?: boolean;
}

export interface HealthReport {
  healthy: boolean;
  checks: HealthCheck[];
}

/** Free space under which the catalogue's disk is a failure, and under which it is a warning. */
const DISK_FAIL_BYTES = 200 * 1024 * 1024;
const DISK_WARN_BYTES = 2 * 1024 * 1024 * 1024;
const OCR_TIMEOUT_MS = 60_000;

async function tokensUsedToday(catalog: OpenCatalog, provider: string): Promise<number> {
  const { AiRecordRepository } = await import('../db/ai-records.js');
  return new AiRecordRepository(catalog.database.db).tokensUsedToday(provider);
}

/** Everything doccat needs, checked for real (health and init); healthy unless a check failed. */
export async function runHealthChecks(context: AppContext, options: HealthOptions): Promise<HealthReport> {
  const { config, catalogDir } = context.config;
  const checks: HealthCheck[] = [];
  let catalog: OpenCatalog | undefined;

  checks.push(
    await runCheck('database', async () => {
      if (!config.database.url && !fs.existsSync(context.config.databasePath)) {
        return { status: 'warn', detail: `no catalogue yet at ${context.config.databasePath}`, hint: 'the first `doccat ingest` creates it' };
      }
      catalog = await openCatalog(context, { readonly: true, migrate: false });
      const { schemaStatus } = await import('../db/database.js');
      const schema = await schemaStatus(catalog.database.db);
      const where = `${catalog.database.dialect} ${catalog.database.location}`;
      // Writers apply pending migrations themselves; only a catalogue that cannot be opened fails.
      if (schema.pending.length > 0) return { status: 'warn', detail: `${where}: ${schema.pending.length} migration(s) pending`, hint: 'the next writing command applies them, or run `doccat db migrate`' };
      return { detail: `${where}, schema ${schema.current ?? '(empty)'}` };
    }),
  );

  const stores = await blobStores(context);
  for (const name of backendNames(stores.setup)) {
    const role = name === config.storage.backend ? 'primary' : name === config.storage.fallback ? 'fallback' : 'other';
    checks.push(
      await runCheck(`storage ${name}`, async () => {
        const { latencyMs } = await (await stores.open(name)).check();
        return { detail: `${role}: write, read back and delete in ${Math.round(latencyMs)} ms` };
      }),
    );
  }

  checks.push(
    await runCheck('ocr', async () => {
      if (!config.features.ocr) return { status: 'warn', detail: 'OCR is switched off (features.ocr: false): scans will fail', hint: 'set features.ocr to true' };
      const { chooseOcrEngine } = await import('../extract/ocr/select.js');
      const choice = await chooseOcrEngine({ engine: config.ocr.engine, tesseractPath: config.ocr.tesseractPath, languages: config.ocr.languages, langPath: config.ocr.langPath, size: 1, pageTimeoutMs: OCR_TIMEOUT_MS, recycleAfterPages: 1 });
      const engine = choice.create();
      try {
        const result = await engine.recognize(OCR_PROBE_PNG, { dpi: 300 });
        const read = result.text.replace(/\s+/g, ' ').trim();
        const { info } = choice;
        const what = `${info.engine} ${info.version}, ${info.languages.join('+')} from ${info.dataPath}`;
        if (!read.includes(OCR_PROBE_TEXT)) return { status: 'fail', detail: `${what}: read "${read}" instead of "${OCR_PROBE_TEXT}"`, hint: 'check the language data in ocr.langPath' };
        const orientation = info.orientation ? 'orientation by OSD' : 'orientation by probe (no osd.traineddata)';
        const notNative = choice.fallbackReason ? `; not the installed tesseract: ${choice.fallbackReason}` : '';
        // The embedded engine works, but the installed one reads pages faster: say how to get it.
        const hint = choice.fallbackReason ? 'apt-get install tesseract-ocr tesseract-ocr-osd (and tesseract-ocr-<lang> for each language) for faster OCR' : info.orientation ? undefined : 'apt-get install tesseract-ocr-osd for a cheaper orientation check';
        return { ...(hint ? { hint } : {}), detail: `${what}, ${orientation}${notNative}: read "${read}"` };
      } finally {
        await engine.close();
      }
    }),
  );

  if (config.ai.providers.length > 0) {
    // Without a catalogue yet, an in-memory one stands in (nothing is written).
    catalog ??= await openCatalog(context, { readonly: true, scratch: true });
    const { createClassifier } = await import('./classifier.js');
    const { service } = await createClassifier(context, catalog);
    const { modelWarnings } = await import('./model-warnings.js');
    const deprecated = await modelWarnings(config.ai.providers);
    for (const state of (await service?.providerStates()) ?? []) {
      checks.push(
        await runCheck(`provider ${state.name}`, async () => {
          const provider = config.ai.providers.find((item) => item.name === state.name);
          const budget = provider?.dailyTokenBudget;
          if (state.unavailable && state.keyId === 'missing') return { status: 'fail', detail: state.unavailable, hint: 'set the variable or file the apiKey reference names' };
          if (state.unavailable) return { status: 'warn', detail: state.unavailable };
          const used = budget ? await tokensUsedToday(catalog as OpenCatalog, state.name) : 0;
          const base = `${state.type} ${state.model}, key ${state.keyId}${budget ? `, ${used} of ${budget} tokens used today` : ''}`;
          if (budget && used >= budget) return { status: 'warn', detail: `${base}: the daily budget is spent; the provider is skipped until 00:00 UTC`, hint: 'raise dailyTokenBudget or wait' };
          const warning = deprecated.find((item) => item.setting === `ai.providers.${state.name}.model`);
          const sdkSays = warning ? `; ${warning.message}` : '';
          if (!options.deep) return { ...(warning ? { status: 'warn' as const, hint: warning.hint } : {}), detail: `${base}${sdkSays}; credentials present (--deep asks it)` };
          const { type, model } = await (service as NonNullable<typeof service>).probe(state.name);
          const providerSays = model ? `; the provider says: ${model.detail}` : '';
          const outdated = warning !== undefined || model?.state === 'deprecated' || model?.state === 'retired';
          const hint = warning?.hint ?? 'choose a current model before the provider retires this one';
          return { ...(outdated ? { status: 'warn' as const, hint } : {}), detail: `${base}${sdkSays}; answered a test request (type ${type})${providerSays}` };
        }),
      );
    }
  }

  checks.push(
    await runCheck('disk', async () => {
      makeFolder(catalogDir);
      const stats = await fs.promises.statfs(catalogDir);
      const free = stats.bavail * stats.bsize;
      const detail = `${(free / 1024 / 1024 / 1024).toFixed(1)} GB free under ${catalogDir}`;
      if (free < DISK_FAIL_BYTES) return { status: 'fail', detail, hint: 'free space: ingest needs room for blobs and the database' };
      if (free < DISK_WARN_BYTES) return { status: 'warn', detail };
      return { detail };
    }),
  );
  checks.push(await runCheck('permissions', async () => permissionsCheck(context)));
  await (catalog as OpenCatalog | undefined)?.close();

  return { healthy: checks.every((check) => check.status !== 'fail'), checks };
}

/**
 * doccat creates the catalogue folder 0700 and the SQLite files 0600, but never changes an
 * existing catalogue's permissions, which may be shared on purpose: other users able to read or
 * write it is a warning, not a failure (exit 5 is for what stops doccat from working).
 */
function permissionsCheck(context: AppContext): CheckResult {
  const { catalogDir, databasePath, config } = context.config;
  const sqlite = !config.database.url;
  const folders = [...new Set([catalogDir, ...(sqlite ? [path.dirname(databasePath)] : [])])];
  const files = sqlite ? [databasePath, `${databasePath}-wal`, `${databasePath}-shm`] : [];
  const exposed = (paths: string[]) =>
    paths.flatMap((item) => {
      const mode = fs.statSync(item, { throwIfNoEntry: false })?.mode;
      return mode !== undefined && (mode & 0o077) !== 0 ? [{ item, mode: mode & 0o777 }] : [];
    });
  const openFolders = exposed(folders);
  const openFiles = exposed(files);
  const checked = sqlite ? 'the catalogue folder and database' : 'the catalogue folder';
  if (openFolders.length + openFiles.length === 0) return { detail: `${checked}: only their owner may read or write them` };
  const quote = (item: string) => `'${item.replace(/'/g, `'\\''`)}'`;
  const commands = [
    ...(openFolders.length > 0 ? [`chmod 700 ${openFolders.map(({ item }) => quote(item)).join(' ')}`] : []),
    // -wal and -shm come and go with connections; the glob takes those present.
    ...(openFiles.length > 0 ? [`chmod 600 ${quote(databasePath)}*`] : []),
  ];
  return {
    status: 'warn',
    detail: `other users may read or write ${[...openFolders, ...openFiles].map(({ item, mode }) => `${item} (${mode.toString(8).padStart(4, '0')})`).join(', ')}`,
    hint: `${commands.join(' && ')}, unless the catalogue is shared on purpose`,
  };
}
