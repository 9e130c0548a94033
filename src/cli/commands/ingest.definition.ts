import { OCR_ENGINE_OPTION, defineCommand, parsePositiveInt } from '../command-definition.js';
import type { IngestFlags } from './ingest.js';

export const ingestDefinition = defineCommand<[paths: string[]], IngestFlags>({
  name: 'ingest',
  group: 'Catalogue:',
  description: 'catalogue files and folders: sniff, hash, extract text (OCR), classify, store, index',
  arguments: [{ name: '<paths...>', description: 'files or folders' }],
  options: [
    { flags: '--include <glob>', description: 'only files matching (repeatable)', repeatable: true, defaultValue: [] },
    { flags: '--exclude <glob>', description: 'skip files and folders matching (repeatable)', repeatable: true, defaultValue: [] },
    { flags: '--no-recursive', description: 'do not descend into sub-folders' },
    { flags: '--hidden', description: 'include dotfiles and dot-folders' },
    { flags: '--follow-symlinks', description: 'follow symbolic links out of the folders given (links inside them are followed anyway)' },
    { flags: '--dry-run', description: 'report what would be catalogued; write nothing' },
    { flags: '-j, --jobs <n>', description: 'files in parallel and OCR workers (default: number of cores)', parse: parsePositiveInt },
    { flags: '--no-ocr', description: 'do not OCR (scans fail with E_OCR_DISABLED)' },
    OCR_ENGINE_OPTION,
    { flags: '--no-searchable-pdf', description: 'do not keep a searchable PDF of the scans (ocr.searchablePdf)' },
    { flags: '--ndjson', description: 'print one JSON object per file as it finishes, then a summary' },
    { flags: '--enqueue', description: 'only record the files as jobs for `doccat worker` processes (the files must be readable where the workers run)' },
    { flags: '--no-hooks', description: 'run no hooks (hooks.onDocument, onRun, onAlert) for this run' },
    { flags: '--ci', description: 'record where the files came from (CI run, commit, branch, git facts); on by default when CI=true' },
    { flags: '--no-ci', description: 'record no provenance even when CI=true' },
    { flags: '--label <key=value>', description: 'a label recorded with the files\' provenance (repeatable); find them with label:key=value', repeatable: true, defaultValue: [] },
    { flags: '--url', description: 'with --json/--ndjson: each file\'s presigned (S3) or file URL' },
    { flags: '--unpack', description: 'also catalogue the documents inside archives, as their members (limits: ingest.maxUnpackedMb, 3 deep)' },
  ],
  help: `
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
Exit code 3 when some files failed (skipped files do not count); 130 when interrupted (run again to finish).`,
  run: async (paths, options, command) => (await import('./ingest.js')).ingestCommand(paths, options, command),
});
