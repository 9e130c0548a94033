import { Command, Help, Option } from 'commander';
import { createRequire } from 'node:module';
import { HELP_GROUPS, registerCommand, type AnyCommandDefinition, type CommandDefinition, type HelpGroup } from './command-definition.js';
import { auditDefinition, configDefinition } from './commands/config.definition.js';
import { completionDefinition } from './commands/completion.definition.js';
import { dbDefinition } from './commands/db.definition.js';
import { deleteDefinition } from './commands/delete.definition.js';
import { setDefinition, tagDefinition } from './commands/edit.definition.js';
import { evalDefinition } from './commands/eval.definition.js';
import { exportDefinition, importDefinition } from './commands/export.definition.js';
import { getDefinition } from './commands/get.definition.js';
import { healthDefinition } from './commands/health.definition.js';
import { ingestDefinition } from './commands/ingest.definition.js';
import { initSummary } from './commands/init.summary.js';
import { manifestDefinition } from './commands/manifest.definition.js';
import { pruneDefinition } from './commands/prune.definition.js';
import { reclassifyDefinition } from './commands/reclassify.definition.js';
import { listDefinition, searchDefinition } from './commands/search.definition.js';
import { showDefinition } from './commands/show.definition.js';
import { statsDefinition } from './commands/stats.definition.js';
import { storageDefinition } from './commands/storage.definition.js';
import { trainDefinition } from './commands/train.definition.js';
import { watchDefinition } from './commands/watch.definition.js';
import { queueDefinition, workerDefinition } from './commands/worker.definition.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

export const EXIT_CODES_HELP = `
Exit codes:
  0    everything succeeded
  1    internal error (a bug: please report it)
  2    usage or configuration error
  3    some inputs failed, the rest succeeded
  4    a backend (database, storage, AI provider) is unavailable
  5    a health check found a problem
  6    an alert rule fires (stats --check)
  130  interrupted; the catalogue is consistent and a re-run finishes the rest

Environment:
  DOCCAT_HOME      catalogue folder (default $XDG_DATA_HOME/doccat or ~/.local/share/doccat)
  DOCCAT_ENV       the config file's environment overlay to use, like --env
  DOCCAT_<OPTION>  overrides one config option, e.g. DOCCAT_OCR_LANGUAGES=eng,deu
Settings apply in this order, later ones winning: defaults, config file, its environments.<name>
overlay, DOCCAT_<OPTION> variables, command-line flags.
  NO_COLOR         disables colour
  FORCE_COLOR      colour even into pipes and files (1, 2, 3), or none even on a terminal (0);
                   wins over NO_COLOR, as in Node. Otherwise stdout and stderr each have colour
                   when they are a terminal`;

/**
 * doccat's commands, each defined beside its code (commands/<name>.definition.ts). Within a help
 * group they are listed in this order; completion offers them in it too.
 */
const COMMANDS: readonly (AnyCommandDefinition | typeof initSummary)[] = [
  ingestDefinition, showDefinition, searchDefinition, listDefinition, manifestDefinition, pruneDefinition, getDefinition,
  tagDefinition, setDefinition, deleteDefinition, exportDefinition, importDefinition, reclassifyDefinition, trainDefinition,
  evalDefinition, storageDefinition, configDefinition, auditDefinition, healthDefinition, initSummary, statsDefinition,
  watchDefinition, workerDefinition, queueDefinition, dbDefinition, completionDefinition,
];

/** The command result: set by a command's action, read by main.ts. */
export const commandResult = { exitCode: 0 };

/** init's definition, once loadProgram has loaded it (commands/init.summary.ts says why it waits). */
let initDefinition: CommandDefinition | undefined;

/** What tells a command in a run's words: its name, or its alias. */
type Named = { name: string; alias?: string };

/** Words after which every command may be shown or completed: each is registered in full then. */
const EVERY_COMMAND = ['help', '--help', '-h', '__complete'];

/**
 * The program for `argv` (every command in full without one): what main.ts and in-process tests
 * run. A run names its command among its words; the others are only listed (name, description,
 * group), which spares each start registering some 200 options it will not parse. A word that
 * only looks like a command (a folder named `list`) registers that one in full too, harmlessly.
 */
export async function loadProgram(argv?: readonly string[]): Promise<Command> {
  const words = argv?.slice(2);
  const named = (entry: Named) => words !== undefined && (words.includes(entry.name) || (entry.alias !== undefined && words.includes(entry.alias)));
  const everything = words === undefined || words.some((word) => EVERY_COMMAND.includes(word)) || !COMMANDS.some(named);
  const inFull = (entry: Named) => everything || named(entry);
  if (!initDefinition && inFull(initSummary)) initDefinition = (await import('./commands/init.definition.js')).initDefinition;
  return buildProgram(inFull);
}

/** A command by its summary alone, for runs that cannot reach it: listed in help, never run. */
function listedOnly(entry: Named & { description: string; group?: HelpGroup }): CommandDefinition {
  return {
    name: entry.name,
    description: entry.description,
    ...(entry.group ? { group: entry.group } : {}),
    ...(entry.alias ? { alias: entry.alias } : {}),
    allowUnknownOption: true,
    run: () => Promise.reject(new Error(`doccat ${entry.name} was run with only its summary registered (program.ts loadProgram)`)),
  };
}

function buildProgram(inFull: (entry: Named) => boolean): Command {
  const program = new Command('doccat')
    .description('Catalogue documents: extract text (OCR where needed), classify, store originals, search.')
    .version(version, '-V, --version')
    .option('-c, --config <path>', 'config file (default: discovered doccat.config.* or package.json "doccat")')
    .option('--catalog <dir>', 'catalogue folder holding the database and blobs')
    .option('-e, --env <name>', 'use the config file\'s environments.<name> overlay (default $DOCCAT_ENV)')
    .option('--json', 'print one JSON document on stdout')
    .option('-q, --quiet', 'no progress or notes; ingest, watch and worker print only failures')
    .option('-v, --verbose', 'more detail on stderr (log level info)')
    .addOption(new Option('--log-level <level>', 'structured log level on stderr').choices(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']))
    .option('--log-file <path>', 'write structured logs to this file instead of stderr')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .showHelpAfterError('(run with --help for usage)')
    // A subcommand's examples use --json, -q and --catalog: its help lists them too.
    .configureHelp({
      showGlobalOptions: true,
      optionDescription: describeOption,
      // --version belongs to doccat itself, not to each command.
      visibleGlobalOptions(this: Help, command: Command) {
        const own = new Set(command.options.flatMap((option) => [option.short, option.long]).filter(Boolean));
        return Help.prototype.visibleGlobalOptions.call(this, command)
          .filter((option) => option.long !== '--version' && !own.has(option.long))
          // worker's -c is --concurrency: there the global -c, --config is shown as --config only.
          .map((option) => (option.short && own.has(option.short) ? withoutShort(option) : option));
      },
    })
    // Subcommands inherit these only if they are set before the subcommands are added.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) })
    .addHelpText('after', `
Examples:
  $ doccat ingest ~/Scans                 catalogue a folder (recursively)
  $ doccat ingest inbox/ --ndjson | jq .  one JSON object per file, for scripts
  $ doccat show 12 --text                 what was catalogued as document 12
  $ doccat search acme type:invoice       find documents
  $ doccat list --status failed           files that could not be catalogued
${EXIT_CODES_HELP}`);

  for (const entry of COMMANDS) {
    const definition = !inFull(entry) ? listedOnly(entry) : 'run' in entry || 'subcommands' in entry ? entry : (initDefinition ?? listedOnly(entry));
    registerCommand(program, definition, (exitCode) => {
      commandResult.exitCode = exitCode;
    });
  }

  groupCommands(program);
  return program;
}

function groupCommands(program: Command): void {
  const groups = new Map(COMMANDS.map((definition) => [definition.name, definition.group]));
  const rank = (command: Command) => {
    const group = groups.get(command.name());
    return group ? HELP_GROUPS.indexOf(group) : HELP_GROUPS.length;
  };
  for (const command of program.commands) {
    const group = groups.get(command.name());
    if (group) command.helpGroup(group);
  }
  // Help lists groups in the order their first command was added.
  // commands is typed readonly for callers; reordering it in place is how commander is told the order.
  (program.commands as Command[]).sort((a, b) => rank(a) - rank(b));
  program.commandsGroup('Operations:').helpCommand('help [command]', 'display help for a command');
}

function withoutShort(option: Option): Option {
  const flags = option.flags.replace(/^-[^-\s,|]+[,|\s]\s*/, '');
  return Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { short: undefined, flags });
}

/** Commander's description, without the `(default: [])` of repeatable options that start empty. */
function describeOption(this: Help, option: Option): string {
  const empty = Array.isArray(option.defaultValue) && option.defaultValue.length === 0 && !option.defaultValueDescription;
  if (!empty) return Help.prototype.optionDescription.call(this, option);
  const copy = Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { defaultValue: undefined });
  return Help.prototype.optionDescription.call(this, copy);
}
