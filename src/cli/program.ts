import { Argument, Command, Help, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { addFilterOptions } from './filters.js';

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

/** The command result: set by a command's action, read by main.ts. */
export const commandResult = { exitCode: 0 };

export function buildProgram(): Command {
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

  program
    .command('ingest')
    .description('catalogue files and folders: sniff, hash, extract text (OCR), classify, store, index')
    .argument('<paths...>', 'files or folders')
    .option('--include <glob>', 'only files matching (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files and folders matching (repeatable)', collect, [])
    .option('--no-recursive', 'do not descend into sub-folders')
    .option('--hidden', 'include dotfiles and dot-folders')
    .option('--follow-symlinks', 'follow symbolic links out of the folders given (links inside them are followed anyway)')
    .option('--dry-run', 'report what would be catalogued; write nothing')
    .option('-j, --jobs <n>', 'files in parallel and OCR workers (default: number of cores)', parsePositiveInt)
    .option('--no-ocr', 'do not OCR (scans fail with E_OCR_DISABLED)')
    .addOption(new Option('--ocr-engine <engine>', 'OCR engine: auto (installed tesseract if it has the languages, else tesseract.js), tesseract or tesseract.js (default: ocr.engine)').choices(['auto', 'tesseract', 'tesseract.js']))
    .option('--no-searchable-pdf', 'do not keep a searchable PDF of the scans (ocr.searchablePdf)')
    .option('--ndjson', 'print one JSON object per file as it finishes, then a summary')
    .option('--enqueue', 'only record the files as jobs for `doccat worker` processes (the files must be readable where the workers run)')
    .option('--no-hooks', 'run no hooks (hooks.onDocument, onRun, onAlert) for this run')
    .option('--ci', 'record where the files came from (CI run, commit, branch, git facts); on by default when CI=true')
    .option('--no-ci', 'record no provenance even when CI=true')
    .option('--label <key=value>', 'a label recorded with the files\' provenance (repeatable); find them with label:key=value', collect, [])
    .option('--url', 'with --json/--ndjson: each file\'s presigned (S3) or file URL')
    .option('--unpack', 'also catalogue the documents inside archives, as their members (limits: ingest.maxUnpackedMb, 3 deep)')
    .addHelpText('after', `
Examples:
  $ doccat ingest ~/Documents/Scans
  $ doccat ingest . --include '*.pdf' --exclude 'drafts/**'
  $ doccat ingest inbox/ --dry-run --json
  $ doccat ingest build/artifacts --ndjson --quiet > catalogue.ndjson

Output: a table of the files that changed (file, status, type, method, pages; unchanged files too
with --verbose) and a summary line on stdout; progress and one line per failed or skipped file on
stderr. With -q nothing but one stderr line per failed file: a cron run that went well is silent.
Statuses: catalogued, duplicate (content already catalogued from another path), unchanged (this path
was catalogued before and has not changed), failed, skipped (not read on purpose: a link out of the
folders given, a pipe, socket or device), new (--dry-run only).
Exit code 3 when some files failed (skipped files do not count); 130 when interrupted (run again to finish).`)
    .action(async (paths: string[], options: Record<string, unknown>, command: Command) => {
      const { ingestCommand } = await import('./commands/ingest.js');
      commandResult.exitCode = await ingestCommand(paths, options, command);
    });

  program
    .command('show')
    .description('show one document: metadata, classification, sources (and text)')
    .argument('<id-or-path>', 'document id (12 or D12) or a path that was ingested')
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

  addFilterOptions(
    program
      .command('search')
      .description('full-text search with a small query language and filters')
      .argument('[query...]', 'words, "phrases", prefix*, OR, -excluded, (groups), field:value filters')
      .option('--ndjson', 'one JSON object per result')
      .option('--paths', 'print the stored path of each result, one per line (for xargs)')
      .option('-0, --null', 'with --paths: end each path with a NUL byte, not a newline (for xargs -0); implies --paths'),
  )
    .addHelpText('after', `
Query language:
  invoice acme          both words (accents and case do not matter: muller finds Müller)
  "exact phrase"        the words in this order
  insur*                words starting with insur
  tax OR vat            either word
  invoice -draft        without the word draft
  (tax OR vat) 2024     grouping
Filters (also as flags, e.g. --type invoice):
  type:invoice tag:tax correspondent:"ACME GmbH" date:2024 after:2024-01-01 before:2024-07
  added:7d method:ocr mime:pdf lang:de status:duplicate status:failed path:'*/2024/*' id:12
Artifacts (where their sources were built, their name and size):
  repo:acme/app commit:3f2a1b9 branch:main ref:v1.2.0 run:8812 label:channel=nightly
  name:'*.whl' size>10MB size<=1GB

Examples:
  $ doccat search acme invoice date:2024
  $ doccat search '"payment terms" -overdue' --type invoice --json
  $ doccat search insurance --paths -0 | xargs -0 -r ls -l
No results print nothing and exit 0; a malformed query exits 2 with E_QUERY_SYNTAX, one with more
than 32 words, phrases and filters or 32 levels of parentheses with E_QUERY_TOO_COMPLEX.`)
    .action(async (query: string[], options: Record<string, unknown>, command: Command) => {
      const { searchCommand } = await import('./commands/search.js');
      commandResult.exitCode = await searchCommand(query, options, command);
    });

  addFilterOptions(
    program
      .command('list')
      .description('list documents by filters (newest first), or failed files with --status failed')
      .argument('[filters...]', 'field:value filters, as in search')
      .option('--ndjson', 'one JSON object per document')
      .option('--paths', 'print the stored path of each document, one per line')
      .option('-0, --null', 'with --paths: end each path with a NUL byte, not a newline (for xargs -0); implies --paths'),
  )
    .addHelpText('after', `
Examples:
  $ doccat list --type invoice --date 2024
  $ doccat list tag:tax --sort date
  $ doccat list --status failed           files that could not be catalogued, and why
  $ doccat list added:1d --json`)
    .action(async (filters: string[], options: Record<string, unknown>, command: Command) => {
      const { listCommand } = await import('./commands/search.js');
      commandResult.exitCode = await listCommand(filters, options, command);
    });

  addFilterOptions(
    program
      .command('manifest')
      .description('the artifacts of a run, commit or branch: a JSON document, a release-notes table, or a sha256sum checksum file')
      .argument('[filters...]', 'field:value filters, as in list (run:, commit:, branch:, name:...)')
      .addOption(new Option('--format <format>', 'json, markdown (default) or sha256sum').choices(['json', 'markdown', 'sha256sum']))
      .option('--relative-to <dir>', 'write paths relative to this folder (default: the working folder)'),
    false,
  )
    .addHelpText('after', `
Examples:
  $ doccat manifest run:$GITHUB_RUN_ID --format sha256sum > SHA256SUMS && sha256sum -c SHA256SUMS
  $ doccat manifest commit:$CI_COMMIT_SHA >> release-notes.md
  $ doccat manifest branch:main name:'*.whl' --format json | jq '.artifacts[].sha256'`)
    .action(async (filters: string[], options: Record<string, unknown>, command: Command) => {
      const { manifestCommand } = await import('./commands/manifest.js');
      commandResult.exitCode = await manifestCommand(filters, options, command);
    });

  addFilterOptions(
    program
      .command('prune')
      .description('remove artifacts beyond a retention policy (and their blobs when unused); tagged keep or edited by hand: never')
      .argument('[filters...]', 'field:value filters choosing what the policy applies to, as in list')
      .option('--keep-last <n>', 'keep the documents of the last N builds of each group', parsePositiveInt)
      .addOption(new Option('--per <group>', 'what the last N builds are counted per, within each repository (default branch)').choices(['branch', 'repo', 'name']))
      .option('--older-than <duration>', 'only documents not seen for this long: 90d, 12w, 6m, 1y')
      .option('--dry-run', 'list what would be removed; remove nothing'),
    false,
  )
    .addHelpText('after', `
A build is one CI run (job attempt) that ingested files; a document seen outside CI counts as its own
build, made when it was added. Each removal is audited (\`doccat audit\`), re-checked inside its
transaction (a document seen again, tagged keep or edited meanwhile is kept), and safe with other
doccat processes on the catalogue. Interrupted, the same command continues.

Examples:
  $ doccat prune --keep-last 5 --per branch --dry-run
  $ doccat prune branch:'feature/*' --older-than 30d --json
  $ doccat prune repo:acme/app --keep-last 3 --per name --older-than 90d`)
    .action(async (filters: string[], options: Record<string, unknown>, command: Command) => {
      const { pruneCommand } = await import('./commands/prune.js');
      commandResult.exitCode = await pruneCommand(filters, options, command);
    });

  program
    .command('get')
    .description("write a document's original bytes (or its searchable PDF), verified against its sha256")
    .argument('<id>', 'document id, e.g. 12 or D12')
    .option('-o, --output <file>', 'write to this file (- for stdout)')
    .option('--searchable', 'the searchable PDF made from a scan (the pages with their OCR text), not the original')
    .option('--url', 'print where the original (or with --searchable, the searchable PDF) is: a signed URL (S3) or a file path (local)')
    .option('--expires <seconds>', 'how long a signed URL stays valid (default: the backend\'s presignExpirySeconds)', parsePositiveInt)
    .addHelpText('after', `
Examples:
  $ doccat get 12 -o invoice.pdf
  $ doccat get D12 -o - | pdftotext - -
  $ doccat get 12 --searchable -o scan.searchable.pdf
  $ doccat get 12 --url --expires 600
A document without a searchable PDF (born-digital, or made with --no-searchable-pdf) exits 2 with
E_NO_SEARCHABLE_PDF.`)
    .action(async (id: string, options: Record<string, unknown>, command: Command) => {
      const { getCommand } = await import('./commands/get.js');
      commandResult.exitCode = await getCommand(id, options, command);
    });

  program
    .command('tag')
    .description('add (+tag) and remove (-tag) tags; recorded as manual and audited')
    .argument('<items...>', 'document ids and +tag / -tag, in any order')
    .allowUnknownOption()
    .addHelpText('after', `
Examples:
  $ doccat tag 12 +tax +2024
  $ doccat tag 12 13 14 -todo +done`)
    .action(async (items: string[], options: Record<string, unknown>, command: Command) => {
      const { tagCommand } = await import('./commands/edit.js');
      commandResult.exitCode = await tagCommand(items, options, command);
    });

  program
    .command('set')
    .description('correct type, title, date, correspondent or fields; recorded as manual and audited')
    .argument('<ids...>', 'document ids')
    .option('--type <type>', 'document type, e.g. invoice')
    .option('--title <title>', 'title')
    .option('--date <date>', 'document date YYYY-MM-DD, or none')
    .option('--correspondent <name>', 'sender or issuer ("" clears it)')
    .option('--field <key=value>', 'set a field (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--unset-field <key>', 'remove a field (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .addHelpText('after', `
Manual values are shown as such by \`doccat show\` and are never overwritten by automatic
classification.

Examples:
  $ doccat set 12 --type receipt --date 2024-03-08
  $ doccat set 12 13 --correspondent "ACME GmbH" --field total=196.35`)
    .action(async (ids: string[], options: Record<string, unknown>, command: Command) => {
      const { setCommand } = await import('./commands/edit.js');
      commandResult.exitCode = await setCommand(ids, options, command);
    });

  program
    .command('delete')
    .alias('rm')
    .description('remove documents from the catalogue and delete their originals; recorded in the audit trail')
    .argument('<ids...>', 'document ids, e.g. 12 or D12')
    .option('-y, --yes', 'do not ask (needed when stdin is not a terminal)')
    .option('--keep-blob', 'keep the stored original (only the catalogue entry goes)')
    .addHelpText('after', `
The source files you ingested are not touched; ingesting them again catalogues them again.

Examples:
  $ doccat delete 12
  $ doccat list tag:draft --json | jq -r '.results[].id' | xargs doccat delete --yes`)
    .action(async (ids: string[], options: Record<string, unknown>, command: Command) => {
      const { deleteCommand } = await import('./commands/delete.js');
      commandResult.exitCode = await deleteCommand(ids, options, command);
    });

  addFilterOptions(
    program
      .command('export')
      .description('copy originals under readable names into a folder, with a manifest.json that restores them (doccat import)')
      .argument('<dir>', 'export folder (created if missing)')
      .argument('[query...]', 'words and field:value filters, as in search (none: every document)')
      .option('--template <template>', "file names: {type} {date} {year} {month} {title} {correspondent} {tags} {id} {sha8} {ext}; / makes folders (default export.template, '{type}/{date}_{title}.{ext}')")
      .option('--text', 'also write each document\'s text beside it (NAME.txt)')
      .option('--metadata', 'also write each document\'s metadata beside it (NAME.json)')
      .option('--searchable', 'also write each scan\'s searchable PDF beside it (NAME.searchable.pdf); import restores it')
      .option('--since <when>', 'only documents added or changed since: 24h, 7d, 2w, or a date')
      .option('--prune', 'remove files an earlier export wrote that are no longer exported (only those, and only if unchanged)')
      .option('-j, --jobs <n>', 'documents copied at once', parsePositiveInt)
      .option('--ndjson', 'one JSON object per document as it is done'),
    false,
  )
    .addHelpText('after', `
Every original is verified by its sha256 after it is written. A second run copies only what
changed and removes nothing (unless --prune); a run stopped by Ctrl-C or kill -9 is finished by
running it again. Names are made safe: a title never makes folders or leaves the export folder.

Examples:
  $ doccat export ~/Backup/documents
  $ doccat export out/ type:invoice --template '{year}/{correspondent}/{date}_{title}.{ext}' --text
  $ doccat export ~/Backup/documents --searchable
  $ doccat export ~/Backup/documents --prune`)
    .action(async (directory: string, query: string[], options: Record<string, unknown>, command: Command) => {
      const { exportCommand } = await import('./commands/export.js');
      commandResult.exitCode = await exportCommand(directory, query, options, command);
    });

  program
    .command('import')
    .description('restore the documents of an export (doccat export) into this catalogue; importing twice adds nothing')
    .argument('<dir>', 'a folder written by doccat export')
    .option('-j, --jobs <n>', 'documents imported at once', parsePositiveInt)
    .option('--ndjson', 'one JSON object per document as it is done')
    .addHelpText('after', `
Each file is checked against the sha256 in the manifest before it is stored. Into an empty
catalogue the documents keep their ids. Documents already in the catalogue are left as they are.

Examples:
  $ doccat import ~/Backup/documents
  $ DOCCAT_DATABASE_URL=postgres://... doccat import ~/Backup/documents --json`)
    .action(async (directory: string, options: Record<string, unknown>, command: Command) => {
      const { importCommand } = await import('./commands/export.js');
      commandResult.exitCode = await importCommand(directory, options, command);
    });

  addFilterOptions(
    program
      .command('reclassify')
      .description('classify documents again with the current rules and providers; hand-set fields are kept')
      .argument('[query...]', 'words and field:value filters, as in search (none: every document)')
      .option('--provider <name>', 'ask only this configured provider (then the local rules)')
      .option('--dry-run', 'show what would change; documents are not written (provider answers are cached)')
      .option('--force', 'ask providers again even when an answer is cached')
      .option('-j, --jobs <n>', 'documents classified at once', parsePositiveInt)
      .option('--ndjson', 'one JSON object per document as it is done'),
    false,
  )
    .addHelpText('after', `
Prints what changes (old -> new) per document. Fields set with \`doccat set\` or \`doccat tag\`
are never overwritten. With every provider failing, documents are classified by the local rules.

Examples:
  $ doccat reclassify type:other --dry-run
  $ doccat reclassify --type invoice --provider claude --json
  $ doccat reclassify added:7d --force`)
    .action(async (query: string[], options: Record<string, unknown>, command: Command) => {
      const { reclassifyCommand } = await import('./commands/reclassify.js');
      commandResult.exitCode = await reclassifyCommand(query, options, command);
    });

  program
    .command('train')
    .description('train the classifier learned from documents classified by hand, and store it in the catalogue')
    .addHelpText('after', `
Learns types, correspondents and tags from the documents whose fields were set with \`doccat set\`
or \`doccat tag\` (a label needs classify.learned.minExamples of them). Ingest, watch, worker and
reclassify retrain by themselves at their start when those labels changed.

Examples:
  $ doccat set 12 --type payslip && doccat train
  $ doccat train --json | jq .summary.learned`)
    .action(async (_options: Record<string, unknown>, command: Command) => {
      const { trainCommand } = await import('./commands/train.js');
      commandResult.exitCode = await trainCommand(command);
    });

  program
    .command('eval')
    .description('accuracy of the rules, the learned model and a provider on the documents classified by hand')
    .option('--folds <k>', 'cross-validation folds for the learned model', parsePositiveInt, 5)
    .option('--provider <name>', 'also ask this configured provider about every document (costs calls)')
    .addHelpText('after', `
Each document's type set by hand is compared with what each classifier says: the local rules, the
learned model trained on the other folds, the chain (model when sure, else rules) and, with
--provider, a provider. Prints accuracy, precision and recall per type and a confusion table.

Examples:
  $ doccat eval
  $ doccat eval --folds 10 --provider claude --json`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { evalCommand } = await import('./commands/eval.js');
      commandResult.exitCode = await evalCommand(options, command);
    });

  const storage = program.command('storage').description('blob backends: list, migrate between them, verify, sync from the fallback');
  storage
    .command('list')
    .description('configured backends with their role, document counts and a live write/read probe')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { listCommand } = await import('./commands/storage.js');
      commandResult.exitCode = await listCommand(options, command);
    });
  storage
    .command('migrate')
    .description('copy blobs to another backend, verify them there, then point documents at the copies')
    .requiredOption('--to <name>', 'destination backend')
    .option('--from <name>', 'only blobs on this backend (default: every blob not on --to)')
    .option('--concurrency <n>', 'blobs copied at once (default 4)', parsePositiveInt)
    .option('--delete-source', 'delete each old copy once the new one is verified and in use')
    .option('--dry-run', 'list what would move; copy nothing')
    .option('--ndjson', 'one JSON object per blob as it is done')
    .addHelpText('after', `
Resumable: stopped by Ctrl-C, kill or an outage, the same command continues where it stopped and
never copies a blob that is already verified at the destination.

Examples:
  $ doccat storage migrate --to s3 --dry-run
  $ doccat storage migrate --from local --to s3 --concurrency 8 --delete-source`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { migrateCommand } = await import('./commands/storage.js');
      commandResult.exitCode = await migrateCommand(options, command);
    });
  storage
    .command('verify')
    .description("check every document's blob (exists, size, sha256 read back) and list orphan blobs")
    .option('--repair', 'restore damaged blobs from another backend with a good copy; delete orphans older than storage.orphanGraceHours')
    .option('--concurrency <n>', 'blobs checked at once (default 4)', parsePositiveInt)
    .addHelpText('after', `
Exit 0 when everything is in order, 3 when problems remain.`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { verifyCommand } = await import('./commands/storage.js');
      commandResult.exitCode = await verifyCommand(options, command);
    });
  storage
    .command('sync')
    .description('move blobs stored on the fallback backend (while the primary was down) to the primary')
    .option('--concurrency <n>', 'blobs copied at once (default 4)', parsePositiveInt)
    .option('--dry-run', 'list what would move; copy nothing')
    .option('--ndjson', 'one JSON object per blob as it is done')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { syncCommand } = await import('./commands/storage.js');
      commandResult.exitCode = await syncCommand(options, command);
    });

  const configuration = program.command('config').description('the effective configuration and its secret references');
  configuration
    .command('show')
    .description('every setting with its value and where it came from (default, file, environment)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { configShowCommand } = await import('./commands/config.js');
      commandResult.exitCode = await configShowCommand(options, command);
    });
  configuration
    .command('check')
    .description('validate the configuration and resolve every secret reference; exit 2 if one is missing')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { configCheckCommand } = await import('./commands/config.js');
      commandResult.exitCode = await configCheckCommand(options, command);
    });

  program
    .command('audit')
    .description('recorded changes to documents: who, what, old -> new, when, by which command')
    .argument('[id]', 'one document (default: the latest changes to any)')
    .option('-n, --limit <n>', 'at most this many entries (without an id)', parsePositiveInt, 50)
    .action(async (id: string | undefined, options: Record<string, unknown>, command: Command) => {
      const { auditCommand } = await import('./commands/config.js');
      commandResult.exitCode = await auditCommand(id, options, command);
    });

  program
    .command('health')
    .description('check the database, blob backends, OCR, AI providers and disk space; exit 5 if anything fails')
    .option('--deep', 'also send each AI provider a minimal request')
    .addHelpText('after', `
Examples:
  $ doccat health
  $ doccat health --json || alert-team "doccat is unhealthy"`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { healthCommand } = await import('./commands/health.js');
      commandResult.exitCode = await healthCommand(options, command);
    });

  program
    .command('init')
    .description('write a config file: catalogue folder, database, storage, OCR languages, AI providers; then run the health checks')
    .option('-y, --yes', 'ask nothing: take the flags and defaults (needed when stdin is not a terminal)')
    .option('-o, --output <file>', 'config file to write', 'doccat.config.json')
    .option('--force', 'replace an existing file')
    .option('--db <kind>', 'sqlite (default) or postgres')
    .option('--db-url <reference>', 'where the Postgres URL is: env:NAME, file:PATH or cmd:COMMAND (default env:DATABASE_URL)')
    .option('--storage <kind>', 'local (default) or s3')
    .option('--s3-bucket <name>', 'bucket for --storage s3')
    .option('--s3-region <region>', 'region (default us-east-1)')
    .option('--s3-endpoint <url>', 'endpoint of an S3-compatible store (MinIO, R2...)')
    .option('--ocr-languages <codes>', 'tesseract language codes, e.g. eng,deu (default eng)')
    .option('--provider <type[=ENV]>', 'anthropic, openai or gemini, with the variable holding its key (repeatable)', collect, [])
    .option('--no-health', 'do not run the health checks afterwards')
    .addHelpText('after', `
Exit 0 when the file is written and healthy, 5 when it is written but a health check failed, 2 when
a question would be needed and stdin is not a terminal.

Examples:
  $ doccat init
  $ doccat init --yes --catalog ~/Documents/.doccat --provider anthropic
  $ doccat init --yes --db postgres --db-url env:DATABASE_URL --storage s3 --s3-bucket my-docs -o /etc/doccat/config.json`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { initCommand } = await import('./commands/init.js');
      commandResult.exitCode = await initCommand(options, command);
    });

  program
    .command('stats')
    .description('documents by type, method and status; ingest throughput and stage latency; provider calls, tokens, cost; failures')
    .option('--since <when>', 'only what happened since: 90min, 24h, 7d, 2w, 3m (months), 1y, or a date')
    .option('--check', 'check the alert rules (alerts.rules) and exit 6 if any fires, printing which (for cron, CI, Nagios)')
    .addHelpText('after', `
Examples:
  $ doccat stats
  $ doccat stats --since 24h --json | jq .throughput
  $ doccat stats --check || notify-team      exit 6 when an alert rule fires
  $ doccat stats --check --json | jq '.rules[] | select(.firing)'`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { statsCommand } = await import('./commands/stats.js');
      commandResult.exitCode = await statsCommand(options, command);
    });

  program
    .command('watch')
    .description('catalogue each file that arrives in the folders (a scanner drop folder), until stopped')
    .argument('<dirs...>', 'folders to watch, recursively')
    .option('--poll [ms]', 'poll instead of file events (network shares, bind mounts); default every 1000 ms', (value: string) => parsePositiveInt(value))
    .option('--stable <ms>', 'take a file once its size and time have not changed for this long', parsePositiveInt, 2000)
    .option('--archive <dir>', 'move each catalogued file here (keeping sub-folders; names are never overwritten)')
    .option('--failed <dir>', 'move files that keep failing here, with <name>.error.txt beside them')
    .option('--delete-after-ingest', 'delete each file once it is catalogued')
    .option('-j, --jobs <n>', 'files at once and OCR workers (default: number of cores)', parsePositiveInt)
    .addOption(new Option('--ocr-engine <engine>', 'OCR engine: auto (installed tesseract if it has the languages, else tesseract.js), tesseract or tesseract.js (default: ocr.engine)').choices(['auto', 'tesseract', 'tesseract.js']))
    .option('--no-searchable-pdf', 'do not keep a searchable PDF of the scans (ocr.searchablePdf)')
    .option('--ndjson', 'one JSON event per file: queued, done, duplicate, unchanged, failed')
    .option('--no-hooks', 'run no hooks (hooks.onDocument, onRun, onAlert) while watching')
    .addHelpText('after', `
Files already in the folders are taken at start; partial names (*.part, *.tmp, *.crdownload, ~$*,
dotfiles) and ingest.exclude globs are ignored. Queued files survive a restart. A failing file is
tried queue.maxAttempts times, then moved to --failed. Ctrl-C or SIGTERM lets in-flight files
finish or go back to the queue, and exits 0.

Examples:
  $ doccat watch ~/Scans/inbox --archive ~/Scans/done --failed ~/Scans/failed
  $ doccat watch /mnt/scanner --poll 2000 --ndjson`)
    .action(async (dirs: string[], options: Record<string, unknown>, command: Command) => {
      const { watchCommand } = await import('./commands/watch.js');
      commandResult.exitCode = await watchCommand(dirs, options, command);
    });

  program
    .command('worker')
    .description('take files queued with `ingest --enqueue` and catalogue them; run on as many machines as needed')
    .option('-c, --concurrency <n>', 'files at once and OCR workers (default: number of cores)', parsePositiveInt)
    .addOption(new Option('--ocr-engine <engine>', 'OCR engine: auto (installed tesseract if it has the languages, else tesseract.js), tesseract or tesseract.js (default: ocr.engine)').choices(['auto', 'tesseract', 'tesseract.js']))
    .option('--drain', 'exit when the queue is empty instead of waiting for more')
    .option('--no-searchable-pdf', 'do not keep a searchable PDF of the scans (ocr.searchablePdf)')
    .option('--ndjson', 'one JSON object per job as it finishes')
    .option('--no-hooks', 'run no hooks (hooks.onDocument, onRun, onAlert) in this worker')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { workerCommand } = await import('./commands/worker.js');
      commandResult.exitCode = await workerCommand(options, command);
    });
  const queue = program.command('queue').description('the job queue of ingest --enqueue and doccat worker');
  queue
    .command('status')
    .description('pending, active, completed and failed jobs, and jobs done in the last hour')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { queueStatusCommand } = await import('./commands/worker.js');
      commandResult.exitCode = await queueStatusCommand(options, command);
    });
  queue
    .command('retry')
    .description('queue the failed jobs again')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { queueRetryCommand } = await import('./commands/worker.js');
      commandResult.exitCode = await queueRetryCommand(options, command);
    });

  const database = program.command('db').description('the catalogue database: status, migrations, copying between SQLite and Postgres');
  database
    .command('status')
    .description('schema version, pending migrations and row counts')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { statusCommand } = await import('./commands/db.js');
      commandResult.exitCode = await statusCommand(options, command);
    });
  database
    .command('migrate')
    .description('apply pending migrations (any writing command does this too)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { migrateCommand } = await import('./commands/db.js');
      commandResult.exitCode = await migrateCommand(options, command);
    });
  database
    .command('copy')
    .description('copy a whole catalogue into an empty database, keeping ids, checksums and history, then verify')
    .requiredOption('--from <db>', 'SQLite file, postgres:// URL, or env:NAME / file:PATH holding one')
    .requiredOption('--to <db>', 'an empty destination, same forms')
    .addHelpText('after', `
Examples:
  $ doccat db copy --from ~/.local/share/doccat/catalog.db --to env:DATABASE_URL
  $ doccat db copy --from postgres://doccat@db/doccat --to backup.db`)
    .action(async (options: Record<string, unknown>, command: Command) => {
      const { copyCommand } = await import('./commands/db.js');
      commandResult.exitCode = await copyCommand(options, command);
    });

  program
    .command('completion')
    .description('print a shell completion script: commands, options, and types, tags, backends, providers and environments from the catalogue and config')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', `
Install:
  bash  echo 'eval "$(doccat completion bash)"' >> ~/.bashrc
  zsh   echo 'eval "$(doccat completion zsh)"' >> ~/.zshrc      (after compinit)
  fish  doccat completion fish > ~/.config/fish/completions/doccat.fish`)
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell));
    });

  groupCommands(program);
  return program;
}

/** `doccat --help` lists the commands by what they are for, in this order. */
export const COMMAND_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['Catalogue:', ['ingest', 'watch', 'worker', 'queue']],
  ['Find:', ['search', 'list', 'show', 'get', 'audit', 'manifest']],
  ['Change:', ['tag', 'set', 'delete', 'reclassify', 'train', 'prune']],
  ['Storage & database:', ['storage', 'db', 'export', 'import']],
  ['Operations:', ['init', 'config', 'health', 'stats', 'eval', 'completion']],
];

function groupCommands(program: Command): void {
  const rank = (command: Command) => {
    const index = COMMAND_GROUPS.findIndex(([, names]) => names.includes(command.name()));
    return index < 0 ? COMMAND_GROUPS.length : index;
  };
  for (const command of program.commands) {
    const group = COMMAND_GROUPS[rank(command)];
    if (group) command.helpGroup(group[0]);
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
