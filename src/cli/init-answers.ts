import path from 'node:path';
import { providerType, providerTypes } from '../classify/provider-types.js';
import { defaultCatalogDir } from '../config/load.js';
import type { ProviderConfig } from '../config/schema.js';

/** `doccat init`'s answers, whether asked (init-wizard.ts) or given as flags, and the config they make. */

export interface InitAnswers {
  catalog: string | undefined;
  db: 'sqlite' | 'postgres';
  dbUrl: string;
  storage: 'local' | 's3';
  s3: { bucket: string; region: string; endpoint: string | undefined };
  languages: string[];
  providers: { type: ProviderConfig['type']; keyEnv: string }[];
}

export function buildConfig(answers: InitAnswers): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (answers.catalog && path.resolve(answers.catalog) !== defaultCatalogDir(process.env)) config.catalog = answers.catalog;
  if (answers.db === 'postgres') config.database = { url: answers.dbUrl };
  if (answers.storage === 's3') {
    config.storage = {
      backend: 's3',
      backends: {
        s3: {
          type: 's3',
          bucket: answers.s3.bucket,
          region: answers.s3.region,
          ...(answers.s3.endpoint ? { endpoint: answers.s3.endpoint, forcePathStyle: true } : {}),
        },
      },
    };
  }
  config.ocr = { languages: answers.languages };
  if (answers.providers.length > 0) {
    config.ai = {
      providers: answers.providers.map((provider, index) => ({
        name: providerType(provider.type).initName,
        type: provider.type,
        model: providerType(provider.type).defaultModel,
        apiKey: `env:${provider.keyEnv}`,
        priority: index + 1,
      })),
    };
  }
  return config;
}

export function providerChoices(): { value: ProviderConfig['type']; label: string; keyEnv: string }[] {
  // The registry's types are the schema's (its enum is built from them): the cast only narrows string.
  return providerTypes().map((entry) => ({ value: entry.type as ProviderConfig['type'], label: entry.label, keyEnv: entry.defaultKeyVariable }));
}

export function checkEnvName(value: string | undefined): string | undefined {
  return value && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? undefined : 'letters, digits and underscores, e.g. OPENAI_API_KEY';
}
