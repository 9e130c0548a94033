import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { writeJson } from '../output.js';
import { ExitCode, usageError } from '../../errors.js';
import { configSchema } from '../../config/schema.js';
import { listProviderTypes } from '../../classify/provider-types.js';
import { buildConfig, providerChoices, type InitAnswers } from '../init-answers.js';
import { checkStorageAnswers, storageFromFlags } from '../init-storage.js';
import { envOverrideNames, formatIssues } from '../../config/validate.js';
import { maskUrlCredentials } from '../../config/mask.js';
import { registerSecret } from '../../observability/redact.js';
import { makeFolder } from '../../system/folders.js';

/**
 * `doccat init`: asks (or takes from flags) where the catalogue lives, which database and blob
 * storage, the OCR languages and the AI providers with the variables holding their keys; writes
 * a config file that holds references only, never a secret; then runs the health checks on it.
 */

export interface InitFlags {
  yes?: boolean;
  output?: string;
  force?: boolean;
  db?: string;
  dbUrl?: string;
  storage?: string;
  ocrLanguages?: string;
  provider?: string[];
  health?: boolean;
  /** The flags of the backends' questions (--s3-bucket is s3Bucket), which their registry entries declare. */
  [backendField: string]: string | string[] | boolean | undefined;
}

export async function initCommand(options: InitFlags, command: Command): Promise<number> {
  const globals = command.optsWithGlobals<{ catalog?: string; json?: boolean; quiet?: boolean }>();
  const file = path.resolve(options.output ?? 'doccat.config.json');
  const fromFlags = answersFromFlags(options, globals.catalog);
  if (!options.force && fs.existsSync(file)) {
    throw usageError('E_INIT_EXISTS', `${file} already exists`, 'pass --force to replace it, or -o to write another file');
  }

  let answers = fromFlags;
  if (!options.yes) {
    // A script or cron job must never sit waiting for an answer nobody will type.
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw usageError('E_NOT_INTERACTIVE', 'doccat init asks questions, but stdin or stderr is not a terminal', 'run it in a terminal, or pass --yes with flags (doccat init --yes --db sqlite --storage local ...)');
    }
    const { askAnswers } = await import('../init-wizard.js');
    const asked = await askAnswers(fromFlags, file);
    if (!asked) {
      process.stderr.write('init cancelled; nothing written\n');
      return ExitCode.interrupted;
    }
    answers = asked;
  }

  // The loader reads a relative catalogue path against the config file's folder, not the folder
  // the wizard ran in: keep what was typed only when the two are the same.
  if (answers.catalog && !answers.catalog.startsWith('~') && !path.isAbsolute(answers.catalog) && path.dirname(file) !== process.cwd()) {
    answers = { ...answers, catalog: path.resolve(answers.catalog) };
  }
  checkStorageAnswers(answers.storage, answers.backends);
  // A password given on the command line is not written down: the file names the variable that
  // holds the URL, which is also the variable that overrides database.url.
  const exports: Record<string, string> = {};
  const databaseUrl = answers.dbUrl;
  if (answers.db === 'postgres' && !/^(env|file|cmd):/.test(databaseUrl) && maskUrlCredentials(databaseUrl) !== databaseUrl) {
    exports[DATABASE_URL_VARIABLE] = maskUrlCredentials(databaseUrl);
    answers = { ...answers, dbUrl: `env:${DATABASE_URL_VARIABLE}` };
  }
  const config = buildConfig(answers);
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) throw usageError('E_CONFIG_INVALID', `these answers do not make a valid configuration:\n${formatIssues(parsed.error.issues)}`, 'check the values given');
  writePrivateFile(file, `${JSON.stringify(config, null, 2)}\n`);
  if (!globals.quiet) process.stderr.write(`wrote ${file}\n`);
  for (const [name, value] of Object.entries(exports)) {
    // Not a note that --quiet silences: without the variable the file written does not work.
    process.stderr.write(`the database URL holds a password, which is not written to ${path.basename(file)}: it names $${name} instead. Set that variable wherever doccat runs (*** stands for the password you gave):\n  export ${name}='${value}'\n`);
  }
  const exported = Object.keys(exports).length > 0 ? { exports } : {};

  if (options.health === false) {
    if (globals.json) writeJson({ file, config, ...exported });
    return ExitCode.ok;
  }
  // The health check runs on the URL as given, through the variable the file names.
  if (exports[DATABASE_URL_VARIABLE] !== undefined) {
    registerSecret(databaseUrl);
    process.env[DATABASE_URL_VARIABLE] = databaseUrl;
  }
  const context = await createContext(command, { configPath: file });
  const [{ runHealthChecks }, { renderHealth }] = await Promise.all([import('../../app/health.js'), import('./health.js')]);
  const report = await runHealthChecks(context, {});
  if (globals.json) writeJson({ file, config, ...exported, ...report });
  else process.stdout.write(await renderHealth(report.checks, context.output.color));
  if (!report.healthy && !globals.quiet) process.stderr.write('the configuration is written, but a check failed: see above, fix it, then run `doccat health`\n');
  return report.healthy ? ExitCode.ok : ExitCode.unhealthy;
}

/** database.url's DOCCAT_* override: the variable init points an inline URL's password at. */
const DATABASE_URL_VARIABLE = [...envOverrideNames()].find(([, leaf]) => leaf.path.join('.') === 'database.url')?.[0] ?? 'DOCCAT_DATABASE_URL';

/**
 * Written whole or not at all (a half-written config would be worse than none), and readable by
 * its owner only: a config names where the catalogue and its secrets are.
 */
function writePrivateFile(file: string, text: string): void {
  makeFolder(path.dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.writeFileSync(temporary, text, { flag: 'wx', mode: 0o600 });
  fs.renameSync(temporary, file);
}

const DATABASE_KINDS = ['sqlite', 'postgres'] as const;

function isDatabaseKind(value: string): value is InitAnswers['db'] {
  return (DATABASE_KINDS as readonly string[]).includes(value);
}

function answersFromFlags(options: InitFlags, catalog: string | undefined): InitAnswers {
  const db = options.db ?? (options.dbUrl ? 'postgres' : 'sqlite');
  if (!isDatabaseKind(db)) throw usageError('E_USAGE', `--db ${db}: use ${DATABASE_KINDS.join(' or ')}`);
  const { storage, backends } = storageFromFlags(options, options.storage, options.yes === true);
  const providers = (options.provider ?? []).map((item) => {
    // --provider openai or --provider openai=MY_KEY_VARIABLE
    const [type = '', keyEnv] = item.split('=');
    const choice = providerChoices().find((candidate) => candidate.value === type);
    if (!choice) throw usageError('E_USAGE', `--provider ${item}: use ${listProviderTypes()} (optionally =ENV_VARIABLE)`);
    return { type: choice.value, keyEnv: keyEnv || choice.keyEnv };
  });
  return {
    catalog,
    db,
    dbUrl: options.dbUrl ?? 'env:DATABASE_URL',
    storage,
    backends,
    languages: (options.ocrLanguages ?? 'eng').split(/[,+ ]+/).filter((language) => language.length > 0),
    providers,
  };
}
