import { Command, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

export const EXIT_CODES_HELP = `
Exit codes:
  0    everything succeeded
  1    internal error (a bug: please report it)
  2    usage or configuration error
  3    some inputs failed, the rest succeeded
  4    a backend (database, storage) is unavailable
  5    a health check found a problem
  130  interrupted; the catalogue is consistent and a re-run finishes the rest

Environment:
  DOCCAT_HOME      catalogue folder (default $XDG_DATA_HOME/doccat or ~/.local/share/doccat)
  DOCCAT_<OPTION>  overrides one config option, e.g. DOCCAT_OCR_LANGUAGES=eng,deu
  NO_COLOR         disables colour`;

/** The command result: set by a command's action, read by main.ts. */
export const commandResult = { exitCode: 0 };

export function buildProgram(): Command {
  const program = new Command('doccat')
    .description('Catalogue documents: extract text (OCR where needed), classify, store originals, search.')
    .version(version, '-V, --version')
    .option('-c, --config <path>', 'config file (default: discovered doccat.config.* or package.json "doccat")')
    .option('--catalog <dir>', 'catalogue folder holding the database and blobs')
    .option('--json', 'print one JSON document on stdout')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('-v, --verbose', 'more detail on stderr (log level info)')
    .addOption(new Option('--log-level <level>', 'structured log level on stderr').choices(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']))
    .option('--log-file <path>', 'write structured logs to this file instead of stderr')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .showHelpAfterError('(run with --help for usage)')
    // Subcommands inherit these only if they are set before the subcommands are added.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) })
    .addHelpText('after', `
Examples:
  $ doccat ingest ~/Scans                 catalogue a folder (recursively)
  $ doccat ingest inbox/ --ndjson | jq .  one JSON object per file, for scripts
  $ doccat show 12 --text                 what was catalogued as document 12
${EXIT_CODES_HELP}`);

  program
    .command('ingest')
    .description('catalogue files and folders: sniff, hash, extract text (OCR), classify, store, index')
    .argument('<paths...>', 'files or folders')
    .option('--include <glob>', 'only files matching (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files and folders matching (repeatable)', collect, [])
    .option('--no-recursive', 'do not descend into sub-folders')
    .option('--hidden', 'include dotfiles and dot-folders')
    .option('--dry-run', 'report what would be catalogued; write nothing')
    .option('-j, --jobs <n>', 'files in parallel and OCR workers (default: number of cores)', parsePositiveInt)
    .option('--no-ocr', 'do not OCR (scans fail with E_OCR_DISABLED)')
    .option('--ndjson', 'print one JSON object per file as it finishes, then a summary')
    .addHelpText('after', `
Examples:
  $ doccat ingest ~/Documents/Scans
  $ doccat ingest . --include '*.pdf' --exclude 'drafts/**'
  $ doccat ingest inbox/ --dry-run --json
  $ doccat ingest build/artifacts --ndjson --quiet > catalogue.ndjson

Output: a table (file, status, type, method, pages) and totals on stdout; progress and one line per
failed file on stderr. Statuses: catalogued, duplicate (content already catalogued from another path),
unchanged (this path was catalogued before and has not changed), failed, new (--dry-run only).
Exit code 3 when some files failed; 130 when interrupted (run again to finish).`)
    .action(async (paths: string[], options: Record<string, unknown>, command: Command) => {
      const { ingestCommand } = await import('./commands/ingest.js');
      commandResult.exitCode = await ingestCommand(paths, options, command);
    });

  program
    .command('show')
    .description('show one document: metadata, classification, sources (and text)')
    .argument('<id-or-path>', 'document id (e.g. 12) or a path that was ingested')
    .option('--text', 'also print the extracted text')
    .addHelpText('after', `
Examples:
  $ doccat show 12
  $ doccat show ~/Scans/letter.pdf --text
  $ doccat show 12 --json | jq .type`)
    .action(async (target: string, options: Record<string, unknown>, command: Command) => {
      const { showCommand } = await import('./commands/show.js');
      commandResult.exitCode = await showCommand(target, options, command);
    });

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    // commander turns this into a usage error with exit code 2 in main.ts.
    throw new InvalidArgumentError('must be a whole number of 1 or more');
  }
  return number;
}
