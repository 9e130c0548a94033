import path from 'node:path';
import { providerType, providerTypes } from '../classify/provider-types.js';
import { defaultCatalogDir } from '../config/load.js';
import type { ProviderConfig } from '../config/schema.js';
import { storageConfig, type StorageAnswers } from './init-storage.js';

/** `doccat init`'s answers, whether asked (init-wizard.ts) or given as flags, and the config they make. */

export interface InitAnswers {
  catalog: string | undefined;
  db: 'sqlite' | 'postgres';
  dbUrl: string;
  /** A backend type the registry offers to init (init-storage.ts). */
  storage: string;
  /** Every offered type's answers, so that the wizard starts from what flags said for the one picked. */
  backends: StorageAnswers;
  languages: string[];
  providers: { type: ProviderConfig['type']; keyEnv: string }[];
}

export function buildConfig(answers: InitAnswers): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (answers.catalog && path.resolve(answers.catalog) !== defaultCatalogDir(process.env)) config.catalog = answers.catalog;
  if (answers.db === 'postgres') config.database = { url: answers.dbUrl };
  const storage = storageConfig(answers.storage, answers.backends);
  if (storage) config.storage = storage;
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
