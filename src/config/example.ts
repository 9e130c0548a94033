import { configSchema, type DoccatConfig } from './schema.js';
import { providerType } from '../classify/provider-types.js';

/**
 * The content of doccat.config.example.json: every default from the schema, plus an example
 * value for each option that has no default. A test keeps the committed file equal to this.
 */
export function exampleConfig(): DoccatConfig {
  const defaults = configSchema.parse({});
  return configSchema.parse({
    ...defaults,
    catalog: '~/Documents/.doccat',
    environments: {
      production: { storage: { backend: 'archive' }, log: { level: 'info', file: '/var/log/doccat/doccat.log' } },
      ci: { catalog: './.doccat', database: { url: null }, features: { ai: false } },
    },
    storage: {
      ...defaults.storage,
      backend: 'local',
      fallback: 'spare',
      local: { path: 'blobs' },
      backends: {
        spare: { type: 'local', path: '/mnt/backup/doccat-blobs' },
        archive: {
          type: 's3',
          bucket: 'my-documents',
          region: 'eu-central-1',
          endpoint: 'https://s3.eu-central-1.amazonaws.com',
          prefix: 'doccat/',
          forcePathStyle: false,
          accessKeyId: 'env:AWS_ACCESS_KEY_ID',
          secretAccessKey: 'file:/run/secrets/aws_secret_access_key',
          serverSideEncryption: 'AES256',
          storageClass: 'STANDARD_IA',
          partSizeMb: 8,
          uploadConcurrency: 4,
          maxAttempts: 5,
          presignExpirySeconds: 3600,
        },
      },
    },
    ingest: { ...defaults.ingest, jobs: 2, exclude: ['*.tmp', 'drafts/**'] },
    ocr: { ...defaults.ocr, languages: ['eng'], tesseractPath: '/usr/bin/tesseract', langPath: '/usr/share/tesseract-ocr/5/tessdata' },
    pdf: { passwords: ['statements-2024'] },
    classify: {
      ...defaults.classify,
      types: [
        { name: 'invoice', keywords: ['proforma'], titles: [], patterns: [], mimeTypes: [], weight: 1, tags: [] },
        { name: 'school', keywords: ['report card', 'term dates', 'parents evening', '*schule'], titles: ['school report', 'zeugnis'], patterns: [String.raw`\bgrade\s+[1-9]\b`], mimeTypes: [], weight: 1, tags: ['kids'] },
      ],
      tags: [
        { tag: 'tax', keywords: ['tax', 'vat', 'steuer'], patterns: [] },
        { tag: 'car', keywords: ['vehicle', 'mot', 'registration number'], patterns: [String.raw`\b[A-Z]{2}\d{2} ?[A-Z]{3}\b`] },
      ],
      pathRules: [
        { glob: 'Tax/**', type: 'tax', tags: ['tax'] },
        { glob: '**/receipts/*.pdf', type: 'receipt', tags: [] },
        { glob: 'Payslips/**', type: 'payslip', tags: ['work'], correspondent: 'Acme Logistics Ltd' },
      ],
      folderTags: true,
    },
    ai: {
      ...defaults.ai,
      strategy: 'fallback',
      providers: [
        {
          name: 'claude',
          type: 'anthropic',
          model: providerType('anthropic').defaultModel,
          apiKey: ['env:ANTHROPIC_API_KEY', 'env:ANTHROPIC_API_KEY_SPARE'],
          timeoutMs: 60_000,
          maxConcurrency: 4,
          maxAttempts: 4,
          rpm: 50,
          tpm: 50_000,
          dailyTokenBudget: 2_000_000,
          priority: 1,
          weight: 1,
          price: providerType('anthropic').defaultPrice,
          breaker: { failures: 5, cooldownMs: 30_000 },
        },
        { name: 'gpt', type: 'openai', model: providerType('openai').defaultModel, apiKey: 'file:/run/secrets/openai_api_key', timeoutMs: 60_000, maxConcurrency: 4, maxAttempts: 4, rpm: 500, priority: 2, weight: 1, price: providerType('openai').defaultPrice, breaker: { failures: 5, cooldownMs: 30_000 } },
        { name: 'gemini', type: 'gemini', model: providerType('gemini').defaultModel, apiKey: 'cmd:pass show doccat/gemini', timeoutMs: 60_000, maxConcurrency: 4, maxAttempts: 4, priority: 3, weight: 1, price: providerType('gemini').defaultPrice, breaker: { failures: 5, cooldownMs: 30_000 } },
        { name: 'local-llm', type: 'openai', model: 'llama3.1:8b', baseURL: 'http://127.0.0.1:11434/v1', timeoutMs: 120_000, maxConcurrency: 1, maxAttempts: 2, priority: 4, weight: 1, price: { inputPerMTok: 0, outputPerMTok: 0 }, breaker: { failures: 3, cooldownMs: 60_000 } },
      ],
    },
    features: { ocr: true, ai: true, redaction: true },
    redaction: { patterns: [String.raw`\bK-\d{6}\b`] },
    database: { ...defaults.database, url: 'env:DATABASE_URL', poolSize: 10, statementTimeoutMs: 60_000, caFile: '/etc/ssl/certs/db-ca.pem', sqlite: { ...defaults.database.sqlite, path: 'catalog.db' } },
    queue: { maxAttempts: 3, retryDelaySeconds: 30, expireInSeconds: 900, maintenanceIntervalSeconds: 60 },
    stats: { keepDays: 365 },
    log: { level: 'warn', file: '/var/log/doccat.log' },
    hooks: {
      ...defaults.hooks,
      onDocument: ['./on-document.sh', 'https://automation.example.com/webhook/doccat'],
      onRun: [{ url: 'env:CHAT_WEBHOOK_URL', secret: 'env:CHAT_WEBHOOK_SECRET', timeoutMs: 5000 }],
      onAlert: [{ command: 'notify-send "doccat $DOCCAT_EVENT"', timeoutMs: 5000 }, 'https://monitoring.example.com/hooks/doccat'],
      secret: 'env:DOCCAT_HOOK_SECRET',
    },
    alerts: {
      rules: [
        { name: 'failure-rate', metric: 'failureRate', above: 0.2, window: '1h', minSamples: 10 },
        { name: 'claude-errors', metric: 'providerErrorRate', provider: 'claude', above: 0.5, window: '15min', minSamples: 5 },
        { name: 'slow-ocr', metric: 'stageP95', stage: 'ocr', above: 60_000, window: '24h', minSamples: 20 },
        { name: 'queue-stuck', metric: 'oldestJobAge', above: 3600, window: '1h', minSamples: 1 },
        { name: 'budget', metric: 'tokenBudgetUsed', above: 0.9, window: '1h', minSamples: 1 },
      ],
      intervalSeconds: 60,
    },
    tracing: { endpoint: 'http://127.0.0.1:4318', headers: { authorization: 'env:OTLP_AUTHORIZATION' }, serviceName: 'doccat' },
  });
}
