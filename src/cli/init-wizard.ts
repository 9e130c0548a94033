import * as prompts from '@clack/prompts';
import { defaultCatalogDir } from '../config/load.js';
import { checkEnvName, providerChoices, type InitAnswers } from './init-answers.js';
import { checkField, storageChoices } from './init-storage.js';
import { unguardedStderr } from './output.js';

/** The questions of `doccat init`, starting from what flags already said. Undefined if cancelled. */
export async function askAnswers(start: InitAnswers, file: string): Promise<InitAnswers | undefined> {
  // The wizard talks on stderr: stdout stays for the health report that follows. It draws with
  // escape sequences of its own, so it writes past the guard (cli/output.ts) that escapes them.
  const output = unguardedStderr();
  const common = { output };
  prompts.intro('doccat init', common);
  const cancelled = (value: unknown): value is symbol => {
    if (!prompts.isCancel(value)) return false;
    prompts.cancel('nothing written', common);
    return true;
  };

  const catalog = await prompts.text({ ...common, message: 'Where should the catalogue (database and originals) live?', initialValue: start.catalog ?? defaultCatalogDir(process.env), validate: (value) => (value && value.trim().length > 0 ? undefined : 'a folder') });
  if (cancelled(catalog)) return undefined;

  const db = await prompts.select({
    ...common,
    message: 'Which database?',
    initialValue: start.db,
    options: [
      { value: 'sqlite' as const, label: 'SQLite', hint: 'one file in the catalogue folder; nothing to run' },
      { value: 'postgres' as const, label: 'Postgres', hint: 'shared by several machines and workers' },
    ],
  });
  if (cancelled(db)) return undefined;
  let dbUrl = start.dbUrl;
  if (db === 'postgres') {
    const answer = await prompts.text({
      ...common,
      message: 'Where is the Postgres URL? (a reference, never the URL with its password)',
      initialValue: start.dbUrl,
      validate: (value) => (value && /^(env|file|cmd):.+/.test(value) ? undefined : 'env:NAME, file:PATH or cmd:COMMAND'),
    });
    if (cancelled(answer)) return undefined;
    dbUrl = answer;
  }

  const places = storageChoices();
  const storage = await prompts.select({
    ...common,
    message: 'Where should the original files be kept?',
    initialValue: start.storage,
    options: places.map((place) => ({ value: place.value, label: place.label, hint: place.hint })),
  });
  if (cancelled(storage)) return undefined;
  const answers = { ...(start.backends[storage] ?? {}) };
  for (const field of places.find((place) => place.value === storage)?.fields ?? []) {
    const value = await prompts.text({ ...common, message: field.prompt, initialValue: answers[field.name] ?? field.default ?? '', validate: (typed) => checkField(field, typed ?? '') });
    if (cancelled(value)) return undefined;
    answers[field.name] = value;
  }
  const backends = { ...start.backends, [storage]: answers };

  const languages = await prompts.text({ ...common, message: 'OCR languages (tesseract codes, e.g. eng,deu)', initialValue: start.languages.join(','), validate: (value) => (value && /^[a-z_]+([,+ ]+[a-z_]+)*$/.test(value.trim()) ? undefined : 'codes such as eng, deu, fra') });
  if (cancelled(languages)) return undefined;

  const choices = providerChoices();
  const picked = await prompts.multiselect({
    ...common,
    message: 'AI providers to classify with (none: the local rules only; space to pick, enter to go on)',
    options: choices.map((choice) => ({ value: choice.value, label: choice.label })),
    initialValues: start.providers.map((provider) => provider.type),
    required: false,
  });
  if (cancelled(picked)) return undefined;
  const providers: InitAnswers['providers'] = [];
  for (const type of picked) {
    const choice = choices.find((item) => item.value === type);
    const keyEnv = await prompts.text({ ...common, message: `Environment variable holding the ${choice?.label ?? type} API key`, initialValue: start.providers.find((provider) => provider.type === type)?.keyEnv ?? choice?.keyEnv ?? '', validate: checkEnvName });
    if (cancelled(keyEnv)) return undefined;
    providers.push({ type, keyEnv });
  }

  const write = await prompts.confirm({ ...common, message: `Write ${file} and run the health checks?`, initialValue: true });
  if (cancelled(write) || !write) {
    if (!cancelled(write)) prompts.cancel('nothing written', common);
    return undefined;
  }
  prompts.outro('writing the configuration', common);
  return { catalog: catalog.trim(), db, dbUrl, storage, backends, languages: languages.split(/[,+ ]+/).filter((language) => language.length > 0), providers };
}
