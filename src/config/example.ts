import { configSchema, type DoccatConfig } from './schema.js';

/**
 * The content of doccat.config.example.json: every default from the schema, plus an example
 * value for each option that has no default. A test keeps the committed file equal to this.
 */
export function exampleConfig(): DoccatConfig {
  const defaults = configSchema.parse({});
  return configSchema.parse({
    ...defaults,
    catalog: '~/Documents/.doccat',
    database: { sqlite: { ...defaults.database.sqlite, path: 'catalog.db' } },
    storage: { ...defaults.storage, local: { path: 'blobs' } },
    ingest: { ...defaults.ingest, jobs: 2, exclude: ['*.tmp', 'drafts/**'] },
    ocr: { ...defaults.ocr, languages: ['eng'], langPath: '/usr/share/tesseract-ocr/5/tessdata' },
    pdf: { passwords: ['statements-2024'] },
    classify: {
      ...defaults.classify,
      types: [
        { name: 'invoice', keywords: ['proforma'], patterns: [], mimeTypes: [], weight: 1, tags: [] },
        { name: 'school', keywords: ['report card', 'term dates', 'parents evening'], patterns: [String.raw`\bgrade\s+[1-9]\b`], mimeTypes: [], weight: 1, tags: ['kids'] },
      ],
      tags: [
        { tag: 'tax', keywords: ['tax', 'vat', 'steuer'], patterns: [] },
        { tag: 'car', keywords: ['vehicle', 'mot', 'registration number'], patterns: [String.raw`\b[A-Z]{2}\d{2} ?[A-Z]{3}\b`] },
      ],
    },
    log: { level: 'warn', file: '/var/log/doccat.log' },
  });
}
